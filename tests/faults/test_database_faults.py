"""A locked or unreachable database: a clear error or a wait, never a half-written record."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from pathlib import Path

from tests.conftest import Cli, cli_env
from tests.responders import TERMS, page, terms_page
from tosmonitor.replay import ReplayServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def example_site(tmp_path: Path, replay_server: ReplayServer) -> tuple[Path, Path]:
    """A database path and a declarations folder for one document served by ``replay_server``."""
    replay_server.routes["/tos"] = page(terms_page(TERMS))
    declarations = tmp_path / "declarations"
    declarations.mkdir()
    terms = {"Terms of Service": {"fetch": replay_server.url("/tos"), "select": "main article"}}
    (declarations / "example.json").write_text(json.dumps({"name": "Example", "terms": terms}))
    return tmp_path / "tosmonitor.db", declarations


def test_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    cli = Cli(cli_env(url, tmp_path), tmp_path)
    for command in (["init"], ["channels"], ["crawl"]):
        result = cli(*command)
        assert result.returncode == 1, command
        assert "cannot open database" in result.stderr
        assert "Traceback" not in result.stderr


def test_uninitialised_database_says_run_init(tmp_path: Path) -> None:
    cli = Cli(cli_env(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path), tmp_path)
    result = cli("channels")
    assert result.returncode == 1
    assert "not initialised: run `tosmonitor init`" in result.stderr
    assert not (tmp_path / "empty.db").exists()  # asking left no empty database file behind


def test_locked_sqlite_database_is_waited_for_then_the_crawl_completes(
    tmp_path: Path, replay_server: ReplayServer
) -> None:
    database, declarations = example_site(tmp_path, replay_server)
    cli = Cli(cli_env(f"sqlite:///{database}", tmp_path, declarations), tmp_path)
    assert cli("init").returncode == 0

    locker = sqlite3.connect(database, timeout=30, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")  # another process is writing: nobody else may write for now
    released = threading.Event()

    def release_later() -> None:
        time.sleep(3)
        locker.rollback()
        released.set()

    threading.Thread(target=release_later, daemon=True).start()
    result = cli("crawl")
    assert released.is_set()
    assert result.returncode == 0, result.stderr
    document = json.loads(cli("channels", "--json").stdout)[0]["documents"][0]
    assert document["versions"] == 1
    assert document["last_check"]["outcome"] == "new_version"
    locker.close()


def test_read_only_database_is_a_one_line_error_and_nothing_is_recorded(
    tmp_path: Path, replay_server: ReplayServer
) -> None:
    """A database the process may read but not write (a read-only mount, a file made immutable):
    every writing command ends with one clear line and exit 1, no traceback; nothing is half-written."""
    database, declarations = example_site(tmp_path, replay_server)
    assert Cli(cli_env(f"sqlite:///{database}", tmp_path, declarations), tmp_path)("init").returncode == 0
    read_only = Cli(cli_env(f"sqlite:///file:{database}?mode=ro&uri=true", tmp_path, declarations), tmp_path)
    for command, expected in [
        (["user", "add", "pekka", "--role", "legal"], "database error"),
        (["crawl"], "not recorded, database error: attempt to write a readonly database"),
    ]:
        result = read_only(*command, input="a-long-password\n")
        assert result.returncode == 1, (command, result.stdout)
        assert expected in result.stderr, (command, result.stderr)
        assert "readonly" in result.stderr and "Traceback" not in result.stderr, command
    crawled = read_only("crawl")
    assert "1 documents were not recorded (errors above): example / Terms of Service" in crawled.stderr
    channels = json.loads(read_only("channels", "--json").stdout)
    assert channels[0]["documents"][0]["last_check"] is None  # nothing recorded, nothing half-written


def test_missing_database_driver_is_a_clear_error(tmp_path: Path) -> None:
    result = Cli(cli_env("mysql://someone@db.example/tos", tmp_path), tmp_path)("channels")
    assert result.returncode == 1
    assert "driver not installed" in result.stderr and "Traceback" not in result.stderr
