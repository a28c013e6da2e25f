"""Click commands ``import-ota``, ``export`` and ``demo``: history in, evidence out, the whole flow offline."""

from __future__ import annotations

from pathlib import Path

import click

from tosmonitor.cli import App, pass_app


@click.command("import-ota")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--service", help="Only this service (our id, e.g. twitter).")
@click.option("--type", "doc_type", help="Only this document type, e.g. 'Terms of Service'.")
@click.option("--snapshots", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The matching OTA snapshots repository, to keep the raw pages too.")
@pass_app
def import_ota_command(app: App, path: Path, service: str | None, doc_type: str | None,
                       snapshots: Path | None) -> None:
    """Backfill history from an Open Terms Archive versions repository (a git clone).

    Every commit of <Service>/<Type>.md becomes a version dated with the commit's author date, with
    a change against the one before, tagged like a crawled change. OTA's technical or declaration
    upgrades ("Apply technical or declaration upgrade", "Refilter") and re-extractions of the same
    snapshot are recorded as technical upgrades: shown, never alerted. Running it again imports
    nothing twice. OTA service names map to our ids by id or declared name ("WordPress.com" ->
    wordpress, "Twitter" -> twitter). Run `tosmonitor init` first.

    Example:

    \b
        git clone https://github.com/OpenTermsArchive/contrib-versions
        tosmonitor import-ota contrib-versions --service twitter --type "Terms of Service"
    """
    from tosmonitor.importers import OTAImportError, import_ota

    try:
        report = import_ota(app.engine, path, service=service, doc_type=doc_type, snapshots=snapshots)
    except OTAImportError as error:
        raise click.ClickException(str(error)) from None
    for line in report.lines():
        click.echo(line)


@click.command("export")
@click.argument("service")
@click.option("--type", "doc_type", help="Document type (default 'Terms of Service').")
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
@click.option("--all", "all_versions", is_flag=True, help="Every version of the document, not just one.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="A directory, or a file name ending in .zip.")
@pass_app
def export_command(app: App, service: str, doc_type: str | None, number: int | None, all_versions: bool,
                   out: Path) -> None:
    """Write evidence of what the terms said: raw page(s) as fetched, extracted text, SHA-256 of both,
    fetch time and URL, and manifest.json describing it all.

    The manifest's hashes are recomputed from the written files before the command ends.

    Example:

    \b
        tosmonitor export twitter --type "Terms of Service" --version 3 --out twitter-tos-v3.zip
    """
    from tosmonitor.export import ExportError, export_evidence

    if number is not None and all_versions:
        raise click.UsageError("give either --version N or --all, not both")
    try:
        manifest = export_evidence(app.engine, service, doc_type, out, number=number, all_versions=all_versions)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    versions = manifest["versions"]
    snapshots = sum(len(v["snapshots"]) for v in versions)
    numbers = ", ".join(f"v{v['version']}" for v in versions)
    raw = f"{snapshots} raw snapshot{'' if snapshots == 1 else 's'}"
    click.echo(f"Exported {service} / {manifest['type']} {numbers} ({raw}) to {out}")


@click.command("demo")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Where to put the demo database, pages and outbox (default: a new temporary directory).")
@click.option("--weeks", type=click.IntRange(1, 20), default=None, help="How many weeks to replay (default: 6).")
@click.option("--serve", is_flag=True, help="Start the web UI on the demo database afterwards.")
def demo_command(directory: Path | None, weeks: int | None, serve: bool) -> None:
    """Run the whole flow offline on real recorded terms of five services, week by week.

    A local web server shows each week the next recorded real version of X (Twitter), Reddit,
    Wikipedia, WordPress.com and YouTube terms; every week is crawled, changes are diffed and tagged,
    and — when the email part is installed — alerts and the weekly digest are written to
    DIR/outbox/*.eml. Takes under a minute and leaves nothing running.

    Example:

    \b
        tosmonitor demo --dir /tmp/tosdemo
        TOSMONITOR_HOME=/tmp/tosdemo tosmonitor serve
    """
    from tosmonitor.demo import DEFAULT_WEEKS, run_demo

    run_demo(directory, weeks=weeks or DEFAULT_WEEKS, serve=serve, echo=click.echo)


COMMANDS = [import_ota_command, export_command, demo_command]
