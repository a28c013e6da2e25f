"""Legal's review of flagged clauses: which clauses get a review, carrying decisions forward, deciding.

A changed clause of severity ``high`` or ``medium`` (it touches a topic) gets a review, ``open`` until
legal decides it ``accepted``, ``needs_action`` or ``escalated`` with a note. Low-severity wording
changes get none. A decided clause whose text has not changed stays decided in later versions: when
a later change of the same document brings the same text again for the same topic (a moved clause, a
clause removed and restored), its review is created with the earlier decision, ``carried_from_id``
pointing at it; a decision also settles the open reviews of the same text that came later.

The recorder calls :func:`open_reviews_for_change` for every new change; :func:`ensure_reviews` does
the same lazily (idempotent) for changes recorded before reviews existed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tosmonitor.store.models import Change, ChangeClause, Document, Review, Version

FLAGGED_SEVERITIES = ("high", "medium")
DECISIONS = ("accepted", "needs_action", "escalated")
STATUSES = ("open", *DECISIONS)
#: the longest note a decision keeps (the web forms' maxlength)
NOTE_LIMIT = 4000


class ReviewError(LookupError):
    """An unknown review, or a decision that is not one of :data:`DECISIONS`."""


def _now() -> datetime:
    return datetime.now(UTC)


def clause_text(clause: ChangeClause) -> str:
    """The text a review is about: the new text, or the old text of a removed clause."""
    return (clause.old_text if clause.kind == "removed" else clause.new_text) or ""


def _same_clause(a: ChangeClause, b: ChangeClause) -> bool:
    return (
        (a.kind == "removed") == (b.kind == "removed")
        and clause_text(a) == clause_text(b)
        and bool(set(a.topics) & set(b.topics))
    )


def _earlier_decision(session: Session, clause: ChangeClause, document_id: int, before: int) -> Review | None:
    """The newest decided review of the same document, same text and topic, in a change before ``before``."""
    text_column = ChangeClause.old_text if clause.kind == "removed" else ChangeClause.new_text
    candidates = session.execute(
        select(Review, ChangeClause)
        .join(ChangeClause, Review.change_clause_id == ChangeClause.id)
        .join(Change, ChangeClause.change_id == Change.id)
        .join(Version, Change.to_version_id == Version.id)
        .where(
            Change.document_id == document_id,
            Version.number < before,
            Review.status != "open",
            text_column == clause_text(clause),
        )
        .order_by(Version.number.desc(), Review.id.desc())
    ).all()
    for review, earlier in candidates:
        if _same_clause(earlier, clause):
            return review
    return None


def open_reviews_for_change(session: Session, change: Change) -> list[Review]:
    """Create the reviews of ``change``'s flagged clauses that have none yet; return the new ones.

    Idempotent. Technical changes (re-extractions) are reviewed like any other: their text changed.
    """
    clauses = [c for c in change.clauses if c.severity in FLAGGED_SEVERITIES]
    if not clauses:
        return []
    existing = set(
        session.scalars(select(Review.change_clause_id).where(Review.change_clause_id.in_([c.id for c in clauses])))
    )
    number = change.to_version.number
    created = []
    for clause in clauses:
        if clause.id in existing:
            continue
        review = Review(change_clause_id=clause.id, status="open", created_at=change.created_at or _now())
        earlier = _earlier_decision(session, clause, change.document_id, number)
        if earlier is not None:
            review.status = earlier.status
            review.reviewer = earlier.reviewer
            review.note = earlier.note
            review.decided_at = earlier.decided_at
            review.carried_from_id = earlier.id
        session.add(review)
        created.append(review)
    if created:
        session.flush()
    return created


def ensure_reviews(session: Session, document_ids: list[int] | None = None) -> int:
    """Create missing reviews for every change (of ``document_ids``), oldest first; return how many."""
    query = (
        select(Change)
        .join(Version, Change.to_version_id == Version.id)
        .where(
            Change.id.in_(
                select(ChangeClause.change_id)
                .outerjoin(Review, Review.change_clause_id == ChangeClause.id)
                .where(ChangeClause.severity.in_(FLAGGED_SEVERITIES), Review.id.is_(None))
            )
        )
        .order_by(Change.document_id, Version.number)
        .options(selectinload(Change.clauses), selectinload(Change.to_version))
    )
    if document_ids is not None:
        query = query.where(Change.document_id.in_(document_ids))
    return sum(len(open_reviews_for_change(session, change)) for change in session.scalars(query))


def decide(session: Session, review_id: int, status: str, reviewer: str, note: str = "") -> Review:
    """Record legal's decision; later open reviews of the same clause text follow it. Caller commits."""
    if status not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, got {status!r}")
    review = session.get(Review, review_id)
    if review is None:
        raise ReviewError(f"no review {review_id}")
    review.status = status
    review.reviewer = reviewer
    review.note = note
    review.decided_at = _now()
    review.carried_from_id = None
    clause = review.clause
    change = clause.change
    later = session.execute(
        select(Review, ChangeClause)
        .join(ChangeClause, Review.change_clause_id == ChangeClause.id)
        .join(Change, ChangeClause.change_id == Change.id)
        .join(Version, Change.to_version_id == Version.id)
        .where(
            Change.document_id == change.document_id,
            Version.number > change.to_version.number,
            Review.status == "open",
        )
    ).all()
    for other, other_clause in later:
        if _same_clause(other_clause, clause):
            other.status, other.reviewer, other.note = status, reviewer, note
            other.decided_at, other.carried_from_id = review.decided_at, review.id
    session.flush()
    return review


