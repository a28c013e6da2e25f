"""A database filled from the bundled recorded real versions, for the web tests, the browser test and
``bench/web.py``: services are declared through a :class:`~tosmonitor.replay.ReplayServer`'s
declarations, versions are added with the recorder's own :func:`~tosmonitor.recording.add_version`
(which builds the real changes and clauses), and reviews are opened as the recorder does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from tosmonitor.replay import RecordedDocument, ReplayServer, recorded_documents


def recorded_time(path: Path) -> datetime:
    """``2023-01-19T06-54-54Z.md`` -> that moment in UTC."""
    return datetime.strptime(path.stem, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=UTC)


def choose(services: Iterable[str]) -> list[RecordedDocument]:
    wanted = set(services)
    return [d for d in recorded_documents() if d.service_id in wanted]


def declare(engine: Engine, documents: list[RecordedDocument], directory: Path) -> None:
    """Declare ``documents``' services in the database (as ``tosmonitor init`` does)."""
    from tosmonitor.crawling import load_checked_declarations
    from tosmonitor.store import repository, transaction

    with ReplayServer(documents=documents) as server:
        server.write_declarations(directory)
    with transaction(engine) as session:
        repository.sync_declarations(session, load_checked_declarations(directory).values())


def add_recorded_versions(engine: Engine, documents: list[RecordedDocument], limit: int | None = None,
                          texts: dict[str, list[str]] | None = None) -> None:
    """Add each document's recorded versions (the first ``limit``), one transaction per version.

    ``texts`` maps ``service/type`` to extra texts appended as later versions (e.g. a hostile one).
    """
    from tosmonitor.recording import add_version
    from tosmonitor.reviews import open_reviews_for_change
    from tosmonitor.store import repository, transaction

    for document in documents:
        paths = document.versions[:limit] if limit else document.versions
        items = [(p.read_text(encoding="utf-8"), recorded_time(p)) for p in paths]
        for extra in (texts or {}).get(f"{document.service_id}/{document.doc_type}", []):
            items.append((extra, datetime.now(UTC)))
        for text, fetched_at in items:
            with transaction(engine) as session:
                row = repository.find_document(session, document.service_id, document.doc_type)
                assert row is not None
                latest = repository.latest_version(session, row.id)
                if latest is not None and latest.text == text:
                    continue
                version = add_version(session, row, text, fetched_at, snapshot_ids=[], source="test")
                change = repository.change_into(session, version.id)
                if change is not None:
                    open_reviews_for_change(session, change)


def set_channel(engine: Engine, service_id: str, state: str, owner: str, admins: list[str]) -> None:
    from tosmonitor.store import repository, transaction
    from tosmonitor.store.models import Channel

    with transaction(engine) as session:
        channel = repository.channel_of(session, service_id)
        if channel is None:
            channel = Channel(service_id=service_id, state=state)
            session.add(channel)
        channel.state, channel.owner, channel.admins = state, owner, admins
