"""Evidence export: raw pages as fetched, extracted text, SHA-256 of both, fetch time, URL, manifest."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import Cli, cli_env
from tosmonitor.crawling import load_checked_declarations
from tosmonitor.export import ExportError, export_evidence, read_export, verify
from tosmonitor.fetching import FetchedPage, FetchResult
from tosmonitor.recording import record_fetch
from tosmonitor.replay import ReplayServer, recorded_documents, render_page
from tosmonitor.store import transaction
from tosmonitor.store.repository import sync_declarations

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_weeks(engine: Engine, tmp_path: Path, weeks: int = 3) -> list[bytes]:
    """Record real Reddit versions as fetched pages, one a week, through the real recording path."""
    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == ("reddit", "Terms of Service"))
    with ReplayServer(documents=[document]) as server:  # only for its declarations
        declarations = load_checked_declarations(server.write_declarations(tmp_path / "declarations"))
    with transaction(engine) as session:
        sync_declarations(session, declarations.values())
    bodies = []
    for week in range(weeks):
        body = render_page(document.versions[-weeks + week].read_text(encoding="utf-8"), "Reddit", week)
        bodies.append(body)
        when = START + timedelta(weeks=week)
        page = FetchedPage(url=declarations["reddit"].documents["Terms of Service"].url, status=200,
                           media_type="text/html", body=body, fetched_at=when)
        with transaction(engine) as session:
            outcome = record_fetch(session, declarations["reddit"],
                                   FetchResult("reddit", "Terms of Service", when, pages=[page]))
            assert outcome.outcome == "new_version", outcome
    return bodies


def test_export_directory_and_zip_hashes_verified(tmp_path: Path, engine: Engine) -> None:
    bodies = record_weeks(engine, tmp_path)
    manifest = export_evidence(engine, "reddit", None, tmp_path / "evidence", number=2)
    files = read_export(tmp_path / "evidence")
    assert json.loads(files["manifest.json"]) == manifest
    (entry,) = manifest["versions"]
    assert entry["version"] == 2
    assert entry["fetched_at"] == (START + timedelta(weeks=1)).isoformat()
    (snapshot,) = entry["snapshots"]
    assert files[snapshot["file"]] == bodies[1]  # the raw page exactly as fetched
    assert snapshot["sha256"] == sha(bodies[1])
    assert snapshot["url"].endswith("/reddit/terms-of-service") and snapshot["media_type"] == "text/html"
    assert snapshot["fetched_at"] == entry["fetched_at"]
    text = files[entry["text"]["file"]]
    assert entry["text"]["sha256"] == sha(text)
    assert "Reddit" in text.decode("utf-8")
    assert manifest["service"] == "reddit" and manifest["type"] == "Terms of Service"

    archive = tmp_path / "out" / "reddit.zip"
    every = export_evidence(engine, "reddit", "Terms of Service", archive, all_versions=True)
    assert [v["version"] for v in every["versions"]] == [1, 2, 3]
    with zipfile.ZipFile(archive) as handle:
        names = handle.namelist()
    assert "reddit-terms-of-service-all/manifest.json" in names
    zipped = read_export(archive)
    for version, body in zip(every["versions"], bodies, strict=True):
        assert zipped[version["snapshots"][0]["file"]] == body
        assert sha(zipped[version["text"]["file"]]) == version["text"]["sha256"]
    assert every["versions"][1]["change_from_previous"] is not None
    assert verify(archive) == every


def test_tampered_export_fails_verification(tmp_path: Path, engine: Engine) -> None:
    record_weeks(engine, tmp_path, weeks=1)
    manifest = export_evidence(engine, "reddit", None, tmp_path / "evidence")
    name = manifest["versions"][0]["snapshots"][0]["file"]
    (tmp_path / "evidence" / name).write_bytes(b"<html>something else</html>")
    with pytest.raises(ExportError, match="does not match its SHA-256"):
        verify(tmp_path / "evidence")


def test_export_errors(tmp_path: Path, engine: Engine) -> None:
    record_weeks(engine, tmp_path, weeks=1)
    with pytest.raises(ExportError, match="has no version 7"):
        export_evidence(engine, "reddit", None, tmp_path / "a", number=7)
    with pytest.raises(ExportError, match="not both"):
        export_evidence(engine, "reddit", None, tmp_path / "a", number=1, all_versions=True)
    with pytest.raises(ExportError, match="unknown service"):
        export_evidence(engine, "nosuch", None, tmp_path / "b")
    export_evidence(engine, "reddit", None, tmp_path / "c")
    with pytest.raises(ExportError, match="not empty"):
        export_evidence(engine, "reddit", None, tmp_path / "c")


def crawled_reddit(tmp_path: Path) -> Cli:
    """The CLI on a database that crawled Reddit's recorded terms once."""
    database_url = f"sqlite:///{tmp_path / 'tosmonitor.db'}"
    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == ("reddit", "Terms of Service"))
    with ReplayServer(documents=[document]) as server:
        cli = Cli(cli_env(database_url, tmp_path, server.write_declarations(tmp_path / "declarations")), tmp_path)
        assert cli("init").returncode == 0
        assert cli("crawl").returncode == 0
    return cli


