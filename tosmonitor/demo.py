"""``tosmonitor demo``: the whole flow offline, on real recorded terms, in under a minute.

In a directory of its own (``TOSMONITOR_HOME``, its own SQLite database, its own declarations and
channels), a local :class:`~tosmonitor.replay.ReplayServer` serves real recorded versions of five
services' terms.  Week 0 is the first crawl; each following week every document moves to its next
recorded version and is crawled again (a ``tosmonitor crawl`` subprocess: Scrapy's reactor runs once per
process).  When the email part (:mod:`tosmonitor.notify`) is installed, each week also sends the
pending legal alerts and the weekly digest through a local SMTP server (aiosmtpd) that writes every
accepted message to ``DIR/outbox/*.eml``.  At the end a short summary says what changed, what was
flagged and how to open the web UI on the demo database.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import click

from tosmonitor.replay import RecordedDocument, ReplayServer, recorded_documents
from tosmonitor.resources import data_dir

DEMO_DOCUMENTS = (
    ("twitter", "Terms of Service"),
    ("reddit", "Terms of Service"),
    ("wikipedia", "Terms of Service"),
    ("wordpress", "Terms of Service"),
    ("youtube", "Terms of Service"),
)
DEFAULT_WEEKS = 6
MAIL_FROM = "tosmonitor@alajarvi.example"
MAIL_LEGAL = "lakimies@alajarvi.example"
MAIL_COMMS = "viestinta@alajarvi.example"
CHANNELS = """# Demo channels of the town (example data).
[[channel]]
service = "twitter"
state = "in use"
account = "@alajarvi"
owner = "Viestintä"
owner_email = "viestinta@alajarvi.example"
admins = ["Maija Esimerkki", "Matti Meikäläinen"]

[[channel]]
service = "youtube"
state = "in use"
account = "Alajärven kaupunki"
owner = "Viestintä"
owner_email = "viestinta@alajarvi.example"
admins = ["Maija Esimerkki", "Liisa Testinen"]

[[channel]]
service = "wordpress"
state = "candidate"
owner = "Kirjasto"
owner_email = "kirjasto@alajarvi.example"
admins = ["Liisa Testinen"]
"""


def demo_documents(weeks: int) -> list[RecordedDocument]:
    """The demo's documents, each cut to its last ``weeks + 1`` recorded versions (recent, real changes)."""
    wanted = {key: None for key in DEMO_DOCUMENTS}
    chosen = []
    for document in recorded_documents():
        if (document.service_id, document.doc_type) in wanted:
            chosen.append(RecordedDocument(document.service_id, document.doc_type,
                                           document.versions[-(weeks + 1):]))
    return chosen


def notify_available() -> bool:
    """True when the email part is installed: ``tosmonitor.notify`` and its ``notify`` / ``digest`` commands."""
    if importlib.util.find_spec("tosmonitor.notify") is None:
        return False
    from tosmonitor.cli import cli

    return {"notify", "digest"} <= set(cli.commands)


def serve_available() -> bool:
    from tosmonitor.cli import cli

    return "serve" in cli.commands


class DemoError(click.ClickException):
    """The demo cannot run; the command prints the message as ``Error: …`` and exits 1."""


