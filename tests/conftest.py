"""Shared fixtures: a database per test on SQLite and PostgreSQL, a replay server, a CLI runner.

PostgreSQL tests run on ``TOSMONITOR_TEST_POSTGRES_URL``, else on the local server at 127.0.0.1:5432
when it answers (trust auth, user postgres); with ``TOSMONITOR_REQUIRE_POSTGRES=1``
a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tosmonitor.replay import RecordedDocument, ReplayServer, recorded_documents
from tosmonitor.store import make_engine, upgrade

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REQUIRE_POSTGRES = os.environ.get("TOSMONITOR_REQUIRE_POSTGRES") == "1"
# .ci/run installs Debian's chromium and axe-core and sets this: a browser test can never skip in CI
REQUIRE_BROWSER = os.environ.get("TOSMONITOR_REQUIRE_BROWSER") == "1"


def missing_optional_part(reason: str, *, required: bool) -> None:
    """Skip for a missing optional part, or fail when the run says the part is required."""
    if required:
        pytest.fail(f"{reason}, and this run requires it")
    pytest.skip(reason)


def _find_postgres() -> str:
    """The configured server, else the local one when it answers, else '' (PostgreSQL tests skip)."""
    configured = os.environ.get("TOSMONITOR_TEST_POSTGRES_URL", "")
    if configured:
        return configured
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return DEFAULT_POSTGRES_URL
    except OSError:
        return ""


POSTGRES_URL = _find_postgres()


def _postgres_admin_url() -> str:
    if not POSTGRES_URL:
        missing_optional_part(
            "PostgreSQL not configured (set TOSMONITOR_TEST_POSTGRES_URL)", required=REQUIRE_POSTGRES
        )
    return POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database; each test clones it (fast) and drops the clone."""
    admin_url = _postgres_admin_url()
    name = f"tosm_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL (SQLite file or a throw-away PostgreSQL database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tosmonitor.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    template = request.getfixturevalue("postgres_template")
    admin_url = _postgres_admin_url()
    name = f"tosm_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Cli:
    """Runs ``python -m tosmonitor`` in a subprocess (a crawl runs the Twisted reactor once per process)."""

    env: dict[str, str]
    cwd: Path

    def __call__(self, *args: str, input: str | None = None, timeout: float = 180) -> CliResult:
        done = subprocess.run(
            [sys.executable, "-m", "tosmonitor", *args],
            env=self.env,
            cwd=self.cwd,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tosmonitor", *args],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def cli_env(database_url: str, home: Path, declarations: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOSMONITOR_")}
    env.update(
        TOSMONITOR_HOME=str(home),
        TOSMONITOR_DATABASE_URL=database_url,
        TOSMONITOR_DOWNLOAD_DELAY="0",
        TOSMONITOR_DOWNLOAD_TIMEOUT="5",
        TOSMONITOR_RETRY_TIMES="0",
    )
    if declarations is not None:
        env["TOSMONITOR_DECLARATIONS"] = str(declarations)
        empty_channels = home / "channels.toml"
        if not empty_channels.exists():
            empty_channels.write_text("# no channels in this test\n", encoding="utf-8")
        env["TOSMONITOR_CHANNELS"] = str(empty_channels)
    env.update(extra)
    return env


@pytest.fixture
def recorded() -> dict[str, RecordedDocument]:
    """Recorded real versions bundled in data/recorded, keyed by ``service/type``."""
    return {f"{d.service_id}/{d.doc_type}": d for d in recorded_documents()}


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    server = ReplayServer().start()
    yield server
    server.stop()
