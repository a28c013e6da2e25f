"""Declarations: the bundled ones load; every kind of bad declaration names its file, field and reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tosmonitor import filters
from tosmonitor.channels import load_channels
from tosmonitor.declarations import DeclarationError, load_declarations, load_service
from tosmonitor.resources import data_dir

CASES = json.loads((Path(__file__).parent / "data" / "bad_declarations.json").read_text(encoding="utf-8"))
TOWN_SERVICES = {
    "facebook",
    "instagram",
    "twitter",
    "linkedin",
    "youtube",
    "google",
    "wikipedia",
    "slideshare",
    "snapchat",
    "wordpress",
    "reddit",
}


def test_bundled_declarations_cover_the_towns_channels() -> None:
    services = load_declarations(data_dir() / "declarations", known_filters=filters.names())
    assert set(services) == TOWN_SERVICES
    assert all("Terms of Service" in s.documents for s in services.values())
    assert "Copyright Claims Policy" in services["youtube"].documents
    channels = load_channels(data_dir() / "channels.toml", services.keys())
    assert {c.state for c in channels} <= {"in use", "candidate", "closed"}
    assert all(len(c.admins) >= 2 for c in channels if c.state == "in use")


def test_history_gives_the_declaration_in_force_at_a_date() -> None:
    twitter = load_declarations(data_dir() / "declarations")["twitter"]
    history = twitter.history["Terms of Service"]
    oldest = min(history, key=lambda d: d.valid_until)
    before = oldest.valid_until.replace(year=oldest.valid_until.year - 1)
    assert twitter.document_at("Terms of Service", before) == oldest
    assert twitter.document_at("Terms of Service", datetime.now(UTC)) == twitter.documents["Terms of Service"]


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_bad_declaration_names_file_field_and_reason(case: dict, tmp_path: Path) -> None:
    file = tmp_path / "example.json"
    file.write_text(case["raw"] if "raw" in case else json.dumps(case["content"]), encoding="utf-8")
    if "history" in case:
        (tmp_path / "example.history.json").write_text(json.dumps(case["history"]), encoding="utf-8")
    with pytest.raises(DeclarationError) as error:
        load_service(file, known_filters=filters.names())
    expected_file = tmp_path / "example.history.json" if case.get("history_error") else file
    assert error.value.file == str(expected_file)
    assert error.value.field == case["field"]
    assert case["reason"] in error.value.reason
    assert str(error.value).startswith(f"{expected_file}: {case['field']}: ")


def test_file_name_must_be_a_service_id(tmp_path: Path) -> None:
    file = tmp_path / "Not An Id.json"
    file.write_text(json.dumps({"name": "X", "terms": {"Terms of Service": {"fetch": "https://x.example/"}}}))
    with pytest.raises(DeclarationError, match="service id 'Not An Id' must be lower-case"):
        load_service(file)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="no declaration files"):
        load_declarations(tmp_path)


@pytest.mark.parametrize(
    ("toml", "field", "reason"),
    [
        ('[[channel]]\nservice = "myspace"\nstate = "in use"\n', "channel[0].service", "not a declared service"),
        ('[[channel]]\nservice = "youtube"\nstate = "active"\n', "channel[0].state", "must be one of"),
        (
            '[[channel]]\nservice = "youtube"\nstate = "in use"\nadmins = "Maija"\n',
            "channel[0].admins",
            "list of names",
        ),
        ("[[channel]\n", "(syntax)", ""),
    ],
)
def test_bad_channels_file(tmp_path: Path, toml: str, field: str, reason: str) -> None:
    file = tmp_path / "channels.toml"
    file.write_text(toml, encoding="utf-8")
    with pytest.raises(DeclarationError) as error:
        load_channels(file, {"youtube"})
    assert error.value.field == field
    assert reason in error.value.reason


def test_init_warns_when_a_document_with_history_stops_being_declared(tmp_path: Path) -> None:
    """A misspelt document type silently hid a document's history: `init` now says so, twice."""
    from tests.conftest import Cli, cli_env
    from tosmonitor.recording import add_version
    from tosmonitor.store import make_engine, repository, transaction

    declarations = tmp_path / "declarations"
    declarations.mkdir()
    declaration = {"name": "Example", "terms": {"Terms of Service": {"fetch": "https://example.org/tos",
                                                                     "select": "main"}}}
    (declarations / "example.json").write_text(json.dumps(declaration))
    url = f"sqlite:///{tmp_path / 'tos.db'}"
    cli = Cli(cli_env(url, tmp_path, declarations), tmp_path)
    first = cli("init")
    assert first.returncode == 0 and "Warning" not in first.stderr
    engine = make_engine(url)
    with transaction(engine) as session:
        document = repository.find_document(session, "example", "Terms of Service")
        add_version(session, document, "# Terms\n\nBe nice.\n", datetime.now(UTC), snapshot_ids=[], source="test")
    engine.dispose()
    declaration["terms"] = {"Terms of Servce": declaration["terms"]["Terms of Service"]}
    (declarations / "example.json").write_text(json.dumps(declaration))
    second = cli("init")
    assert second.returncode == 0
    assert ("Warning: example / Terms of Service (1 version) is no longer declared: its history is kept but not "
            "shown or crawled. Declared now: 'Terms of Servce'") in second.stderr
    assert "'Terms of Servce' is not a known document type; did you mean 'Terms of Service'?" in second.stderr
    assert "no longer declared" not in cli("init").stderr  # said once, when it happened
