"""Exactly-once delivery of alerts and digests through the ``digest`` table.

Every email is first written as a ``digest`` row (kind ``alert`` or ``digest``) with its recipients,
subject and a fixed Message-ID, ``sent_at`` empty, in its own transaction. Only then is it handed to
the SMTP server, and only after the server accepted it is ``sent_at`` set, in another transaction.
The message itself is rebuilt from the row (same change or period, same Message-ID, same Date), so a
re-run sends exactly the rows still pending and never a sent one again.

The unavoidable window: if the process dies after the server answered "250 accepted" and before
``sent_at`` was committed (a few milliseconds), the next run sends that message again — with the same
Message-ID, so mail servers and clients that de-duplicate by Message-ID show it once. SMTP offers no
way to close this window; it is kept to one commit per message.

Runs must not overlap (the cron and systemd examples in ``docs/scheduling.md`` make sure of it); the
unique key (kind, audience, period_key) stops two runs from queueing the same alert or digest twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tosmonitor.notify import build, content
from tosmonitor.notify.mailconfig import MailConfig
from tosmonitor.notify.smtp import SendError, send
from tosmonitor.store.db import session_factory, transaction
from tosmonitor.store.models import Change, Digest

LEGAL = "legal"
DEFAULT_PERIOD = timedelta(days=7)


class OutboxError(RuntimeError):
    """A digest or alert cannot be queued; the message says why."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def alert_key(change_id: int) -> str:
    return f"change-{change_id}"


def alert_recipients(session: Session, config: MailConfig, change: Change) -> list[str]:
    """Legal's addresses plus the owner of the town's channel on that service (not for a closed channel)."""
    recipients = list(config.recipients[LEGAL])
    channel = content.repository.channel_of(session, change.document.service_id)
    if channel is not None and channel.state != "closed" and channel.owner_email:
        known = {r.lower() for r in recipients}
        if channel.owner_email.lower() not in known:
            recipients.append(channel.owner_email)
    return recipients


def queue_alerts(engine: Engine, config: MailConfig) -> list[int]:
    """Write a pending ``alert`` row for every alertable change that has none yet; return their ids."""
    queued: list[int] = []
    with transaction(engine) as session:
        done = set(session.scalars(select(Digest.change_id).where(Digest.kind == "alert")))
        for change in session.scalars(select(Change).where(Change.technical.is_(False)).order_by(Change.id)):
            if change.id in done or not content.is_alertable(change):
                continue
            view = content.change_view(session, change, config.lang, config.base_url)
            row = Digest(
                kind="alert",
                audience=LEGAL,
                period_key=alert_key(change.id),
                period_start=change.created_at,
                period_end=change.created_at,
                change_id=change.id,
                recipients=alert_recipients(session, config, change),
                subject=build.alert_subject(view),
                message_id=build.new_message_id(config, f"alert-{change.id}"),
                created_at=utcnow(),
                sent_at=None,
            )
            session.add(row)
            session.flush()
            queued.append(row.id)
    return queued


def last_sent_digest(session: Session, audience: str) -> Digest | None:
    return session.scalar(
        select(Digest)
        .where(Digest.kind == "digest", Digest.audience == audience, Digest.sent_at.is_not(None))
        .order_by(Digest.period_end.desc(), Digest.id.desc())
        .limit(1)
    )


def digest_period(session: Session, audience: str, since: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """``since`` if given, else the end of the last digest sent to ``audience``, else a week ago; until now."""
    if since is None:
        last = last_sent_digest(session, audience)
        since = last.period_end if last is not None and last.period_end is not None else now - DEFAULT_PERIOD
    if since >= now:
        raise OutboxError(f"the digest period would start at {since.isoformat()}, not before now")
    return since, now


def queue_digest(engine: Engine, config: MailConfig, audience: str, since: datetime | None) -> Digest:
    """The pending digest row of ``audience``: an unsent one left by an earlier run, else a new one."""
    now = utcnow()
    try:
        with transaction(engine) as session:
            pending = pending_rows(session, "digest", audience)
            if pending:
                return pending[0]
            start, end = digest_period(session, audience, since, now)
            view = content.digest_view(session, start, end, config.lang, config.base_url)
            row = Digest(
                kind="digest",
                audience=audience,
                period_key=start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                period_start=start,
                period_end=end,
                change_id=None,
                recipients=list(config.recipients[audience]),
                subject=build.digest_subject(view, config.lang),
                message_id=build.new_message_id(config, f"digest-{audience}"),
                created_at=now,
                sent_at=None,
            )
            session.add(row)
            session.flush()
            return row
    except IntegrityError:
        raise OutboxError(
            f"a {audience} digest for the period starting {since.isoformat() if since else '?'} was already "
            "recorded; use --out to write it to a file instead"
        ) from None


def pending_rows(session: Session, kind: str, audience: str | None = None) -> list[Digest]:
    query = select(Digest).where(Digest.kind == kind, Digest.sent_at.is_(None))
    if audience is not None:
        query = query.where(Digest.audience == audience)
    return list(session.scalars(query.order_by(Digest.id)))


def message_for(session: Session, config: MailConfig, row: Digest) -> EmailMessage:
    """Rebuild the email of a row: same recipients, subject, Message-ID and Date on every attempt."""
    if row.kind == "alert":
        change = session.get(Change, row.change_id)
        if change is None:
            raise OutboxError(f"alert {row.id} names change {row.change_id}, which no longer exists")
        view = content.change_view(session, change, config.lang, config.base_url)
        return build.alert_message(config, view, recipients=list(row.recipients), message_id=row.message_id,
                                   date=row.created_at, subject=row.subject)
    assert row.period_start is not None and row.period_end is not None
    view = content.digest_view(session, row.period_start, row.period_end, config.lang, config.base_url)
    return build.digest_message(config, view, recipients=list(row.recipients), message_id=row.message_id,
                                date=row.created_at, subject=row.subject)


@dataclass
class Delivery:
    sent: list[Digest] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)  # Message-ID -> refused recipients
    error: str | None = None
    pending: int = 0


def deliver(engine: Engine, config: MailConfig, kind: str, audience: str | None = None,
            on_sent: Callable[[Digest], None] | None = None) -> Delivery:
    """Send every pending row of ``kind`` (oldest first); stop at the first SMTP failure."""
    result = Delivery()
    with session_factory(engine)() as session:
        rows = pending_rows(session, kind, audience)
        messages = [(row, message_for(session, config, row)) for row in rows]
    for index, (row, msg) in enumerate(messages):
        try:
            refused = send(msg, config)
        except SendError as error:
            result.error = str(error)
            result.pending = len(messages) - index
            return result
        with transaction(engine) as session:
            stored = session.get(Digest, row.id)
            assert stored is not None
            stored.sent_at = utcnow()
            row.sent_at = stored.sent_at
        result.sent.append(row)
        if refused:
            result.refused[row.message_id] = sorted(refused)
        if on_sent is not None:
            on_sent(row)
    return result


def build_unrecorded_digest(engine: Engine, config: MailConfig, audience: str, since: datetime | None
                            ) -> EmailMessage:
    """The digest ``--send`` would send now, built without writing anything (for ``--out``)."""
    with session_factory(engine)() as session:
        start, end = digest_period(session, audience, since, utcnow())
        view = content.digest_view(session, start, end, config.lang, config.base_url)
        return build.digest_message(config, view, recipients=list(config.recipients[audience]),
                                    message_id=build.new_message_id(config, f"digest-{audience}"), date=end)
