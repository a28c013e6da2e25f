"""SQLAlchemy 2 models: services, documents, snapshots, versions, changes, checks, reviews, digests."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
#: zlib level of stored texts: 6 is within a few per cent of 9 at a third of the time
COMPRESSION_LEVEL = 6


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CompressedText(TypeDecorator[str]):
    """Text stored zlib-compressed: version texts are 50 KB of Markdown, about a quarter of that zlib'd."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else zlib.compress(value.encode("utf-8"), COMPRESSION_LEVEL)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else zlib.decompress(value).decode("utf-8")


class CompressedJSON(TypeDecorator[Any]):
    """A JSON value stored zlib-compressed (word diffs repeat the clause texts they compare)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        if value is None:
            return None
        return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), COMPRESSION_LEVEL)

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        return None if value is None else json.loads(zlib.decompress(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    declaration_file: Mapped[str] = mapped_column(String(500), default="")

    documents: Mapped[list[Document]] = relationship(back_populates="service", order_by="Document.type")
    channels: Mapped[list[Channel]] = relationship(back_populates="service")


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("service_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    type: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    declaration_hash: Mapped[str] = mapped_column(String(64))
    declared: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship(back_populates="documents")


class Channel(Base):
    """The town's own account on a service."""

    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    owner_email: Mapped[str] = mapped_column(String(200), default="")
    admins: Mapped[list[Any]] = mapped_column(default=list)
    #: who last edited the channel in the web UI, and when; such an edit outlives `init` until the
    #: service's entry in channels.toml changes (``file_entry``: its hash when last applied)
    edited_by: Mapped[str | None] = mapped_column(String(100), default=None)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    file_entry: Mapped[str | None] = mapped_column(String(64), default=None)

    service: Mapped[Service] = relationship(back_populates="channels")


class Snapshot(Base):
    """Raw bytes of one fetched page, stored once per content hash (zlib-compressed)."""

    __tablename__ = "snapshot"
    __table_args__ = (UniqueConstraint("document_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    fetched_at: Mapped[datetime]
    url: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Version(Base):
    """Extracted Markdown text of a document; exists only when the text changed."""

    __tablename__ = "version"
    __table_args__ = (UniqueConstraint("document_id", "text_hash"), UniqueConstraint("document_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    number: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(CompressedText)
    text_hash: Mapped[str] = mapped_column(String(64))
    snapshot_ids: Mapped[list[Any]] = mapped_column(default=list)
    declaration_hash: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(20), default="crawl")
    technical: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_date: Mapped[str | None] = mapped_column(String(10), default=None)
    updated_date: Mapped[str | None] = mapped_column(String(10), default=None)

    document: Mapped[Document] = relationship()


class Change(Base):
    """The step from one version to the next."""

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    from_version_id: Mapped[int | None] = mapped_column(ForeignKey("version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("version.id"), unique=True)
    created_at: Mapped[datetime]
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    modified: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    severity: Mapped[str] = mapped_column(String(10), default="low")
    technical: Mapped[bool] = mapped_column(Boolean, default=False)

    document: Mapped[Document] = relationship()
    from_version: Mapped[Version | None] = relationship(foreign_keys=[from_version_id])
    to_version: Mapped[Version] = relationship(foreign_keys=[to_version_id])
    clauses: Mapped[list[ChangeClause]] = relationship(
        back_populates="change", order_by="ChangeClause.position", cascade="all, delete-orphan"
    )


class ChangeClause(Base):
    __tablename__ = "change_clause"
    __table_args__ = (UniqueConstraint("change_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("change.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    old_text: Mapped[str | None] = mapped_column(Text)
    new_text: Mapped[str | None] = mapped_column(Text)
    old_index: Mapped[int | None] = mapped_column(Integer)
    new_index: Mapped[int | None] = mapped_column(Integer)
    heading: Mapped[str | None] = mapped_column(Text)
    diff: Mapped[list[Any]] = mapped_column(CompressedJSON, default=list)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    severity: Mapped[str] = mapped_column(String(10), default="low")
    matches: Mapped[dict[str, Any]] = mapped_column(default=dict)
    statements: Mapped[list[Any]] = mapped_column(default=list)

    change: Mapped[Change] = relationship(back_populates="clauses")


class Check(Base):
    """One attempt to fetch a document."""

    __tablename__ = "check"
    __table_args__ = (Index("ix_check_document_started", "document_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    failure_kind: Mapped[str | None] = mapped_column(String(30))
    http_status: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int | None] = mapped_column(ForeignKey("version.id"))
    text_hash: Mapped[str | None] = mapped_column(String(64))
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    #: what extraction read (see :mod:`tosmonitor.fingerprint`); equal on the next check = unchanged
    fingerprint: Mapped[str | None] = mapped_column(String(64))

    document: Mapped[Document] = relationship()


class Review(Base):
    """Legal's decision on a flagged changed clause."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_clause_id: Mapped[int] = mapped_column(ForeignKey("change_clause.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    reviewer: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"))

    clause: Mapped[ChangeClause] = relationship()


class Digest(Base):
    """One email: a digest for an audience and period, or a legal alert for one change."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("kind", "audience", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    audience: Mapped[str] = mapped_column(String(20))
    period_key: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    change_id: Mapped[int | None] = mapped_column(ForeignKey("change.id"))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    # Bumped at sign-out: every session cookie issued before stops working, even a copied one.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
