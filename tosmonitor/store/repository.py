"""Repository functions: the queries and writes the rest of tosmonitor needs, in one place."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tosmonitor.channels import ChannelEntry
from tosmonitor.declarations import ServiceDeclaration
from tosmonitor.store.models import Change, Channel, Check, Document, Service, Snapshot, Version


def sync_declarations(session: Session, services: Iterable[ServiceDeclaration]) -> list[Document]:
    """Upsert services and documents from the declarations; undeclared documents are kept, marked.

    Returns the documents this call stopped declaring (their history stays, out of sight).
    """
    declared_ids: set[int] = set()
    for declaration in services:
        service = session.get(Service, declaration.id)
        if service is None:
            service = Service(id=declaration.id, name=declaration.name)
            session.add(service)
        service.name = declaration.name
        service.declaration_file = declaration.file
        for doc_type, document_declaration in declaration.documents.items():
            document = find_document(session, declaration.id, doc_type)
            if document is None:
                document = Document(service_id=declaration.id, type=doc_type)
                session.add(document)
            document.url = document_declaration.url
            document.declaration_hash = document_declaration.declaration_hash
            document.declared = True
            session.flush()
            declared_ids.add(document.id)
    dropped = []
    for document in session.scalars(select(Document).order_by(Document.service_id, Document.type)):
        if document.id not in declared_ids:
            if document.declared:
                dropped.append(document)
            document.declared = False
    return dropped


@dataclass(frozen=True)
class ChannelSync:
    """What ``sync_channels`` did with web edits: kept (the file's entry unchanged) or replaced."""

    kept: list[str]  # services whose web edit stays
    replaced: list[tuple[str, str, datetime]]  # (service, who edited it in the web, when): the file won


def _entry_hash(entry: ChannelEntry) -> str:
    return hashlib.sha256(json.dumps(dataclasses.asdict(entry), sort_keys=True).encode()).hexdigest()


def sync_channels(session: Session, entries: Sequence[ChannelEntry]) -> ChannelSync:
    """Make the channel rows those of ``channels.toml``, except what an admin edited in the web UI since.

    The later edit wins: a channel edited in the web keeps that edit while its entry in the file stays
    as it was when last applied; once the entry changes, the file's version replaces the web edit
    (returned in ``replaced`` so ``init`` can say so). A web-edited channel the file does not name is kept.
    """
    rows = {channel.service_id: channel for channel in session.scalars(select(Channel).order_by(Channel.id))}
    kept, replaced = [], []
    for entry in entries:
        digest = _entry_hash(entry)
        channel = rows.pop(entry.service, None)
        if channel is not None and channel.edited_at is not None:
            if channel.file_entry == digest:
                kept.append(entry.service)
                continue
            replaced.append((entry.service, channel.edited_by or "", channel.edited_at))
        if channel is None:
            channel = Channel(service_id=entry.service)
            session.add(channel)
        channel.state, channel.account, channel.url = entry.state, entry.account, entry.url
        channel.owner, channel.owner_email, channel.admins = entry.owner, entry.owner_email, list(entry.admins)
        channel.edited_by = channel.edited_at = None
        channel.file_entry = digest
    for channel in rows.values():
        if channel.edited_at is None:
            session.delete(channel)
        else:
            kept.append(channel.service_id)
    session.flush()
    return ChannelSync(kept, replaced)


def find_document(session: Session, service_id: str, doc_type: str) -> Document | None:
    return session.scalar(select(Document).where(Document.service_id == service_id, Document.type == doc_type))


def list_services(session: Session) -> list[Service]:
    return list(session.scalars(select(Service).order_by(Service.id)))


def require_service(session: Session, service_id: str) -> Service:
    """The service, or a LookupError that lists the known ones (the commands print it as their error)."""
    service = session.get(Service, service_id)
    if service is None:
        known = ", ".join(s.id for s in list_services(session))
        raise LookupError(f"unknown service {service_id!r}; known: {known}")
    return service


def channel_of(session: Session, service_id: str) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.service_id == service_id).order_by(Channel.id))


def latest_version(session: Session, document_id: int) -> Version | None:
    return session.scalar(
        select(Version).where(Version.document_id == document_id).order_by(Version.number.desc()).limit(1)
    )


class VersionRef(Protocol):
    """What a check needs of a version: a full :class:`Version` or a row of these three columns."""

    id: int
    number: int
    text_hash: str


def latest_version_ref(session: Session, document_id: int) -> VersionRef | None:
    """The latest version's id, number and text hash, without loading (and decompressing) its text."""
    return session.execute(
        select(Version.id, Version.number, Version.text_hash)
        .where(Version.document_id == document_id)
        .order_by(Version.number.desc())
        .limit(1)
    ).first()


def version_by_hash(session: Session, document_id: int, text_hash: str) -> Version | None:
    return session.scalar(select(Version).where(Version.document_id == document_id, Version.text_hash == text_hash))


def version_by_number(session: Session, document_id: int, number: int) -> Version | None:
    return session.scalar(select(Version).where(Version.document_id == document_id, Version.number == number))


def versions_of(session: Session, document_id: int) -> list[Version]:
    return list(session.scalars(select(Version).where(Version.document_id == document_id).order_by(Version.number)))


def version_count(session: Session, document_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Version).where(Version.document_id == document_id)) or 0


def change_into(session: Session, version_id: int) -> Change | None:
    return session.scalar(select(Change).where(Change.to_version_id == version_id))


def last_check(session: Session, document_id: int) -> Check | None:
    return session.scalar(
        select(Check)
        .where(Check.document_id == document_id)
        .order_by(Check.started_at.desc(), Check.id.desc())
        .limit(1)
    )


def snapshot_by_hash(session: Session, document_id: int, content_hash: str) -> Snapshot | None:
    return session.scalar(
        select(Snapshot).where(Snapshot.document_id == document_id, Snapshot.content_hash == content_hash)
    )


def store_snapshot(
    session: Session, document_id: int, content: bytes, *, url: str, media_type: str, fetched_at: datetime
) -> int:
    """The id of the snapshot with these bytes, stored (zlib-compressed) if it is not there yet."""
    content_hash = hashlib.sha256(content).hexdigest()
    existing = snapshot_by_hash(session, document_id, content_hash)
    if existing is not None:
        return existing.id
    snapshot = Snapshot(
        document_id=document_id,
        fetched_at=fetched_at,
        url=url,
        content_hash=content_hash,
        media_type=media_type,
        size=len(content),
        content=zlib.compress(content, 6),
    )
    session.add(snapshot)
    session.flush()
    return snapshot.id


def failing_since(session: Session, document_id: int) -> datetime | None:
    """Start of the current run of failed checks of a document, or None when its last check succeeded."""
    checks = session.scalars(
        select(Check).where(Check.document_id == document_id).order_by(Check.started_at.desc(), Check.id.desc())
    )
    since = None
    for check in checks:
        if check.outcome != "failed":
            break
        since = check.started_at
    return since
