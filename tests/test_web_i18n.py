"""The Babel catalogs: the template is current with the code and every message has a Finnish translation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tosmonitor.web.i18n import TRANSLATIONS_DIR, translations

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def message_ids(path: Path) -> set[str]:
    with path.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_catalog_template_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "--no-location",
         "--omit-header", "-o", str(fresh), "."],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert message_ids(fresh) == message_ids(TRANSLATIONS_DIR / "messages.pot"), (
        "run: pybabel extract -F babel.cfg --no-location --omit-header -o tosmonitor/translations/messages.pot . "
        "&& python -m tosmonitor.translations.update"
    )


def test_every_message_is_translated_to_finnish() -> None:
    with (TRANSLATIONS_DIR / "fi" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    assert {m.id for m in catalog if m.id} == message_ids(TRANSLATIONS_DIR / "messages.pot")
    missing = [m.id for m in catalog if m.id and not m.string]
    assert not missing
    finnish = translations("fi")
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert finnish.gettext(message.id) == message.string
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id
    assert translations("en").gettext("Sign in") == "Sign in"
