"""An unchanged page is recognised by its extraction fingerprint; anything extraction reads breaks it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.responders import TERMS, terms_page
from tosmonitor import recording
from tosmonitor.crawling import load_checked_declarations
from tosmonitor.declarations import RangeSelector, SourceDocument
from tosmonitor.fetching import FetchedPage, FetchResult
from tosmonitor.fingerprint import page_fingerprint
from tosmonitor.recording import record_fetch
from tosmonitor.store import transaction
from tosmonitor.store.models import Check, Snapshot, Version
from tosmonitor.store.repository import sync_declarations

URL = "https://example.org/terms"
SOURCE = SourceDocument(fetch=URL, select=("main article",), remove=(".share",))
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def noisy(paragraphs: list[str], visit: int) -> bytes:
    """The same terms with per-request noise where live pages have it: scripts, nav, attributes."""
    html = terms_page(paragraphs, noise=f"visit {visit}")
    html = html.replace("</head>", f"<script>var nonce='{visit:08x}';</script><!-- req {visit} --></head>")
    html = html.replace("<h1>", f'<div class="share">shared {visit} times</div><h1>')
    return html.encode()


def fingerprint(body: bytes, source: SourceDocument = SOURCE, url: str = URL) -> str | None:
    return page_fingerprint(body, "text/html; charset=utf-8", url, source)


def test_noise_outside_what_extraction_reads_keeps_the_fingerprint() -> None:
    assert b"shared 1 times" in noisy(TERMS, 1) and b"nonce" in noisy(TERMS, 1)
    assert fingerprint(noisy(TERMS, 1)) == fingerprint(noisy(TERMS, 2)) is not None


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(lambda: fingerprint(noisy([*TERMS[:-1], TERMS[-1] + " Changed."], 1)), id="one word of the terms"),
        pytest.param(lambda: fingerprint(noisy(TERMS, 1), url=URL + "?v=2"), id="the URL links resolve against"),
        pytest.param(
            lambda: fingerprint(noisy(TERMS, 1), SourceDocument(fetch=URL, select=("main",), remove=(".share",))),
            id="the declaration's select",
        ),
        pytest.param(
            lambda: fingerprint(noisy(TERMS, 1).replace(b"<p>", b'<p class="x">', 1)), id="markup inside the article"
        ),
    ],
)
def test_what_extraction_reads_changes_the_fingerprint(changed) -> None:  # type: ignore[no-untyped-def]
    assert changed() != fingerprint(noisy(TERMS, 1))


def test_no_fingerprint_where_only_full_extraction_can_tell() -> None:
    missing = SourceDocument(fetch=URL, select=("main .no-such-thing",))
    ranged = SourceDocument(
        fetch=URL, select=(RangeSelector(start="h1", end="footer", start_inclusive=True, end_inclusive=False),)
    )
    assert fingerprint(noisy(TERMS, 1), missing) is None  # the full path names the failure
    assert fingerprint(noisy(TERMS, 1), ranged) is None
    assert page_fingerprint(b"\x00\x01", "application/octet-stream", URL, SOURCE) is None


def test_unchanged_page_is_recorded_without_converting_it(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    declarations_dir = tmp_path / "declarations"
    declarations_dir.mkdir()
    terms = {"fetch": URL, "select": ["main article"], "remove": [".share"]}
    (declarations_dir / "example.json").write_text(
        json.dumps({"name": "Example", "terms": {"Terms of Service": terms}})
    )
    declaration = load_checked_declarations(declarations_dir)["example"]
    with transaction(engine) as session:
        sync_declarations(session, [declaration])

    def check(body: bytes, week: int) -> str:
        when = START + timedelta(weeks=week)
        page = FetchedPage(url=URL, status=200, media_type="text/html; charset=utf-8", body=body, fetched_at=when)
        with transaction(engine) as session:
            return record_fetch(
                session, declaration, FetchResult("example", "Terms of Service", when, pages=[page])
            ).outcome

    assert check(noisy(TERMS, 0), 0) == "new_version"
    real_extract = recording._extract

    def must_not_extract(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("an unchanged page was converted again")

    monkeypatch.setattr(recording, "_extract", must_not_extract)
    assert check(noisy(TERMS, 1), 1) == "unchanged"
    assert check(noisy(TERMS, 2), 2) == "unchanged"
    monkeypatch.setattr(recording, "_extract", real_extract)
    changed = [*TERMS[:-1], TERMS[-1] + " We may also end your account at any time."]
    assert check(noisy(changed, 3), 3) == "new_version"
    assert check(noisy(TERMS, 4), 4) == "unchanged"  # back to version 1: flapping, found by text
    assert check(noisy(TERMS, 5), 5) == "unchanged"  # after a flapping check: the full path again
    with engine.connect() as connection:
        rows = connection.execute(select(Check.outcome, Check.flapping, Check.fingerprint).order_by(Check.id)).all()
        snapshots = connection.execute(select(Snapshot.id).order_by(Snapshot.id)).scalars().all()
        evidence = connection.execute(select(Version.snapshot_ids).order_by(Version.number)).scalars().all()
    assert evidence == [[snapshots[0]], [snapshots[1]]]  # one page per version; unchanged checks add none
    fingerprints = [row.fingerprint for row in rows]
    assert [row.flapping for row in rows] == [False, False, False, False, True, True]
    assert None not in fingerprints
    assert len(set(fingerprints)) == 2  # the terms before and after the change
