"""What an alert, a digest or a feed entry says, gathered from the store into plain view objects.

The templates only format these; every string from the terms or the rules stays raw here and is
escaped by the HTML templates (autoescape) or printed as is in the text parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tosmonitor.notify import i18n
from tosmonitor.plaintext import plain_markdown
from tosmonitor.store import repository
from tosmonitor.store.models import Change, ChangeClause, Channel, Document, Service
from tosmonitor.topics import SEVERITY_ORDER

MAX_DIGEST_CLAUSES = 3


@dataclass
class ClauseView:
    kind: str
    kind_label: str
    heading: str | None
    severity: str
    severity_label: str
    topics: list[str]
    diff: list[tuple[int, str]]
    statements: list[str]
    why: list[tuple[str, list[str]]]  # (topic label, phrases that matched)


@dataclass
class ChangeView:
    id: int
    service_id: str
    service_name: str
    doc_type: str
    doc_name: str
    doc_url: str
    from_number: int | None
    to_number: int
    from_date: str
    to_date: str
    created_at: datetime
    severity: str
    severity_label: str
    topics: list[str]
    high_topics: list[str]
    counts: dict[str, int]
    statements: list[str]
    url: str
    clauses: list[ClauseView] = field(default_factory=list)
    other_clauses: int = 0
    channel: Channel | None = None
    lang: str = "fi"

    @property
    def headline(self) -> str:
        """'Facebook: Käyttöehdot muuttuivat — lisenssi sisältöön' (the subject without the prefix)."""
        return headline(self)


@dataclass
class FailingView:
    service_id: str
    service_name: str
    doc_name: str
    since: datetime
    duration: str
    kind: str
    message: str


@dataclass
class ServiceSection:
    service_id: str
    name: str
    high: list[ChangeView] = field(default_factory=list)
    other: list[ChangeView] = field(default_factory=list)
    failing: list[FailingView] = field(default_factory=list)


@dataclass
class DigestView:
    start: datetime
    end: datetime
    sections: list[ServiceSection]

    @property
    def changes(self) -> list[ChangeView]:
        return [c for s in self.sections for c in (*s.high, *s.other)]

    @property
    def failing(self) -> list[FailingView]:
        return [f for s in self.sections for f in s.failing]


def headline(change: ChangeView, max_topics: int = 3) -> str:
    lang = change.lang
    text = f"{change.service_name}: {i18n.document_changed(change.doc_type, lang)}"
    topics = change.high_topics or change.topics
    if topics:
        labels = [i18n.topic_label(t, lang) for t in topics[:max_topics]]
        more = f" +{len(topics) - max_topics}" if len(topics) > max_topics else ""
        text += " — " + ", ".join(labels) + more
    return text


def _statement_texts(statements: list[dict], lang: str) -> list[str]:
    texts: list[str] = []
    for statement in statements:
        text = statement.get(f"text_{lang}") or statement.get("text_en") or ""
        if text and text not in texts:
            texts.append(text)
    return texts


def clause_view(clause: ChangeClause, lang: str) -> ClauseView:
    why = []
    for topic in clause.topics:
        phrases = []
        for span in (clause.matches or {}).get(topic, []):
            phrase = str(span[2]) if len(span) > 2 else ""
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        why.append((i18n.topic_label(topic, lang), phrases[:3]))
    return ClauseView(
        kind=clause.kind,
        kind_label=i18n.t(lang, f"kind_{clause.kind}") if clause.kind in ("added", "removed", "modified", "moved")
        else clause.kind,
        heading=plain_markdown(clause.heading) or None,
        severity=clause.severity,
        severity_label=i18n.t(lang, f"severity_{clause.severity}"),
        topics=[i18n.topic_label(t, lang) for t in clause.topics],
        diff=[(int(op), str(text)) for op, text in clause.diff],
        statements=_statement_texts(clause.statements or [], lang),
        why=why,
    )


def change_view(session: Session, change: Change, lang: str, base_url: str, *, clauses: str = "flagged") -> ChangeView:
    """A change as the emails show it; ``clauses``: 'flagged' (high and medium), 'high' or 'none'."""
    document = change.document
    service = session.get(Service, document.service_id)
    ranked = [c for c in change.clauses if c.kind != "moved"]
    if clauses == "high":
        shown = [c for c in ranked if c.severity == "high"]
    elif clauses == "flagged":
        shown = [c for c in ranked if c.severity in ("high", "medium")]
    else:
        shown = []
    shown.sort(key=lambda c: -SEVERITY_ORDER.index(c.severity))  # high first, then text order (stable)
    high_topics = [t for t in change.topics if any(t in c.topics and c.severity == "high" for c in ranked)]
    statements = _statement_texts([s for c in ranked for s in (c.statements or [])], lang)
    view = ChangeView(
        id=change.id,
        service_id=document.service_id,
        service_name=service.name if service else document.service_id,
        doc_type=document.type,
        doc_name=i18n.document_name(document.type, lang),
        doc_url=document.url,
        from_number=change.from_version.number if change.from_version else None,
        to_number=change.to_version.number,
        from_date=i18n.local_date(change.from_version.fetched_at) if change.from_version else "",
        to_date=i18n.local_date(change.to_version.fetched_at),
        created_at=change.created_at,
        severity=change.severity,
        severity_label=i18n.t(lang, f"severity_{change.severity}"),
        topics=list(change.topics),
        high_topics=high_topics,
        counts={"added": change.added, "removed": change.removed, "modified": change.modified, "moved": change.moved},
        statements=statements,
        url=f"{base_url}/changes/{change.id}",
        clauses=[clause_view(c, lang) for c in shown],
        other_clauses=len(ranked) - len(shown),
        channel=repository.channel_of(session, document.service_id),
        lang=lang,
    )
    return view


def is_alertable(change: Change) -> bool:
    """A legal alert is due for a non-technical change, found by a crawl, with a high-severity clause."""
    return (
        not change.technical
        and change.from_version_id is not None
        and change.to_version.source == "crawl"
        and any(c.severity == "high" and c.kind != "moved" for c in change.clauses)
    )


def changes_between(session: Session, start: datetime, end: datetime) -> list[Change]:
    """Non-technical changes recorded in [start, end), oldest first."""
    return list(
        session.scalars(
            select(Change)
            .where(Change.created_at >= start, Change.created_at < end, Change.technical.is_(False))
            .order_by(Change.created_at, Change.id)
        )
    )


def failing_documents(session: Session, lang: str, now: datetime) -> list[FailingView]:
    """Declared documents whose latest checks failed, with how long they have been failing."""
    failing = []
    for document in session.scalars(select(Document).where(Document.declared.is_(True)).order_by(Document.id)):
        since = repository.failing_since(session, document.id)
        if since is None:
            continue
        check = repository.last_check(session, document.id)
        message = (check.message or "") if check else ""
        failing.append(
            FailingView(
                service_id=document.service_id,
                service_name=document.service.name,
                doc_name=i18n.document_name(document.type, lang),
                since=since,
                duration=i18n.duration(max(0.0, (now - since).total_seconds()), lang),
                kind=(check.failure_kind or "?") if check else "?",
                message=message if len(message) <= 200 else message[:199] + "…",
            )
        )
    return failing


def digest_view(session: Session, start: datetime, end: datetime, lang: str, base_url: str) -> DigestView:
    """Per service (by name): high-severity changes first, then the rest, then failing documents."""
    sections: dict[str, ServiceSection] = {}

    def section(service_id: str, name: str) -> ServiceSection:
        return sections.setdefault(service_id, ServiceSection(service_id, name))

    for change in changes_between(session, start, end):
        high = change.severity == "high"
        view = change_view(session, change, lang, base_url, clauses="high" if high else "none")
        if len(view.clauses) > MAX_DIGEST_CLAUSES:
            view.other_clauses += len(view.clauses) - MAX_DIGEST_CLAUSES
            view.clauses = view.clauses[:MAX_DIGEST_CLAUSES]
        target = section(view.service_id, view.service_name)
        (target.high if high else target.other).append(view)
    for failing in failing_documents(session, lang, end):
        section(failing.service_id, failing.service_name).failing.append(failing)
    for item in sections.values():
        item.other.sort(key=lambda c: (-SEVERITY_ORDER.index(c.severity), c.created_at, c.id))
    return DigestView(start, end, sorted(sections.values(), key=lambda s: (s.name.lower(), s.service_id)))
