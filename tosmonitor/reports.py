"""Read-side reports shared by the CLI, the web UI and the JSON API (their JSON shapes are a contract)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tosmonitor.dates import not_yet_in_force
from tosmonitor.declarations import ServiceDeclaration
from tosmonitor.diffing import ClauseChange, render_html, render_json, render_text
from tosmonitor.statements import unique_statements
from tosmonitor.store import repository
from tosmonitor.store.db import session_factory
from tosmonitor.store.models import Change, Check, Document, Version

DEFAULT_TYPE = "Terms of Service"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def check_json(check: Check | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "at": iso(check.started_at),
        "outcome": check.outcome,
        "failure_kind": check.failure_kind,
        "message": check.message,
        "flapping": check.flapping,
    }


def channels_report(engine: Engine) -> list[dict[str, Any]]:
    """``tosmonitor channels --json``: every declared service with its documents and last check."""
    with session_factory(engine)() as session:
        report = []
        for service in repository.list_services(session):
            channel = repository.channel_of(session, service.id)
            report.append(
                {
                    "service": service.id,
                    "name": service.name,
                    "channel_state": channel.state if channel else None,
                    "documents": [
                        {
                            "type": document.type,
                            "url": document.url,
                            "versions": repository.version_count(session, document.id),
                            "last_check": check_json(repository.last_check(session, document.id)),
                        }
                        for document in service.documents
                        if document.declared
                    ],
                }
            )
        return report


def resolve_document(session: Session, service_id: str, doc_type: str | None) -> Document:
    """The document of ``service_id`` of ``doc_type`` (default Terms of Service), or a clear LookupError."""
    service = repository.require_service(session, service_id)
    types = [d.type for d in service.documents]
    wanted = doc_type or (DEFAULT_TYPE if DEFAULT_TYPE in types else None)
    document = repository.find_document(session, service_id, wanted) if wanted else None
    if document is None:
        raise LookupError(
            f"{service_id} has no document {wanted or '(type needed)'!r}; its documents: {', '.join(types)}"
        )
    return document


def change_json(change: Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "added": change.added,
        "removed": change.removed,
        "modified": change.modified,
        "moved": change.moved,
        "topics": list(change.topics),
        "severity": change.severity,
        "technical": change.technical,
        "statements": unique_statements(s for clause in change.clauses for s in clause.statements),
    }


def history_report(session: Session, document: Document) -> list[dict[str, Any]]:
    """``tosmonitor history --json``: versions oldest first with their change summary."""
    changes = {c.to_version_id: c for c in session.scalars(select(Change).where(Change.document_id == document.id))}
    return [
        {
            "version": version.number,
            "fetched_at": iso(version.fetched_at),
            "sha256": version.text_hash,
            "chars": len(version.text),
            "effective_date": version.effective_date,
            "updated_date": version.updated_date,
            "not_yet_in_force": not_yet_in_force(version.effective_date),
            "change": change_json(changes.get(version.id)),
        }
        for version in repository.versions_of(session, document.id)
    ]


@dataclass
class DiffReport:
    service: str
    type: str
    old: Version
    new: Version
    clauses: list[ClauseChange] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "type": self.type,
            "from": {"version": self.old.number, "fetched_at": iso(self.old.fetched_at)},
            "to": {"version": self.new.number, "fetched_at": iso(self.new.fetched_at)},
            "clauses": render_json(self.clauses),
        }

    def to_html(self) -> str:
        return render_html(self.clauses)

    def to_text(self, *, color: bool = False, lang: str = "en") -> str:
        header = (
            f"{self.service} / {self.type}: version {self.old.number} ({iso(self.old.fetched_at)}) → "
            f"version {self.new.number} ({iso(self.new.fetched_at)})"
        )
        return header + "\n\n" + (render_text(self.clauses, color=color, langs=(lang,)) or "(no differences)")


def diff_report(session: Session, document: Document, from_number: int | None, to_number: int | None) -> DiffReport:
    """The diff between two versions (default: the latest and the one before it)."""
    from tosmonitor.changes import build_clause_changes

    latest = repository.latest_version(session, document.id)
    if latest is None:
        raise LookupError(f"{document.service_id} / {document.type} has no version yet: run `tosmonitor crawl`")
    name, last = f"{document.service_id} / {document.type}", latest.number
    for option, number in (("--from", from_number), ("--to", to_number)):
        if number is not None and not 1 <= number <= last:
            raise LookupError(f"{name} has versions 1..{last}; cannot diff {option} {number}: no such version")
    new_number = last if to_number is None else to_number  # as --help says: --to defaults to the latest
    old_number = new_number - 1 if from_number is None else from_number
    if old_number >= new_number:
        raise LookupError(f"{name} has versions 1..{last}; cannot diff {old_number} → {new_number}: "
                          "--from must be older than --to")
    new = repository.version_by_number(session, document.id, new_number)
    old = repository.version_by_number(session, document.id, old_number)
    if new is None or old is None:  # numbers are dense, so only a concurrent change gets here
        raise LookupError(f"{name} has no version {old_number if old is None else new_number}")
    return DiffReport(document.service_id, document.type, old, new, build_clause_changes(old.text, new.text))


@dataclass
class CrawlSummary:
    counts: dict[str, int]
    failures: list[str]
    new_versions: list[str]
    missing: list[str]

    def lines(self, *, verbose: bool) -> list[str]:
        lines: list[str] = []
        if verbose or self.failures or self.new_versions:
            parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.counts.items()))
            lines.append(f"Checked {sum(self.counts.values())} documents: {parts or 'none'}.")
        lines += [f"  new version: {entry}" for entry in self.new_versions]
        lines += [f"  failed: {entry}" for entry in self.failures]
        return lines


def crawl_summary(engine: Engine, services: Sequence[ServiceDeclaration], since: datetime) -> CrawlSummary:
    """What the checks recorded since ``since`` say about the crawled services."""
    counts: dict[str, int] = {}
    failures, new_versions, missing = [], [], []
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Document.service_id, Document.type, Check, Version.number)
            .join(Check, Check.document_id == Document.id)
            .outerjoin(Version, Version.id == Check.version_id)
            .where(Check.started_at >= since)
            .order_by(Check.started_at, Check.id)
        ).all()
    last_checks = {(row.service_id, row.type): (row.Check, row.number) for row in rows}  # the last one wins
    for service in services:
        for doc_type in sorted(service.documents):
            name = f"{service.id} / {doc_type}"
            if (service.id, doc_type) not in last_checks:
                missing.append(name)
                continue
            check, number = last_checks[(service.id, doc_type)]
            counts[check.outcome] = counts.get(check.outcome, 0) + 1
            if check.outcome == "failed":
                failures.append(f"{name}: {check.failure_kind}: {check.message}")
            elif check.outcome == "new_version":
                new_versions.append(f"{name}: version {number if number is not None else '?'}")
    return CrawlSummary(counts, failures, new_versions, missing)
