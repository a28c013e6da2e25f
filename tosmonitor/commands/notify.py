"""``notify``, ``digest``, ``feed`` and ``run``: legal alerts, the weekly digest, the Atom feed, crawl + notify."""

from __future__ import annotations

import sys
from datetime import datetime, time
from pathlib import Path

import click

from tosmonitor.cli import App, pass_app


def _report(delivery, what: str) -> None:  # type: ignore[no-untyped-def]
    for message_id, refused in delivery.refused.items():
        click.echo(f"warning: {message_id}: the server refused {', '.join(refused)}; the others got it", err=True)
    if delivery.error:
        raise click.ClickException(
            f"{str(delivery.error).rstrip('.')}. {len(delivery.sent)} {what} sent, {delivery.pending} not sent "
            "(nothing was marked sent that the server did not accept); run the command again to send them."
        )


def send_alerts(app: App, *, quiet: bool = False) -> int:
    """Queue and send every pending legal alert; return how many were sent. ``quiet``: say nothing
    when there was nothing to send (cron mails whatever a job prints)."""
    from tosmonitor.notify.mailconfig import mail_config
    from tosmonitor.notify.outbox import deliver, queue_alerts

    config = mail_config(app.settings, ("legal",))
    engine = app.engine
    queue_alerts(engine, config)

    def sent(row) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"sent: {row.subject} -> {', '.join(row.recipients)} {row.message_id}")

    delivery = deliver(engine, config, "alert", on_sent=sent)
    _report(delivery, "alerts")
    if not delivery.sent and not quiet:
        click.echo("No pending legal alerts.")
    return len(delivery.sent)


@click.command()
@pass_app
def notify(app: App) -> None:
    """Send every pending legal alert: one email per change with a high-severity clause.

    Recipients: TOSMONITOR_MAIL_LEGAL plus the owner of the town's channel on that service. Each change
    is alerted exactly once; when the SMTP server is down the command exits 1 and the next run sends.

    Example:

    \b
        export TOSMONITOR_SMTP_HOST=smtp.example.fi TOSMONITOR_MAIL_FROM=tosmonitor@alajarvi.fi
        TOSMONITOR_MAIL_LEGAL=lakimies@alajarvi.fi tosmonitor notify
    """
    send_alerts(app)


def _since(value: datetime | None) -> datetime | None:
    from tosmonitor.notify.i18n import TIMEZONE

    if value is None:
        return None
    return datetime.combine(value.date(), time(0), tzinfo=TIMEZONE)


@click.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Start of the period (YYYY-MM-DD, midnight Helsinki time). Default: the end of the last digest "
                   "sent to this audience, else 7 days ago.")
@click.option("--audience", type=click.Choice(["comms", "legal"]), default="comms", show_default=True,
              help="Who gets it: TOSMONITOR_MAIL_COMMS or TOSMONITOR_MAIL_LEGAL.")
@click.option("--send", "do_send", is_flag=True, help="Send it and record it as sent.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the exact message (.eml) to this file ('-' for stdout); sends and records nothing.")
@pass_app
def digest(app: App, since: datetime | None, audience: str, do_send: bool, out: Path | None) -> None:
    """The digest of changes per service (high first), then checks that keep failing.

    With --send it is recorded and sent exactly once; an unsent digest left by a failed run is sent
    first (same Message-ID). With --out nothing is sent or recorded.

    Examples:

    \b
        tosmonitor digest --send            (weekly, from cron or a systemd timer)
        tosmonitor digest --since 2026-01-01 --audience legal --out digest.eml
    """
    from tosmonitor.notify.mailconfig import mail_config
    from tosmonitor.notify.outbox import OutboxError, build_unrecorded_digest, deliver, queue_digest

    if do_send == (out is not None):
        raise click.UsageError("give exactly one of --send or --out FILE")
    start = _since(since)
    if out is not None:
        config = mail_config(app.settings, (), need_server=False)
        try:
            message = build_unrecorded_digest(app.engine, config, audience, start)
        except OutboxError as error:
            raise click.ClickException(str(error)) from None
        from email import policy

        data = message.as_bytes(policy=policy.SMTP)
        if str(out) == "-":
            sys.stdout.buffer.write(data)
        else:
            out.write_bytes(data)
            click.echo(f"wrote {out}: {message['Subject']}")
        return
    config = mail_config(app.settings, (audience,))
    try:
        row = queue_digest(app.engine, config, audience, start)
    except OutboxError as error:
        raise click.ClickException(str(error)) from None
    delivery = deliver(app.engine, config, "digest", audience)
    _report(delivery, "digests")
    for sent in delivery.sent:
        click.echo(f"sent: {sent.subject} -> {', '.join(sent.recipients)} {sent.message_id}")
    if row.id not in {sent.id for sent in delivery.sent}:
        click.echo("No digest sent.")


@click.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the feed to this file (default: standard output).")
@click.option("--limit", type=click.IntRange(1), default=200, show_default=True, help="Newest changes to include.")
@pass_app
def feed(app: App, out: Path | None, limit: int) -> None:
    """Write an Atom feed of changes: one entry per change with its topics and plain statements.

    Example: tosmonitor feed --out /var/www/tosmonitor/feed.atom
    """
    from tosmonitor.notify.feed import build_feed

    data = build_feed(app.engine, app.settings.lang, app.settings.base_url, limit)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out}")


@click.command()
@click.argument("services", nargs=-1)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@pass_app
def run(app: App, services: tuple[str, ...], verbose: bool) -> None:
    """Crawl (all services by default), then send the pending legal alerts: the daily job for cron.

    The mail settings are checked before the crawl starts. Exit 1 when alerts could not be sent or
    documents could not be recorded (failed pages are recorded as failed checks, not fatal).

    Example: tosmonitor run
    """
    from tosmonitor.crawling import run_crawl, select_services
    from tosmonitor.fetching import utcnow
    from tosmonitor.notify.mailconfig import mail_config
    from tosmonitor.reports import crawl_summary

    chosen = select_services(app.declarations, services)  # a wrong service name first: it is the likelier slip
    mail_config(app.settings, ("legal",))
    engine = app.engine
    started = utcnow()
    tty = sys.stderr.isatty()
    run_crawl(app.settings, chosen, log_level="INFO" if verbose else ("WARNING" if tty else "ERROR"))
    summary = crawl_summary(engine, chosen, started)
    for line in summary.lines(verbose=tty):
        click.echo(line)
    send_alerts(app, quiet=not tty)  # from cron: silent when nothing happened
    if summary.missing:
        missing = ", ".join(summary.missing)
        raise click.ClickException(f"{len(summary.missing)} documents were not recorded (errors above): {missing}")


COMMANDS = [notify, digest, feed, run]