def test_export_command(tmp_path: Path) -> None:
    cli = crawled_reddit(tmp_path)
    done = cli("export", "reddit", "--out", str(tmp_path / "evidence.zip"))
    assert done.returncode == 0, done.stderr
    assert "Exported reddit / Terms of Service v1 (1 raw snapshot)" in done.stdout
    assert verify(tmp_path / "evidence.zip")["versions"][0]["version"] == 1
    missing = cli("export", "reddit", "--version", "9", "--out", str(tmp_path / "x"))
    assert missing.returncode == 1 and "has no version 9" in missing.stderr


def test_export_refuses_to_overwrite_an_existing_file(tmp_path: Path, engine: Engine) -> None:
    """Evidence is never overwritten: an existing zip (or any existing file) is refused like a non-empty directory."""
    record_weeks(engine, tmp_path, weeks=1)
    archive = tmp_path / "evidence.zip"
    archive.write_bytes(b"earlier evidence")
    with pytest.raises(ExportError, match="already exists"):
        export_evidence(engine, "reddit", None, archive)
    assert archive.read_bytes() == b"earlier evidence"
    plain = tmp_path / "evidence"
    plain.write_bytes(b"earlier evidence")
    with pytest.raises(ExportError, match="already exists"):
        export_evidence(engine, "reddit", None, plain)
    assert plain.read_bytes() == b"earlier evidence"
    (tmp_path / "folder.zip").mkdir()
    with pytest.raises(ExportError, match="already exists"):
        export_evidence(engine, "reddit", None, tmp_path / "folder.zip")
    empty = tmp_path / "empty"
    empty.mkdir()  # an existing empty directory is still fine
    assert export_evidence(engine, "reddit", None, empty)["versions"][0]["version"] == 1


def test_export_unwritable_path_is_one_clear_error(tmp_path: Path, engine: Engine) -> None:
    record_weeks(engine, tmp_path, weeks=1)
    parent_is_a_file = tmp_path / "file.md"
    parent_is_a_file.write_text("x")
    for out in (parent_is_a_file / "sub", parent_is_a_file / "sub.zip", parent_is_a_file / "deeper" / "sub.zip"):
        with pytest.raises(ExportError, match=f"^cannot write {out}: Not a directory$"):
            export_evidence(engine, "reddit", None, out)
    assert parent_is_a_file.read_text() == "x"


def test_export_command_errors(tmp_path: Path) -> None:
    cli = crawled_reddit(tmp_path)
    for out in ("/proc/foo", str(tmp_path / "tosmonitor.db" / "sub"), "/proc/foo.zip"):
        failed = cli("export", "reddit", "--out", out)
        assert failed.returncode == 1, failed.stderr
        assert failed.stderr.startswith(f"Error: cannot write {out}: "), failed.stderr
        assert "Traceback" not in failed.stderr
    archive = tmp_path / "evidence.zip"
    archive.write_bytes(b"earlier evidence")
    refused = cli("export", "reddit", "--out", str(archive))
    assert refused.returncode == 1 and f"Error: {archive} already exists" in refused.stderr
    assert archive.read_bytes() == b"earlier evidence"
    both = cli("export", "reddit", "--version", "1", "--all", "--out", str(tmp_path / "both"))
    assert both.returncode == 2, both.stderr
    assert "Error: give either --version N or --all, not both" in both.stderr and "Usage:" in both.stderr
    assert not (tmp_path / "both").exists()