@contextmanager
def smtp_outbox(outbox: Path) -> Iterator[int]:
    """A local SMTP server (aiosmtpd) on 127.0.0.1 writing each accepted message to ``outbox/NNN.eml``."""
    from aiosmtpd.controller import Controller

    outbox.mkdir(parents=True, exist_ok=True)

    class Handler:
        count = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Handler.count += 1
            message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.SMTP)
            kind = "alert" if "alert" in str(message.get("Message-ID", "")).lower() else "mail"
            name = f"{Handler.count:03d}-{kind}.eml"
            (outbox / name).write_bytes(envelope.original_content or envelope.content)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:  # aiosmtpd cannot start on port 0: take a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def run_demo(directory: Path | None, *, weeks: int = DEFAULT_WEEKS, serve: bool = False,
             echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the demo; return a summary (also printed through ``echo``)."""
    started = time.monotonic()
    home = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="tosmonitor-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    if (home / "tosmonitor.db").exists():
        raise DemoError(f"{home} already holds a demo database; give a new --dir")
    documents = demo_documents(weeks)
    mail = notify_available()
    echo(f"tosmonitor demo in {home}: {len(documents)} documents of real recorded terms, {weeks} weeks"
         + ("" if mail else " (email part not installed: no alerts or digests)"))
    with ReplayServer(documents=documents) as server, _maybe_smtp(mail, home / "outbox") as smtp_port:
        env = _environment(home, server, smtp_port)
        _run(env, "init")
        weekly: list[dict[str, Any]] = []
        for week in range(weeks + 1):
            moved = server.step() if week else documents
            _run(env, "crawl")
            sent = _send_mail(env, week) if mail else []
            weekly.append({"week": week, "moved": [f"{d.service_id}/{d.doc_type}" for d in moved], "mail": sent})
            echo(f"  week {week}: {len(moved)} pages {'published' if week == 0 else 'moved on'}, crawled"
                 + (f"; {len(sent)} emails" if mail else ""))
        histories = {f"{s}/{t}": json.loads(_run(env, "history", s, "--type", t, "--json"))
                     for s, t in DEMO_DOCUMENTS}
    summary = _summarise(home, histories, weekly, mail, time.monotonic() - started)
    for line in summary["lines"]:
        echo(line)
    if serve:
        if not serve_available():
            echo("The web UI (tosmonitor serve) is not installed in this build.")
        else:
            echo("Starting the web UI on http://127.0.0.1:5000/ (Ctrl-C stops it)…")
            subprocess.run([sys.executable, "-m", "tosmonitor", "serve"], env=env, check=False)
    return summary


@contextmanager
def _maybe_smtp(enabled: bool, outbox: Path) -> Iterator[int | None]:
    if not enabled:
        yield None
        return
    with smtp_outbox(outbox) as port:
        yield port


def _environment(home: Path, server: ReplayServer, smtp_port: int | None) -> dict[str, str]:
    declarations = server.write_declarations(home / "declarations")
    for file in declarations.glob("*.json"):  # the bundled services' own names ("X (Twitter)")
        bundled = data_dir() / "declarations" / file.name
        if bundled.exists():
            data = json.loads(file.read_text(encoding="utf-8"))
            data["name"] = json.loads(bundled.read_text(encoding="utf-8"))["name"]
            file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    channels = home / "channels.toml"
    channels.write_text(CHANNELS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOSMONITOR_")}
    env.update(
        TOSMONITOR_HOME=str(home),
        TOSMONITOR_DECLARATIONS=str(declarations),
        TOSMONITOR_CHANNELS=str(channels),
        TOSMONITOR_DOWNLOAD_DELAY="0",
        TOSMONITOR_DOWNLOAD_TIMEOUT="10",
        TOSMONITOR_RETRY_TIMES="0",
        TOSMONITOR_LANG=os.environ.get("TOSMONITOR_LANG", "fi"),
    )
    if smtp_port is not None:
        env.update(
            TOSMONITOR_SMTP_HOST="127.0.0.1",
            TOSMONITOR_SMTP_PORT=str(smtp_port),
            TOSMONITOR_SMTP_SECURITY="none",
            TOSMONITOR_MAIL_FROM=MAIL_FROM,
            TOSMONITOR_MAIL_LEGAL=MAIL_LEGAL,
            TOSMONITOR_MAIL_COMMS=MAIL_COMMS,
        )
    # The demo's SMTP server is gone afterwards: env.sh keeps the addresses (``digest --out`` works),
    # not the server (``notify`` then says the SMTP host is not set).
    names = ["TOSMONITOR_HOME", "TOSMONITOR_DECLARATIONS", "TOSMONITOR_CHANNELS", "TOSMONITOR_LANG"]
    names += [n for n in ("TOSMONITOR_MAIL_FROM", "TOSMONITOR_MAIL_LEGAL", "TOSMONITOR_MAIL_COMMS") if n in env]
    (home / "env.sh").write_text("".join(f"export {n}='{env[n]}'\n" for n in names), encoding="utf-8")
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tosmonitor", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise DemoError(f"tosmonitor {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def _send_mail(env: dict[str, str], week: int) -> list[str]:
    """This week's legal alerts, then the communications digest (``tosmonitor notify`` / ``digest --send``)."""
    from click.testing import CliRunner

    from tosmonitor.cli import cli

    lines = []
    runner = CliRunner()
    for args in (["notify"], ["digest", "--send", "--audience", "comms"]):
        result = runner.invoke(cli, args, env=env, catch_exceptions=False)
        if result.exit_code != 0:
            raise DemoError(f"tosmonitor {' '.join(args)} failed in week {week}: {result.output.strip()}")
        lines += [line for line in result.output.splitlines() if line.startswith("sent:")]
    return lines


def _summarise(home: Path, histories: dict[str, list[dict[str, Any]]], weekly: list[dict[str, Any]],
               mail: bool, seconds: float) -> dict[str, Any]:
    lines = ["", "What changed:"]
    flagged = technical = changes = 0
    for key, history in histories.items():
        service, doc_type = key.split("/", 1)
        steps = [entry for entry in history if entry["change"]]
        changes += len(steps)
        lines.append(f"  {service} / {doc_type}: {len(history)} versions, {len(steps)} changes")
        for entry in steps:
            change = entry["change"]
            if change.get("technical"):
                technical += 1
            if change["severity"] == "high":
                flagged += 1
            mark = "FLAGGED" if change["severity"] == "high" else change["severity"]
            shown, more = change["topics"][:4], len(change["topics"]) - 4
            topics = (", ".join(shown) + (f" +{more}" if more > 0 else "")) or "wording only"
            lines.append(f"    v{entry['version']}: [{mark}] {topics}"
                         f"  (+{change['added']} -{change['removed']} ~{change['modified']})")
    outbox = sorted((home / "outbox").glob("*.eml")) if (home / "outbox").is_dir() else []
    lines.append(f"{changes} changes, {flagged} flagged high (rights over the town's material, law and courts, "
                 f"data location), {technical} technical.")
    if mail:
        subjects = [_subject(path) for path in outbox]
        lines.append(f"{len(outbox)} email{'' if len(outbox) == 1 else 's'} in {home / 'outbox'}:")
        lines += [f"  {path.name}: {subject}" for path, subject in list(zip(outbox, subjects, strict=True))[:12]]
        if len(outbox) > 12:
            lines.append(f"  … and {len(outbox) - 12} more")
    else:
        lines.append("No emails: the email part (tosmonitor.notify) is not installed in this build.")
    lines.append(f"Done in {seconds:.0f} s. Look closer (the demo's settings are in {home / 'env.sh'}):")
    lines.append(f"  . {home / 'env.sh'} && tosmonitor history twitter && tosmonitor diff youtube")
    if serve_available():
        lines.append(f"  web UI on the demo database: . {home / 'env.sh'} && tosmonitor serve")
    else:
        lines.append("  web UI: `tosmonitor serve` is not installed in this build.")
    return {"home": str(home), "changes": changes, "flagged": flagged, "technical": technical,
            "emails": [str(p) for p in outbox], "weeks": weekly, "seconds": seconds, "lines": lines}


def _subject(path: Path) -> str:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    return re.sub(r"\s+", " ", str(message.get("Subject", "")))
