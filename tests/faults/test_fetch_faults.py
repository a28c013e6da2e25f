"""Every failure kind, through a real Scrapy crawl against a local server: a failed check, never a version."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import Cli, cli_env
from tests.responders import (
    CLOUDFLARE_WALL,
    CONSENT_WALL,
    TERMS,
    page,
    redirect_to,
    reset_mid_body,
    self_signed_server,
    slow,
    terms_page,
)
from tosmonitor.replay import ReplayServer
from tosmonitor.store.models import Change, Check, Version

HEALTHY = terms_page(TERMS)
LONG_PAGE = terms_page([f"{n}. {paragraph}" for n in range(1, 5) for paragraph in TERMS])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_declarations(directory: Path, documents: dict[str, dict[str, object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for service_id, terms in documents.items():
        (directory / f"{service_id}.json").write_text(json.dumps({"name": service_id, "terms": terms}))
    return directory


FAULTS = {
    # service id: (responder, expected failure kind)
    "http500": (page("<h1>Internal error</h1>", status=500), "http_error"),
    "http404": (page("<h1>Not found</h1>", status=404), "http_error"),
    "slow": (slow(8), "timeout"),
    "reset": (reset_mid_body(HEALTHY * 20), "connection"),
    "botwall": (page(CLOUDFLARE_WALL, status=403), "blocked"),
    "consent": (page(CONSENT_WALL), "consent_wall"),
    "empty": (page(b""), "empty"),
    "noselector": (page("<html><body><div id='other'>Terms moved elsewhere</div></body></html>"), "selector_missing"),
    "loop": (redirect_to("/loop"), "redirect_loop"),
}


@pytest.fixture
def fault_setup(tmp_path: Path, replay_server: ReplayServer, database_url: str) -> Iterator[tuple[Cli, Path]]:
    documents: dict[str, dict[str, object]] = {}
    for service_id, (responder, _kind) in FAULTS.items():
        path = f"/{service_id}"
        replay_server.routes[path] = responder
        documents[service_id] = {"Terms of Service": {"fetch": replay_server.url(path), "select": "main article"}}
    replay_server.routes["/shrinks"] = page(LONG_PAGE)
    documents["shrinks"] = {"Terms of Service": {"fetch": replay_server.url("/shrinks"), "select": "main article"}}
    documents["nodns"] = {"Terms of Service": {"fetch": "http://terms.nonexistent.invalid/tos", "select": "main"}}
    documents["notls"] = {
        "Terms of Service": {
            "fetch": f"https://127.0.0.1:{replay_server.base_url.rsplit(':', 1)[1]}/tos",
            "select": "main",
        }
    }
    tls_server, tls_url = self_signed_server(str(tmp_path))
    documents["selfsigned"] = {"Terms of Service": {"fetch": tls_url, "select": "main article"}}
    declarations = write_declarations(tmp_path / "declarations", documents)
    cli = Cli(cli_env(database_url, tmp_path, declarations, TOSMONITOR_DOWNLOAD_TIMEOUT="3"), tmp_path)
    assert cli("init").returncode == 0
    yield cli, declarations
    tls_server.shutdown()
    tls_server.server_close()


def last_checks(engine) -> dict[str, Check]:  # type: ignore[no-untyped-def]
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        checks = session.scalars(select(Check).order_by(Check.id)).all()
        return {check.document.service_id: check for check in checks}


def test_every_failure_kind_is_a_failed_check_and_never_a_version(fault_setup, engine, replay_server) -> None:  # type: ignore[no-untyped-def]
    cli, _ = fault_setup
    first = cli("crawl")
    assert first.returncode == 0, first.stderr
    checks = last_checks(engine)
    expected = {service: kind for service, (_, kind) in FAULTS.items()} | {
        "nodns": "dns",
        "notls": "tls",
        "selfsigned": "tls",
    }
    got = {service: checks[service].failure_kind for service in expected}
    assert got == expected
    assert all(checks[s].outcome == "failed" and checks[s].message for s in expected)
    assert checks["http500"].http_status == 500
    assert "certificate" in checks["selfsigned"].message.lower()
    assert checks["shrinks"].outcome == "new_version"
    assert "failed:" in first.stdout and "http500" in first.stdout

    # The long page now comes back as truncated HTML (cut at a third, status 200): too_short, no version.
    replay_server.routes["/shrinks"] = page(LONG_PAGE[: len(LONG_PAGE) // 3])
    # The faulty pages recover: the next run records their first version.
    for service in FAULTS:
        replay_server.routes[f"/{service}"] = page(HEALTHY)
    second = cli("crawl")
    assert second.returncode == 0, second.stderr
    checks = last_checks(engine)
    assert checks["shrinks"].outcome == "failed" and checks["shrinks"].failure_kind == "too_short"
    assert all(checks[s].outcome == "new_version" for s in FAULTS)

    from sqlalchemy.orm import Session

    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Change)) == 0
        versions = session.scalars(select(Version)).all()
        assert len(versions) == len(FAULTS) + 1
        assert all(len(v.text) > 200 for v in versions)

    # The same shortened text on the next check counts as a real shortening: it becomes a version.
    third = cli("crawl", "shrinks")
    assert third.returncode == 0, third.stderr
    assert last_checks(engine)["shrinks"].outcome == "new_version"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Change)) == 1


def test_unknown_service_and_bad_declaration_fail_fast(tmp_path: Path, database_url: str) -> None:
    declarations = write_declarations(tmp_path / "decl", {"good": {"Terms of Service": {"fetch": "http://127.0.0.1/"}}})
    cli = Cli(cli_env(database_url, tmp_path, declarations), tmp_path)
    assert cli("init").returncode == 0
    unknown = cli("crawl", "nosuchservice")
    assert unknown.returncode == 1
    assert "unknown service(s) nosuchservice" in unknown.stderr
    (declarations / "bad.json").write_text(
        json.dumps(
            {
                "name": "Bad",
                "terms": {
                    "Terms of Service": {"fetch": "http://127.0.0.1/", "select": "main", "filter": ["doesNotExist"]}
                },
            }
        )
    )
    bad = cli("crawl")
    assert bad.returncode == 1
    assert "bad.json: terms.Terms of Service.filter[0]: unknown filter 'doesNotExist'" in bad.stderr


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    cli = Cli(cli_env("nosuchdb://x", tmp_path), tmp_path)
    result = cli("channels")
    assert result.returncode == 1
    assert "bad database URL 'nosuchdb://x'" in result.stderr
    assert "Traceback" not in result.stderr
