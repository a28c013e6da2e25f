"""Kill -9 in the middle of a crawl, then re-run: consistent database, work completed, no duplicates."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Cli, cli_env
from tests.responders import TERMS, page, slow, terms_page
from tosmonitor.replay import ReplayServer
from tosmonitor.store.models import Change, Check, Snapshot, Version

SERVICES = [f"svc{n}" for n in range(6)]


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_kill_mid_crawl_then_rerun_completes_without_duplicates(
    tmp_path: Path,
    database_url: str,
    engine,
    replay_server: ReplayServer,  # type: ignore[no-untyped-def]
) -> None:
    declarations = tmp_path / "declarations"
    declarations.mkdir()
    for index, service in enumerate(SERVICES):
        body = terms_page([*TERMS, f"Service {service} specific clause number {index}."])
        # The first two answer at once, the rest slowly: the kill lands mid-crawl.
        replay_server.routes[f"/{service}"] = page(body) if index < 2 else slow(1.5, body)
        terms = {"Terms of Service": {"fetch": replay_server.url(f"/{service}"), "select": "main article"}}
        (declarations / f"{service}.json").write_text(json.dumps({"name": service, "terms": terms}))
    cli = Cli(cli_env(database_url, tmp_path, declarations), tmp_path)
    assert cli("init").returncode == 0

    process = cli.popen("crawl")
    deadline = time.monotonic() + 60
    while count(engine, Version) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    recorded_before = count(engine, Version)
    assert 1 <= recorded_before < len(SERVICES)
    assert count(engine, Check) == recorded_before  # every committed version has its check, nothing half-written

    for service in SERVICES:  # healthy and fast for the re-run
        replay_server.routes[f"/{service}"] = page(
            terms_page([*TERMS, f"Service {service} specific clause number {SERVICES.index(service)}."])
        )
    rerun = cli("crawl")
    assert rerun.returncode == 0, rerun.stderr
    assert count(engine, Version) == len(SERVICES)
    assert count(engine, Change) == 0
    with Session(engine) as session:
        per_document = session.execute(select(Version.document_id, func.count()).group_by(Version.document_id)).all()
        assert all(n == 1 for _, n in per_document)
        assert count(engine, Snapshot) == len(SERVICES)
        outcomes = session.scalars(select(Check.outcome)).all()
    assert outcomes.count("new_version") == len(SERVICES)
    assert outcomes.count("unchanged") == recorded_before
