"""Import a real history from an Open Terms Archive-shaped git repository.

The repository is built here from the bundled recorded versions (real OTA blobs): one commit per
version at ``Twitter/Terms of Service.md``, authored at the real OTA date, with OTA's commit messages
("Record new changes of …", "Apply technical or declaration upgrade on …") taken from the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import Cli, cli_env
from tosmonitor.crawling import load_checked_declarations
from tosmonitor.extract import normalise_markdown
from tosmonitor.importers import OTAImportError, import_ota
from tosmonitor.importers.ota import map_services
from tosmonitor.replay import ReplayServer, recorded_documents
from tosmonitor.resources import data_dir
from tosmonitor.store import repository as repo
from tosmonitor.store import transaction
from tosmonitor.store.models import Service
from tosmonitor.store.repository import sync_declarations

OTA_NAMES = {"twitter": "Twitter", "wordpress": "WordPress.com", "reddit": "Reddit"}
MESSAGES = {
    "first_record": "Start tracking {name} {type}",
    "change": "Record new changes of {name} {type}",
    "technical_upgrade": "Apply technical or declaration upgrade on {name} {type}",
}


def recorded_series(service_id: str, doc_type: str = "Terms of Service") -> list[tuple[Path, datetime, str]]:
    """(file, OTA author date, change kind) of the recorded versions of a document, oldest first."""
    kinds = {}
    with (data_dir() / "recorded" / "manifest.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["service_id"], row["document_type"]) == (service_id, doc_type):
                kinds[row["timestamp"]] = row["change_kind"]
    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == (service_id, doc_type))
    return [(path, datetime.strptime(path.stem, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=UTC), kinds[path.stem])
            for path in document.versions]


def git(repo_dir: Path, *args: str, date: datetime | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "OTA-Bot", "GIT_AUTHOR_EMAIL": "bot@opentermsarchive.org",
           "GIT_COMMITTER_NAME": "OTA-Bot", "GIT_COMMITTER_EMAIL": "bot@opentermsarchive.org"}
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date.isoformat()
    return subprocess.run(["git", "-C", str(repo_dir), *args], env=env, check=True, capture_output=True,
                          text=True).stdout


def build_ota_repository(root: Path, documents: dict[str, int]) -> Path:
    """A git repository laid out like OTA's versions repositories, commits in date order across documents."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commits = []
    for service_id, limit in documents.items():
        for path, when, kind in recorded_series(service_id)[:limit]:
            commits.append((when, service_id, path, kind))
    for when, service_id, path, kind in sorted(commits, key=lambda c: c[0]):
        name = OTA_NAMES[service_id]
        target = root / name / "Terms of Service.md"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(path.read_bytes())
        git(root, "add", "-A")
        message = MESSAGES[kind].format(name=name, type="Terms of Service")
        git(root, "commit", "-q", "--allow-empty", "-m", message, date=when)
    return root


def expected_versions(service_id: str, limit: int) -> list[tuple[datetime, bool]]:
    """(date, technical) of each distinct normalised text, as the importer must record them."""
    seen: set[str] = set()
    expected = []
    for path, when, kind in recorded_series(service_id)[:limit]:
        text_hash = hashlib.sha256(normalise_markdown(path.read_text(encoding="utf-8")).encode()).hexdigest()
        if text_hash in seen:
            continue
        seen.add(text_hash)
        expected.append((when, bool(expected) and kind == "technical_upgrade"))
    return expected


def load_bundled(engine: Engine) -> None:
    with transaction(engine) as session:
        sync_declarations(session, load_checked_declarations(data_dir() / "declarations").values())


def history(engine: Engine, service_id: str, doc_type: str = "Terms of Service") -> list:  # type: ignore[type-arg]
    with transaction(engine) as session:
        document = repo.find_document(session, service_id, doc_type)
        assert document is not None
        versions = repo.versions_of(session, document.id)
        return [(v.number, v.fetched_at, v.technical, v.source, repo.change_into(session, v.id)) for v in versions]


def test_import_real_history_dates_technical_and_idempotent(tmp_path: Path, engine: Engine) -> None:
    ota = build_ota_repository(tmp_path / "versions", {"twitter": 24, "wordpress": 6})
    load_bundled(engine)
    report = import_ota(engine, ota)
    by_service = {d.service_id: d for d in report.documents}
    assert set(by_service) == {"twitter", "wordpress"}  # "WordPress.com" maps to wordpress
    for service_id, limit in (("twitter", 24), ("wordpress", 6)):
        expected = expected_versions(service_id, limit)
        got = history(engine, service_id)
        assert [(when, technical) for _, when, technical, _, _ in got] == expected
        assert [n for n, *_ in got] == list(range(1, len(expected) + 1))
        assert all(source == "import" for *_, source, _ in got)
        assert got[0][4] is None and all(change is not None for *_, change in got[1:])
        assert all(change.technical == technical for _, _, technical, _, change in got[1:])
        assert by_service[service_id].imported == len(expected)
    twitter = history(engine, "twitter")
    assert len(twitter) >= 20
    assert sum(technical for _, _, technical, _, _ in twitter) >= 3  # OTA's upgrades on X's terms
    assert len(git(ota, "log", "--format=%H", "--", "Twitter/Terms of Service.md").split()) == 24

    again = import_ota(engine, ota)
    assert again.imported == 0
    assert [row[:4] for row in history(engine, "twitter")] == [row[:4] for row in twitter]
    assert sum(d.already_present for d in again.documents) == len(twitter) + len(expected_versions("wordpress", 6))


