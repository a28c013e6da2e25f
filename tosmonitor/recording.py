"""Record one fetch: snapshot -> version -> change, and the check, in one transaction.

This is what the Scrapy pipeline calls for every item; it needs no crawl to be tested.
A failure of any kind becomes a failed check and never a version or a "terms removed" change.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tosmonitor.changes import build_clause_changes, summarise
from tosmonitor.dates import extract_dates
from tosmonitor.declarations import ServiceDeclaration
from tosmonitor.extract import ExtractError, extract_document
from tosmonitor.fetching import FetchError, FetchResult, failure_from_http_status, utcnow
from tosmonitor.fingerprint import document_fingerprint
from tosmonitor.interstitials import detect as detect_interstitial
from tosmonitor.langdetect import detect as detect_language
from tosmonitor.reviews import open_reviews_for_change
from tosmonitor.store import repository
from tosmonitor.store.models import Change, ChangeClause, Check, Document, Snapshot, Version
from tosmonitor.store.repository import VersionRef

logger = logging.getLogger(__name__)

SHRINK_LIMIT = 0.5
LANGUAGE_SAMPLE = 5000


@dataclass(frozen=True)
class Outcome:
    """What one recorded fetch amounted to."""

    service_id: str
    doc_type: str
    outcome: str
    failure_kind: str | None = None
    message: str | None = None
    version: int | None = None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_fetch(session: Session, declaration: ServiceDeclaration, result: FetchResult) -> Outcome:
    """Store what one fetch produced; the caller commits (one transaction per document)."""
    document = repository.find_document(session, result.service_id, result.doc_type)
    if document is None:
        raise LookupError(
            f"document {result.service_id}/{result.doc_type} is not in the database: run `tosmonitor init`"
        )
    fingerprint = _fingerprint(declaration, result)
    if fingerprint is not None:
        unchanged = _unchanged_by_fingerprint(session, document, fingerprint)
        if unchanged is not None:
            return _add_check(
                session,
                document,
                result,
                "unchanged",
                url=result.pages[0].url,
                version=unchanged,
                fingerprint=fingerprint,
            )
    try:
        text = _extract(declaration, result)
    except FetchError as failure:
        return _record_failure(session, document, result, failure)
    technical = _upgrade_extraction(session, declaration, document, result)
    return record_text(session, document, result, text, fingerprint=fingerprint, technical=technical)


def _upgrade_extraction(
    session: Session, declaration: ServiceDeclaration, document: Document, result: FetchResult
) -> bool | None:
    """After a declaration change, re-extract the latest version's own pages with the new declaration.

    What the new declaration alone changes becomes a technical version (shown, never alerted), so the
    fetched text is then compared with like and a real change made at the same time is not hidden
    (Open Terms Archive's "technical upgrade"). When the latest version's pages cannot be re-extracted
    (a version imported without snapshots, a new declaration that does not fit the old pages), the step
    cannot be split and is recorded as a real change: one needless alert after a declaration edit is
    better than a real change of the terms that alerts nobody. Returns ``False`` after a declaration
    change (the next change is real), ``None`` when the declaration did not change.
    """
    latest = repository.latest_version(session, document.id)
    if latest is None or latest.declaration_hash in ("", document.declaration_hash):
        return None
    sources = declaration.document_at(result.doc_type, result.started_at).sources
    snapshots = [session.get(Snapshot, snapshot_id) for snapshot_id in latest.snapshot_ids]
    if not snapshots or len(snapshots) != len(sources) or any(s is None for s in snapshots):
        logger.warning("%s / %s: the declaration changed and version %s has no stored pages to re-extract: "
                       "the next change is recorded as a real one", document.service_id, document.type,
                       latest.number)
        return False
    pages = [
        (load_snapshot_bytes(snapshot), snapshot.media_type, snapshot.url, source)
        for snapshot, source in zip(snapshots, sources, strict=True)
    ]
    try:
        text = extract_document(pages)
    except ExtractError as error:
        logger.warning("%s / %s: the new declaration does not fit version %s's pages (%s): the next change "
                       "is recorded as a real one", document.service_id, document.type, latest.number, error)
        return False
    if sha256(text.encode()) != latest.text_hash:
        add_version(session, document, text, result.started_at, snapshot_ids=list(latest.snapshot_ids),
                    source="technical", technical=True)
    return False


def _store_snapshots(session: Session, document: Document, result: FetchResult) -> list[int]:
    return [
        repository.store_snapshot(
            session, document.id, page.body, url=page.url, media_type=page.media_type, fetched_at=page.fetched_at
        )
        for page in result.pages
    ]


def _fingerprint(declaration: ServiceDeclaration, result: FetchResult) -> str | None:
    """The pages' extraction fingerprint; ``None`` for failed fetches and pages only extraction can judge."""
    if result.failure is not None or not result.pages or any(page.status >= 400 for page in result.pages):
        return None
    sources = declaration.document_at(result.doc_type, result.started_at).sources
    if len(sources) < len(result.pages):
        return None
    return document_fingerprint(
        [(page.body, page.media_type, page.url, source) for page, source in zip(result.pages, sources, strict=False)]
    )


def _unchanged_by_fingerprint(session: Session, document: Document, fingerprint: str) -> VersionRef | None:
    """The latest version when the previous check read exactly this page content into it.

    The previous check must have ended on the latest version (``unchanged`` or ``new_version``, not a
    flapping return to an older one) with the same fingerprint, which covers the page content that
    extraction reads, the source declaration and the extraction code.
    """
    previous = repository.last_check(session, document.id)
    if previous is None or previous.fingerprint != fingerprint or previous.flapping:
        return None
    if previous.outcome not in ("unchanged", "new_version") or previous.version_id is None:
        return None
    latest = repository.latest_version_ref(session, document.id)
    if latest is None or latest.id != previous.version_id:
        return None
    return latest


def record_text(
    session: Session,
    document: Document,
    result: FetchResult,
    text: str,
    *,
    fingerprint: str | None = None,
    technical: bool | None = None,
) -> Outcome:
    """Compare extracted text with the latest version and record a new version, or not.

    The fetched pages are stored as snapshots with a new version only: they are its evidence, and the
    raw bytes of an unchanged page differ from the last snapshot by nothing but page noise.
    """
    text_hash = sha256(text.encode())
    latest = repository.latest_version(session, document.id)
    url = result.pages[0].url if result.pages else document.url
    if latest is not None and latest.text_hash == text_hash:
        return _add_check(session, document, result, "unchanged", url=url, version=latest, fingerprint=fingerprint)
    earlier = repository.version_by_hash(session, document.id, text_hash)
    if earlier is not None:
        message = f"the page shows version {earlier.number} again, not version {latest.number if latest else '?'}"
        return _add_check(
            session,
            document,
            result,
            "unchanged",
            url=url,
            version=earlier,
            message=message,
            flapping=True,
            fingerprint=fingerprint,
        )
    if latest is not None:
        old_language = detect_language(latest.text[:LANGUAGE_SAMPLE])
        new_language = detect_language(text[:LANGUAGE_SAMPLE])
        if (
            old_language != new_language
            and "und" not in (old_language, new_language)
            and not _confirmed(session, document, "language_changed", text_hash)
        ):
            failure = FetchError(
                "language_changed",
                f"the page is now in {new_language!r}, version {latest.number} was in {old_language!r}: "
                "not recorded unless the next check finds the same text",
                url=url,
            )
            return _record_failure(session, document, result, failure, text_hash=text_hash)
    if (
        latest is not None
        and len(text) < SHRINK_LIMIT * len(latest.text)
        and not _confirmed(session, document, "too_short", text_hash)
    ):
        failure = FetchError(
            "too_short",
            f"extracted text is {len(text)} characters, under half of version {latest.number} "
            f"({len(latest.text)}): not recorded unless the next check finds the same text",
            url=url,
        )
        return _record_failure(session, document, result, failure, text_hash=text_hash)
    version = add_version(
        session,
        document,
        text,
        result.pages[-1].fetched_at if result.pages else result.started_at,
        snapshot_ids=_store_snapshots(session, document, result),
        source="crawl",
        technical=technical,
    )
    return _add_check(session, document, result, "new_version", url=url, version=version, fingerprint=fingerprint)


def add_version(
    session: Session,
    document: Document,
    text: str,
    fetched_at,  # type: ignore[no-untyped-def]
    *,
    snapshot_ids: list[int],
    source: str,
    technical: bool | None = None,
) -> Version:
    """Append a version and, when there is a previous one, the change into it."""
    latest = repository.latest_version(session, document.id)
    if technical is None:
        technical = latest is not None and latest.declaration_hash not in ("", document.declaration_hash)
    effective, updated = extract_dates(text)
    version = Version(
        document_id=document.id,
        number=(latest.number + 1) if latest else 1,
        fetched_at=fetched_at,
        text=text,
        text_hash=sha256(text.encode()),
        snapshot_ids=snapshot_ids,
        source=source,
        technical=technical,
        declaration_hash=document.declaration_hash,
        effective_date=effective.isoformat() if effective else None,
        updated_date=updated.isoformat() if updated else None,
    )
    session.add(version)
    session.flush()
    if latest is not None:
        _add_change(session, document, latest, version, technical=technical)
    return version


def _add_change(session: Session, document: Document, old: Version, new: Version, *, technical: bool) -> Change:
    clause_changes = build_clause_changes(old.text, new.text)
    summary = summarise(clause_changes)
    change = Change(
        document_id=document.id,
        from_version_id=old.id,
        to_version_id=new.id,
        created_at=new.fetched_at,
        technical=technical,
        **summary,
    )
    change.clauses = [
        ChangeClause(
            position=position,
            kind=clause.kind,
            old_text=clause.old,
            new_text=clause.new,
            old_index=clause.old_index,
            new_index=clause.new_index,
            heading=clause.heading,
            diff=[list(op) for op in clause.diff],
            topics=list(clause.topics),
            severity=clause.severity,
            matches={topic: [list(m) for m in spans] for topic, spans in clause.matches.items()},
            statements=list(clause.statements),
        )
        for position, clause in enumerate(clause_changes)
    ]
    session.add(change)
    session.flush()
    open_reviews_for_change(session, change)
    return change


def _confirmed(session: Session, document: Document, kind: str, text_hash: str) -> bool:
    """A suspicious text (sharp shrink, other language) is accepted when the previous check saw exactly it.

    Truncated and interstitial pages and language negotiation flips come and go; a really shortened
    or translated document stays the same on two consecutive checks.
    """
    previous = repository.last_check(session, document.id)
    return previous is not None and previous.failure_kind == kind and previous.text_hash == text_hash


def _extract(declaration: ServiceDeclaration, result: FetchResult) -> str:
    if result.failure is not None:
        raise result.failure
    if not result.pages:
        raise FetchError("empty", "no page was fetched")
    document = declaration.document_at(result.doc_type, result.started_at)
    pages = []
    for page, source in zip(result.pages, document.sources, strict=False):
        if page.status >= 400:
            # A bot wall or consent page often comes with 403/429: name it rather than "HTTP error".
            html_like = page.media_type in ("text/html", "application/xhtml+xml")
            interstitial = detect_interstitial(page.body.decode("utf-8", "replace"), page.url) if html_like else None
            if interstitial is not None:
                kind, message = interstitial
                raise FetchError(kind, message, http_status=page.status, url=page.url)
            raise failure_from_http_status(page.status, page.url)
        if not page.body.strip():
            raise FetchError("empty", f"empty response body from {page.url}", http_status=page.status, url=page.url)
        pages.append((page.body, page.media_type, page.url, source))
    try:
        return extract_document(pages)
    except ExtractError as error:
        kind = (
            error.kind
            if error.kind in ("selector_missing", "empty", "blocked", "consent_wall", "unsupported_media")
            else "extract_error"
        )
        raise FetchError(kind, error.message, url=result.pages[0].url) from None


def _record_failure(
    session: Session, document: Document, result: FetchResult, failure: FetchError, text_hash: str | None = None
) -> Outcome:
    return _add_check(
        session,
        document,
        result,
        "failed",
        url=failure.url or document.url,
        failure_kind=failure.kind,
        message=failure.message,
        http_status=failure.http_status,
        text_hash=text_hash,
    )


def _add_check(
    session: Session,
    document: Document,
    result: FetchResult,
    outcome: str,
    *,
    url: str,
    version: VersionRef | None = None,
    failure_kind: str | None = None,
    message: str | None = None,
    http_status: int | None = None,
    flapping: bool = False,
    text_hash: str | None = None,
    fingerprint: str | None = None,
) -> Outcome:
    status = http_status if http_status is not None else (result.pages[-1].status if result.pages else None)
    session.add(
        Check(
            document_id=document.id,
            started_at=result.started_at,
            finished_at=utcnow(),
            outcome=outcome,
            failure_kind=failure_kind,
            http_status=status,
            message=message,
            url=url,
            version_id=version.id if version else None,
            text_hash=text_hash if text_hash is not None else (version.text_hash if version else None),
            flapping=flapping,
            fingerprint=fingerprint,
        )
    )
    return Outcome(
        result.service_id,
        result.doc_type,
        outcome,
        failure_kind,
        message,
        version.number if version is not None else None,
    )


def load_snapshot_bytes(snapshot: Snapshot) -> bytes:
    return zlib.decompress(snapshot.content)
