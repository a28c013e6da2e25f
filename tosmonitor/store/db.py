"""Engine and session handling; the only place that opens database connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
HEAD_TABLE = "alembic_version"
# The newest migration; a test checks it against Alembic's script directory. Knowing it here spares
# every command the import of Alembic and the parsing of all migration scripts.
HEAD_REVISION = "0004"


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


def database_error_reason(error: DBAPIError) -> str:
    """The driver's own one-line reason for a failed statement (no SQL, no parameters)."""
    text = str(error.orig).strip() if error.orig is not None else ""
    return text.splitlines()[0] if text else type(error).__name__


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, NoSuchModuleError) as error:
        raise StoreError(f"bad database URL {url!r}: {error}") from None
    except ImportError as error:  # the dialect is known, its driver is not installed
        raise StoreError(f"bad database URL {url!r}: driver not installed ({error})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> str:
    """Create or upgrade the schema to the newest migration; return the revision."""
    from alembic.script import ScriptDirectory

    migrate(engine, "head")
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Run the migrations up (or ``down``) to ``revision`` in one transaction.

    SQLite cannot alter a column in place: Alembic copies the table, which foreign keys pointing at it
    forbid while they are enforced. They are switched off for the migration (a PRAGMA that only takes
    effect outside a transaction) and checked with ``PRAGMA foreign_key_check`` before committing.
    """
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    (command.downgrade if down else command.upgrade)(config, revision)
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(f"migration to {revision} would break foreign keys: {broken[:5]}")
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    except OperationalError as error:
        raise StoreError(f"cannot open database {engine.url!r}: {error.orig}") from None


def ensure_current(engine: Engine) -> None:
    """Fail with a clear message when the schema is missing or older than this code."""
    database = engine.url.database
    sqlite_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
    if sqlite_file and "uri" not in engine.url.query and not Path(database).exists():  # don't create it
        raise StoreError(f"database {engine.url!r} is not initialised: run `tosmonitor init`")
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(HEAD_TABLE):
                raise StoreError(f"database {engine.url!r} is not initialised: run `tosmonitor init`")
            current = connection.execute(text(f"SELECT version_num FROM {HEAD_TABLE}")).scalar()
    except OperationalError as error:
        raise StoreError(f"cannot open database {engine.url!r}: {error.orig}") from None
    if current != HEAD_REVISION:
        raise StoreError(
            f"database schema is at {current}, code expects {HEAD_REVISION}: run `tosmonitor init` to upgrade"
        )


def head_revision() -> str:
    """The newest revision according to Alembic's script directory (used to check HEAD_REVISION)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session