def test_import_then_crawl_continues_history(tmp_path: Path, database_url: str) -> None:
    series = recorded_series("twitter")
    ota = build_ota_repository(tmp_path / "versions", {"twitter": 10})
    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == ("twitter", "Terms of Service"))
    server = ReplayServer(documents=[document]).start()
    try:
        declarations = server.write_declarations(tmp_path / "declarations")
        cli = Cli(cli_env(database_url, tmp_path, declarations), tmp_path)
        assert cli("init").returncode == 0
        imported = cli("import-ota", str(ota), "--service", "twitter", "--type", "Terms of Service")
        assert imported.returncode == 0, imported.stderr
        assert "twitter / Terms of Service: 10 commits" in imported.stdout
        before = json.loads(cli("history", "twitter", "--json").stdout)
        assert len(before) == len(expected_versions("twitter", 10))
        server.show(document, 10)  # the next real version after the imported ones
        crawled = cli("crawl", "twitter")
        assert crawled.returncode == 0, crawled.stderr
        after = json.loads(cli("history", "twitter", "--json").stdout)
    finally:
        server.stop()
    assert after[:len(before)] == before
    assert len(after) == len(before) + 1
    assert after[-1]["change"] is not None
    assert after[-1]["fetched_at"] > series[9][1].isoformat()


def test_import_errors_and_filters(tmp_path: Path, engine: Engine) -> None:
    load_bundled(engine)
    ota = build_ota_repository(tmp_path / "versions", {"twitter": 3, "reddit": 3})
    only = import_ota(engine, ota, service="reddit")
    assert [d.service_id for d in only.documents] == ["reddit"]
    with pytest.raises(OTAImportError, match="unknown service 'nosuch'"):
        import_ota(engine, ota, service="nosuch")
    with pytest.raises(OTAImportError, match="not a git repository"):
        import_ota(engine, tmp_path)
    with pytest.raises(OTAImportError, match="no document of service 'twitter' of type 'Privacy Policy'"):
        import_ota(engine, ota, service="twitter", doc_type="Privacy Policy")


def test_map_services_by_id_and_name() -> None:
    services = [Service(id="twitter", name="X (Twitter)"), Service(id="wordpress", name="WordPress.com"),
                Service(id="wikipedia", name="Wikipedia (Wikimedia Foundation)"), Service(id="youtube", name="YouTube")]
    mapping = map_services(["Twitter", "WordPress.com", "Wikipedia", "YouTube", "Mastodon"], services)
    assert mapping == {"Twitter": "twitter", "WordPress.com": "wordpress", "Wikipedia": "wikipedia",
                       "YouTube": "youtube"}


def test_snapshots_repository_gives_raw_pages(tmp_path: Path, engine: Engine) -> None:
    """Versions get the raw page from the snapshots repository: the commit named in the message, else
    the newest snapshot recorded before the version."""
    load_bundled(engine)
    series = recorded_series("reddit")[:3]
    versions, snapshots = tmp_path / "versions", tmp_path / "snapshots"
    for root in (versions, snapshots):
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
    (snapshots / "Reddit").mkdir()
    (versions / "Reddit").mkdir()
    pages = []
    for index, (path, when, _) in enumerate(series):
        page = f"<html><body><main>{path.read_text(encoding='utf-8')}</main><p>fetch {index}</p></body></html>"
        pages.append(page.encode())
        (snapshots / "Reddit" / "Terms of Service.html").write_bytes(pages[-1])
        git(snapshots, "add", "-A")
        git(snapshots, "commit", "-q", "-m", "Record new changes of Reddit Terms of Service", date=when)
        sha = git(snapshots, "rev-parse", "HEAD").strip()
        (versions / "Reddit" / "Terms of Service.md").write_bytes(path.read_bytes())
        git(versions, "add", "-A")
        body = (f"This version was recorded after extracting from snapshot available at "
                f"https://github.com/OpenTermsArchive/contrib-snapshots/commit/{sha}") if index != 1 else ""
        git(versions, "commit", "-q", "-m", "Record new changes of Reddit Terms of Service", "-m", body or "-",
            date=when)
    report = import_ota(engine, versions, snapshots=snapshots)
    assert report.documents[0].snapshots == 3
    from tosmonitor.recording import load_snapshot_bytes
    from tosmonitor.store.models import Snapshot

    with transaction(engine) as session:
        document = repo.find_document(session, "reddit", "Terms of Service")
        assert document is not None
        stored = [session.get(Snapshot, v.snapshot_ids[0]) for v in repo.versions_of(session, document.id)]
        assert [load_snapshot_bytes(s) for s in stored if s] == pages
        assert [s.fetched_at for s in stored if s] == [when for _, when, _ in series]
