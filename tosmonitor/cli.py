"""The ``tosmonitor`` command line (click).  Commands stay thin; the logic lives in the modules.

Exit codes: 0 success; 1 a clear error (bad declaration, bad setting, database problem, unknown
service); 2 wrong usage.  ``crawl`` exits 0 when every document was attempted, whatever the pages did:
failed checks are recorded and summarised, not fatal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cached_property
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from tosmonitor.config import ConfigError, Settings, load_settings
from tosmonitor.declarations import DeclarationError, ServiceDeclaration
from tosmonitor.store import StoreError
from tosmonitor.store.db import database_error_reason


class App:
    """Lazily built settings, declarations and database engine shared by the commands."""

    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def declarations(self) -> dict[str, ServiceDeclaration]:
        from tosmonitor.crawling import load_checked_declarations

        return load_checked_declarations(self.settings.declarations)

    @cached_property
    def engine(self) -> Engine:
        from tosmonitor.store import ensure_current, make_engine

        engine = make_engine(self.settings.resolved_database_url)
        ensure_current(engine)
        return engine


pass_app = click.make_pass_decorator(App, ensure=True)


def json_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: machine-readable output instead of text for people."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class FriendlyGroup(click.Group):
    """Turns tosmonitor's own errors into one clear line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, DeclarationError, StoreError, LookupError) as error:
            message = error.args[0] if isinstance(error, LookupError) and error.args else str(error)
            raise click.ClickException(message) from None
        except DBAPIError as error:  # e.g. a read-only file, a full disk, a server gone mid-command
            reason = database_error_reason(error)
            raise click.ClickException(f"database error (the failed transaction was rolled back): {reason}") from None


@click.group(cls=FriendlyGroup)
@click.version_option(package_name="tosmonitor")
def cli() -> None:
    """Watch the terms of service of the town's online channels and report what changed.

    Settings come from TOSMONITOR_* environment variables or the TOML file named by
    TOSMONITOR_CONFIG; the database defaults to tosmonitor.db in TOSMONITOR_HOME (else the
    current directory).
    """


@cli.command()
@pass_app
def init(app: App) -> None:
    """Create or upgrade the database and load declarations and channels.

    Safe to run again: it never drops data.

    Example: tosmonitor init
    """
    from tosmonitor.channels import load_channels
    from tosmonitor.declarations import document_type_warnings
    from tosmonitor.store import make_engine, repository, transaction, upgrade
    from tosmonitor.store.repository import sync_channels, sync_declarations

    declarations = app.declarations
    channels = load_channels(app.settings.channels, declarations.keys())
    engine = make_engine(app.settings.resolved_database_url)
    revision = upgrade(engine)
    with transaction(engine) as session:
        dropped = sync_declarations(session, declarations.values())
        synced = sync_channels(session, channels)
        for document in dropped:
            versions = repository.version_count(session, document.id)
            if versions:
                declared = ", ".join(repr(t) for t in declarations[document.service_id].documents) \
                    if document.service_id in declarations else "none (the service is no longer declared)"
                counted = f"{versions} version{'' if versions == 1 else 's'}"
                click.echo(f"Warning: {document.service_id} / {document.type} ({counted}) is no longer "
                           f"declared: its history is kept but not shown or crawled. Declared now: {declared}",
                           err=True)
    for service, who, when in synced.replaced:
        click.echo(f"Warning: {service}: the channel edited in the web UI by {who} on {when:%Y-%m-%d} is replaced by "
                   f"its changed entry in {app.settings.channels}", err=True)
    for warning in document_type_warnings(declarations.values()):
        click.echo(f"Warning: {warning}", err=True)
    documents = sum(len(s.documents) for s in declarations.values())
    click.echo(f"Database ready at schema {revision}: {engine.url.render_as_string(hide_password=True)}")
    kept = f" ({len(synced.kept)} as edited in the web UI: {', '.join(synced.kept)})" if synced.kept else ""
    click.echo(f"{len(declarations)} services, {documents} documents, {len(channels)} channels loaded{kept}.")


@cli.command()
@json_option
@pass_app
def channels(app: App, as_json: bool) -> None:
    """List every declared service, its documents, the town's channel state and the last check.

    Example: tosmonitor channels --json
    """
    from tosmonitor.reports import channels_report

    report = channels_report(app.engine)
    if as_json:
        echo_json(report)
        return
    for service in report:
        state = service["channel_state"] or "no channel"
        click.echo(f"{service['service']} ({service['name']}): {state}")
        for document in service["documents"]:
            check = document["last_check"]
            if check is None:
                last = "never checked"
            elif check["outcome"] == "failed":
                last = f"FAILED {check['failure_kind']} at {check['at']}: {check['message']}"
            else:
                last = f"{check['outcome']} at {check['at']}"
            click.echo(f"  {document['type']}: {document['versions']} versions; {last}")


