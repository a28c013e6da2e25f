"""Helpers for the notification tests: a real aiosmtpd server on 127.0.0.1 and a crawled database.

The crawled database comes from real crawls (subprocess CLI) of the local replay server: X's (Twitter's)
real Terms of Service going from its 2026-01-16 to its 2026-04-11 recorded version (courts: "Wichita
County or Tarrant County"), a small terms page whose governing-law clause moves from Ireland to
California and quotes a ``<script>`` tag as text, and a page that always answers 500 (a failing check).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import Cli, cli_env
from tests.responders import page
from tosmonitor.replay import RecordedDocument, ReplayServer, recorded_documents

SCRIPT_TEXT = "<script>alert('pwned')</script>"

EXAMPLE_OLD = """# Example Terms

## 1. Your content

You keep ownership of the content you post.

## 2. General

These Terms, including the rule that you must not post &lt;script&gt;alert('pwned')&lt;/script&gt; code,
are governed by the laws of Ireland.

Contact us at terms@example.org.

## 3. Using the service

You may use the service only in compliance with these Terms and all applicable laws. You are responsible for your
account and for everything that happens under it, so keep your password to yourself and tell us at once if you
think someone else has used your account without your permission.

## 4. Changes to these Terms

We may revise these Terms from time to time. The most current version will always be on this page. If a revision
is material, we will notify you by e-mail or through the service at least thirty days before it takes effect. By
continuing to use the service after the revision takes effect, you agree to be bound by the revised Terms.

## 5. Ending the relationship

You can stop using the service at any time. We may suspend or end your access if you break these Terms, if we are
required to do so by law, or if we stop offering the service in your country.
"""

# the same terms with one change: the governing law
EXAMPLE_NEW = EXAMPLE_OLD.replace("the laws of Ireland.", "the laws of the State of California.")
assert EXAMPLE_NEW != EXAMPLE_OLD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """aiosmtpd handler keeping every accepted message; can stall on the n-th DATA (never answering)."""

    received: list[Received] = field(default_factory=list)
    stall_on: int | None = None  # 1-based number of the DATA command to stall on
    data_commands: int = 0
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.data_commands += 1
        if self.stall_on is not None and self.data_commands >= self.stall_on:
            self.stalled.set()
            await asyncio.sleep(3600)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [r.message["Message-ID"].strip() for r in self.received]


class SmtpServer:
    """A real SMTP server (aiosmtpd Controller) on 127.0.0.1, restartable on the same port."""

    def __init__(self, inbox: Inbox | None = None, port: int | None = None) -> None:
        self.inbox = inbox or Inbox()
        self.port = port or free_port()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop(no_assert=True)
            self.controller = None


def mail_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "TOSMONITOR_SMTP_HOST": "127.0.0.1",
        "TOSMONITOR_SMTP_PORT": str(port),
        "TOSMONITOR_SMTP_SECURITY": "none",
        "TOSMONITOR_SMTP_TIMEOUT": "5",
        "TOSMONITOR_MAIL_FROM": "tosmonitor@alajarvi.example",
        "TOSMONITOR_MAIL_COMMS": "viestinta@alajarvi.example, some.one@alajarvi.example",
        "TOSMONITOR_MAIL_LEGAL": "lakimies@alajarvi.example",
        "TOSMONITOR_BASE_URL": "https://tos.alajarvi.example",
        **extra,
    }


CHANNELS = """[[channel]]
service = "twitter"
state = "in use"
account = "Alajärven kaupunki (@alajarvi)"
owner = "Viestintä"
owner_email = "x-owner@alajarvi.example"
admins = ["Maija Esimerkki", "Matti Meikäläinen"]
"""


@dataclass
class Crawled:
    cli: Cli
    env: dict[str, str]
    home: Path


def crawl_changes(tmp_path: Path, database_url: str, smtp_port: int, **extra: str) -> Crawled:
    """init + two real crawls: one real high-severity change of X's terms, one of a small example page."""
    twitter = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == ("twitter", "Terms of Service"))
    start = next(i for i, p in enumerate(twitter.versions) if p.name.startswith("2026-01-16"))
    twitter = RecordedDocument("twitter", "Terms of Service", twitter.versions[start:start + 2])
    example_dir = tmp_path / "recorded"
    example_dir.mkdir()
    (example_dir / "1.md").write_text(EXAMPLE_OLD, encoding="utf-8")
    (example_dir / "2.md").write_text(EXAMPLE_NEW, encoding="utf-8")
    example = RecordedDocument("example", "Terms of Service", (example_dir / "1.md", example_dir / "2.md"))
    server = ReplayServer(documents=[twitter, example]).start()
    try:
        declarations = server.write_declarations(tmp_path / "declarations")
        server.routes["/broken"] = page("<h1>Internal error</h1>", status=500)
        broken = {"name": "Snapchat", "terms": {"Community Guidelines": {"fetch": server.url("/broken"),
                                                                          "select": "main"}}}
        (declarations / "snapchat.json").write_text(json.dumps(broken), encoding="utf-8")
        env = cli_env(database_url, tmp_path, declarations, **mail_env(smtp_port, **extra))
        (tmp_path / "channels.toml").write_text(CHANNELS, encoding="utf-8")
        cli = Cli(env, tmp_path)
        for step in range(2):
            if step:
                server.step()
            done = cli("init") if step == 0 else None
            assert done is None or done.returncode == 0, done.stderr
            crawled = cli("crawl")
            assert crawled.returncode == 0, crawled.stderr
    finally:
        server.stop()
    return Crawled(cli, env, tmp_path)


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("fi", 0, "ei yhtään merkittävää"),
        ("fi", 1, "1 merkittävä"),
        ("fi", 3, "3 merkittävää"),
        ("en", 0, "none high"),
        ("en", 1, "1 high"),
        ("en", 3, "3 high"),
    ],
)
def test_digest_subject_counts_high_changes_in_correct_finnish(lang: str, count: int, expected: str) -> None:
    from tosmonitor.notify import i18n

    assert i18n.high_count(lang, count) == expected
    assert i18n.t(lang, "digest_summary", count=5, high=i18n.high_count(lang, count)).endswith(expected)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_emails_name_severities_and_clause_kinds_as_the_web_ui_does(lang: str) -> None:
    """A reader who follows an email's link to the change page sees the same word for the same thing."""
    from tosmonitor.notify import i18n
    from tosmonitor.web.i18n import translations

    web = translations(lang)
    for severity in ("high", "medium", "low"):
        assert i18n.t(lang, f"severity_{severity}") == web.gettext(severity), severity
    for kind in ("added", "removed", "modified", "moved"):
        assert i18n.t(lang, f"kind_{kind}") == web.gettext(kind), kind
