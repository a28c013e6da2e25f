"""Click commands ``topics`` and ``classify``; the integrator registers them on the ``tosmonitor`` group."""

from __future__ import annotations

import json

import click

from tosmonitor.topics import TOPICS, tag


@click.command("topics")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--lang",
    type=click.Choice(["fi", "en"]),
    default="en",
    show_default=True,
    help="Language of the definitions.",
)
def topics_command(as_json: bool, lang: str) -> None:
    """List the clause topics with one-line definitions and severities.

    Example:

        tosmonitor topics --lang fi
    """
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"name": t.name, "severity": t.severity, "definition": t.definition(lang)}
                    for t in TOPICS.values()
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    width = max(len(name) for name in TOPICS)
    for t in TOPICS.values():
        click.echo(f"{t.name:<{width}}  {t.severity:<6}  {t.definition(lang)}")


@click.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--lang",
    type=click.Choice(["auto", "en", "fi", "de", "it", "pl", "sv"]),
    default="auto",
    show_default=True,
    help="Force the clause language instead of detecting it.",
)
def classify_command(file, lang: str) -> None:
    """Tag JSON Lines {"id", "text"} with topics; write one JSON line per input line.

    Output: {"id", "topics", "severity", "matches": {topic: [[start, end, "phrase"], ...]}, "lang"}.
    Blank lines are skipped. A line that is not a JSON object with a string "text" stops the
    run with an error naming the line number (exit code 1); lines before it are already written.

    Example:

    \b
        echo '{"id": 1, "text": "Governed by the laws of Ireland."}' | tosmonitor classify -
    """
    for number, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(
                f"{file.name}: line {number}: not valid JSON ({exc.msg})"
            ) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise click.ClickException(
                f'{file.name}: line {number}: expected an object with a string "text"'
            )
        result = {"id": row.get("id"), **tag(row["text"], lang).to_json()}
        click.echo(json.dumps(result, ensure_ascii=False))


COMMANDS = [topics_command, classify_command]