@cli.command()
@click.argument("services", nargs=-1)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@pass_app
def crawl(app: App, services: tuple[str, ...], verbose: bool) -> None:
    """Fetch the declared documents now (all services by default) and record what changed.

    Failed pages are recorded as failed checks and summarised; the exit status is 0 when every
    document was attempted.

    Example: tosmonitor crawl youtube wikipedia
    """
    from tosmonitor.crawling import run_crawl, select_services
    from tosmonitor.fetching import utcnow
    from tosmonitor.reports import crawl_summary

    chosen = select_services(app.declarations, services)
    engine = app.engine
    started = utcnow()
    tty = sys.stderr.isatty()
    if tty:
        click.echo(f"Crawling {sum(len(s.documents) for s in chosen)} documents of {len(chosen)} services…", err=True)
    run_crawl(app.settings, chosen, log_level="INFO" if verbose else ("WARNING" if tty else "ERROR"), progress=tty)
    summary = crawl_summary(engine, chosen, started)
    for line in summary.lines(verbose=tty):
        click.echo(line)
    if summary.missing:
        raise click.ClickException(
            f"{len(summary.missing)} documents were not recorded (errors above): " + ", ".join(summary.missing)
        )


@cli.command()
@click.argument("service")
@click.option("--type", "doc_type", help="Document type, e.g. 'Terms of Service' (the default).")
@json_option
@pass_app
def history(app: App, service: str, doc_type: str | None, as_json: bool) -> None:
    """Show the versions of a document, oldest first, with what each change touched.

    Example: tosmonitor history youtube --type "Terms of Service" --json
    """
    from tosmonitor.reports import history_report, resolve_document

    with app_session(app) as session:
        document = resolve_document(session, service, doc_type)
        report = history_report(session, document)
    if as_json:
        echo_json(report)
        return
    click.echo(f"{service} / {document.type}: {len(report)} versions")
    for entry in report:
        change = entry["change"]
        line = f"  v{entry['version']}  {entry['fetched_at']}  {entry['chars']} chars"
        if entry["effective_date"]:
            line += f"  effective {entry['effective_date']}" + (
                " (not yet in force)" if entry["not_yet_in_force"] else ""
            )
        if change:
            line += (
                f"  +{change['added']} -{change['removed']} ~{change['modified']} ↕{change['moved']}"
                f"  [{change['severity']}]" + (f" {', '.join(change['topics'])}" if change["topics"] else "")
            )
            if change.get("technical"):
                line += "  (technical upgrade)"
        click.echo(line)
        for statement in (change or {}).get("statements", []):
            click.echo(f"      {statement['text_' + app.settings.lang]}")


@cli.command()
@click.argument("service")
@click.option("--type", "doc_type", help="Document type (default 'Terms of Service').")
@click.option("--from", "from_number", type=int, help="Older version number (default: the one before --to).")
@click.option("--to", "to_number", type=int, help="Newer version number (default: the latest).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "html", "json"]), default="text", show_default=True
)
@pass_app
def diff(
    app: App, service: str, doc_type: str | None, from_number: int | None, to_number: int | None, output_format: str
) -> None:
    """Show the clause-level, word-highlighted diff between two versions (default: the last change).

    Example:

    \b
        tosmonitor diff twitter --type "Terms of Service" --from 3 --to 4 --format json
    """
    from tosmonitor.reports import diff_report, resolve_document

    with app_session(app) as session:
        document = resolve_document(session, service, doc_type)
        report = diff_report(session, document, from_number, to_number)
    if output_format == "json":
        echo_json(report.to_json())
    elif output_format == "html":
        click.echo(report.to_html())
    else:
        click.echo(report.to_text(color=sys.stdout.isatty(), lang=app.settings.lang))


@cli.command("filters")
def list_filters() -> None:
    """List the named extraction filters a declaration may use, with what each does.

    Example: tosmonitor filters
    """
    from tosmonitor import filters

    for name, doc in filters.describe():
        click.echo(f"{name}\n    {doc}")


def app_session(app: App):  # type: ignore[no-untyped-def]
    from tosmonitor.store.db import session_factory

    return session_factory(app.engine)()


def _register_command_modules() -> None:
    """Add the commands of every module in :mod:`tosmonitor.commands` (each lists them in ``COMMANDS``)."""
    import importlib
    import pkgutil

    from tosmonitor import commands

    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"tosmonitor.commands.{module_info.name}")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_register_command_modules()