def decide_change(session: Session, change_id: int, status: str, reviewer: str, note: str = "") -> list[Review]:
    """One decision for every open review of a change (legal read the change as a whole); reviews already
    decided keep their decision. Each goes through :func:`decide`, so later open reviews of the same
    clause text follow it too. Returns the reviews decided, in clause order. Caller commits."""
    if status not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, got {status!r}")
    change = session.get(Change, change_id)
    if change is None:
        raise ReviewError(f"no change {change_id}")
    open_reviews_for_change(session, change)  # a change recorded before reviews existed has none yet
    reviews = list(
        session.scalars(
            select(Review)
            .join(ChangeClause, Review.change_clause_id == ChangeClause.id)
            .where(ChangeClause.change_id == change_id, Review.status == "open")
            .order_by(ChangeClause.position)
        )
    )
    for review in reviews:
        decide(session, review.id, status, reviewer, note)
    return reviews


def review_json(review: Review, *, with_clause: bool = True) -> dict[str, Any]:
    """JSON-ready dict of a review (the API's and ``review show --json``'s shape)."""
    clause = review.clause
    change = clause.change
    document = change.document
    data: dict[str, Any] = {
        "id": review.id,
        "status": review.status,
        "reviewer": review.reviewer,
        "note": review.note,
        "created_at": review.created_at.isoformat() if review.created_at else None,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "carried_from": review.carried_from_id,
        "change": change.id,
        "service": document.service_id,
        "type": document.type,
        "version": change.to_version.number,
        "kind": clause.kind,
        "severity": clause.severity,
        "topics": list(clause.topics),
    }
    if with_clause:
        data.update(
            old=clause.old_text,
            new=clause.new_text,
            heading=clause.heading,
            diff=clause.diff,
            matches=clause.matches,
            statements=clause.statements,
        )
    return data


def _queue_query(status: str | None, service_id: str | None):  # type: ignore[no-untyped-def]
    query = select(Review).join(ChangeClause, Review.change_clause_id == ChangeClause.id).join(
        Change, ChangeClause.change_id == Change.id
    )
    if status is not None:
        query = query.where(Review.status == status)
    if service_id is not None:
        query = query.join(Document, Change.document_id == Document.id).where(Document.service_id == service_id)
    return query


def review_count(session: Session, status: str | None = "open", service_id: str | None = None) -> int:
    from sqlalchemy import func

    subquery = _queue_query(status, service_id).with_only_columns(Review.id).subquery()
    return session.scalar(select(func.count()).select_from(subquery)) or 0


def review_queue(
    session: Session, status: str | None = "open", service_id: str | None = None, limit: int | None = None,
    offset: int = 0,
) -> list[Review]:
    """Reviews (open by default), high severity first, newest change first within a severity."""
    from sqlalchemy import case

    ensure_reviews(session)
    rank = case({"high": 0, "medium": 1}, value=ChangeClause.severity, else_=2)
    query = (
        _queue_query(status, service_id)
        .order_by(rank, Change.created_at.desc(), Change.id.desc(), ChangeClause.position)
        .options(
            selectinload(Review.clause)
            .selectinload(ChangeClause.change)
            .options(selectinload(Change.document).selectinload(Document.service),
                     selectinload(Change.to_version).load_only(Version.id, Version.number, Version.fetched_at))
        )
        .offset(offset)
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))
