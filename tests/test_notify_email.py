"""Alerts, digests and the feed end to end: real crawls of the replay server, a real SMTP server (aiosmtpd).

Messages are parsed back from what the server received; exactly-once is checked against SMTP being
down and against the sender being killed (SIGKILL) while the server holds a message in DATA.
"""

from __future__ import annotations

import email
import email.policy
import signal
import time
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Cli
from tests.test_notify_support import SCRIPT_TEXT, Inbox, SmtpServer, crawl_changes
from tosmonitor.store import make_engine
from tosmonitor.store.models import Digest

ATOM = "{http://www.w3.org/2005/Atom}"


def digest_rows(database_url: str) -> list[Digest]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Digest).order_by(Digest.id)))
    finally:
        engine.dispose()


def by_subject(inbox: Inbox, text: str):  # type: ignore[no-untyped-def]
    found = [r for r in inbox.received if text in r.message["Subject"]]
    assert len(found) == 1, [r.message["Subject"] for r in inbox.received]
    return found[0]


def test_alerts_digest_feed_end_to_end(tmp_path: Path, database_url: str) -> None:
    smtp = SmtpServer()  # not started yet: the first attempt finds the server down
    crawled = crawl_changes(tmp_path, database_url, smtp.port)
    cli = crawled.cli

    down = cli("notify")
    assert down.returncode == 1
    assert "cannot connect to SMTP server 127.0.0.1" in down.stderr
    assert "run the command again" in down.stderr
    rows = digest_rows(database_url)
    assert len(rows) == 2 and all(row.sent_at is None for row in rows)
    queued_ids = {row.message_id for row in rows}

    smtp.start()
    try:
        sent = cli("notify")
        assert sent.returncode == 0, sent.stderr
        inbox = smtp.inbox
        assert len(inbox.received) == 2
        assert set(inbox.message_ids()) == queued_ids  # the Message-IDs recorded before the failed attempt
        assert all(row.sent_at is not None for row in digest_rows(database_url))

        twitter = by_subject(inbox, "Twitter")
        assert twitter.message["Subject"] == (
            "[tosmonitor] Twitter: Käyttöehdot muuttuivat — tuomioistuin")
        assert sorted(twitter.rcpt_tos) == ["lakimies@alajarvi.example", "x-owner@alajarvi.example"]
        assert twitter.message["From"] == "tosmonitor <tosmonitor@alajarvi.example>"
        assert twitter.message["Message-ID"].endswith("@alajarvi.example>")
        assert twitter.message.get_content_type() == "multipart/alternative"
        text = twitter.message.get_body(("plain",)).get_content()
        html = twitter.message.get_body(("html",)).get_content()
        assert "{+Wichita County or +}Tarrant County" in text
        assert "<ins " in html and ">Wichita County or </ins>Tarrant County" in html
        assert "tuomioistuimet: Tarrant County, Texas, Yhdysvallat → Wichita County, Tarrant County" in text
        assert "Miksi merkitty" in text and "“federal or state courts”" in text
        assert "https://tos.alajarvi.example/changes/" in text and 'href="https://tos.alajarvi.example/changes/' in html
        assert "<style" not in html and 'style="' in html

        example = by_subject(inbox, "Example")
        assert example.rcpt_tos == ["lakimies@alajarvi.example"]  # no channel on that service
        text = example.message.get_body(("plain",)).get_content()
        html = example.message.get_body(("html",)).get_content()
        assert "sovellettava laki: Irlanti → Kalifornia" in text
        assert "[-Ireland-]{+the State of California+}" in text
        assert SCRIPT_TEXT in text  # the plain text part quotes it as it is
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
        assert '<del style="' in html and ">Ireland</del>" in html

        again = cli("notify")
        assert again.returncode == 0 and "No pending legal alerts." in again.stdout
        assert len(inbox.received) == 2

        # --out writes the exact message and records nothing
        out = tmp_path / "digest.eml"
        written = cli("digest", "--out", str(out))
        assert written.returncode == 0, written.stderr
        assert len(digest_rows(database_url)) == 2 and len(inbox.received) == 2
        eml = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
        assert eml["Subject"].startswith("[tosmonitor] Viikkokooste ")
        assert eml["Subject"].endswith(": 2 muutosta, joista 2 merkittävää")
        digest_text = eml.get_body(("plain",)).get_content()
        assert digest_text.index("Example") < digest_text.index("Snapchat") < digest_text.index("Twitter")
        assert "Seuranta ei toimi" in digest_text
        assert "Yhteisön säännöt: haku epäonnistunut" in digest_text and "http_error" in digest_text
        assert "{+Wichita County or +}" in digest_text
        assert "<script" not in eml.get_body(("html",)).get_content()

        en_cli = Cli({**cli.env, "TOSMONITOR_LANG": "en"}, cli.cwd)
        written = en_cli("digest", "--out", str(tmp_path / "en.eml"))
        assert written.returncode == 0, written.stderr
        eml_en = email.message_from_bytes((tmp_path / "en.eml").read_bytes(), policy=email.policy.default)
        assert eml_en["Subject"].endswith(": 2 changes, 2 high")
        en_text = eml_en.get_body(("plain",)).get_content()
        assert "Weekly terms digest" in en_text and "Watch not working" in en_text
        assert "governing law: Ireland → California" in en_text
        assert "Terms of Service" in en_text and "Käyttöehdot" not in en_text

        # the digest, sent once
        sent = cli("digest", "--send")
        assert sent.returncode == 0, sent.stderr
        comms = [r for r in inbox.received if "Viikkokooste" in r.message["Subject"]]
        assert len(comms) == 1
        assert sorted(comms[0].rcpt_tos) == ["some.one@alajarvi.example", "viestinta@alajarvi.example"]
        digests = [row for row in digest_rows(database_url) if row.kind == "digest"]
        assert len(digests) == 1 and digests[0].sent_at is not None
        assert digests[0].message_id == comms[0].message["Message-ID"].strip()

        # the next digest starts where the last one ended: nothing changed since, said in one line
        empty = cli("digest", "--send")
        assert empty.returncode == 0, empty.stderr
        second = [r for r in inbox.received if "Viikkokooste" in r.message["Subject"]][-1]
        assert second.message["Subject"].endswith(": ei muutoksia")
        assert "Ei muutoksia seurattujen palvelujen ehdoissa tällä jaksolla." in second.message.get_body(
            ("plain",)).get_content()

        feed = cli("feed", "--out", str(tmp_path / "feed.atom"))
        assert feed.returncode == 0, feed.stderr
    finally:
        smtp.stop()
    atom = etree.parse(str(tmp_path / "feed.atom")).getroot()
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == 2  # one per change
    titles = sorted(entry.findtext(f"{ATOM}title") for entry in entries)
    assert titles == ["Example: Käyttöehdot muuttuivat — sovellettava laki",
                      "Twitter: Käyttöehdot muuttuivat — tuomioistuin"]
    example_entry = next(e for e in entries if e.findtext(f"{ATOM}title").startswith("Example"))
    assert "sovellettava laki: Irlanti → Kalifornia" in example_entry.findtext(f"{ATOM}content")
    assert {c.get("term") for c in example_entry.findall(f"{ATOM}category")} == {"governing_law"}
    for entry in entries:  # RFC 4287 4.1.1: at most one rel="alternate" link per type (a link without rel is one)
        links = entry.findall(f"{ATOM}link")
        assert [link.get("rel") for link in links] == ["alternate", "related"]
        assert links[0].get("href") == entry.findtext(f"{ATOM}id")  # the change page
        assert links[1].get("href") != links[0].get("href")  # the terms' source URL


def test_kill_during_sending_sends_nothing_twice(tmp_path: Path, database_url: str) -> None:
    """SIGKILL while the server holds the second alert in DATA; the re-run sends only that one."""
    inbox = Inbox(stall_on=2)
    smtp = SmtpServer(inbox).start()
    crawled = crawl_changes(tmp_path, database_url, smtp.port, TOSMONITOR_SMTP_TIMEOUT="60")
    process = crawled.cli.popen("notify")
    try:
        assert inbox.stalled.wait(60), "the second message never reached DATA"
        time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        smtp.stop()
    assert process.returncode == -signal.SIGKILL
    assert len(inbox.received) == 1
    first_id = inbox.message_ids()[0]
    rows = digest_rows(database_url)
    assert [row.message_id for row in rows if row.sent_at is not None] == [first_id]
    pending = [row for row in rows if row.sent_at is None]
    assert len(pending) == 1

    restarted = SmtpServer(port=smtp.port).start()
    try:
        rerun = crawled.cli("notify")
        assert rerun.returncode == 0, rerun.stderr
        again = crawled.cli("notify")
        assert again.returncode == 0, again.stderr
    finally:
        restarted.stop()
    assert restarted.inbox.message_ids() == [pending[0].message_id]  # the pending one, with its recorded ID
    assert all(row.sent_at is not None for row in digest_rows(database_url))


def test_empty_week_and_config_errors(tmp_path: Path, database_url: str) -> None:
    """No change in the period: one line. Missing or wrong settings: exit 1 before anything is sent."""
    from tests.conftest import cli_env
    from tests.test_notify_support import mail_env

    smtp = SmtpServer().start()
    try:
        declarations = tmp_path / "declarations"
        declarations.mkdir()
        (declarations / "example.json").write_text(
            '{"name": "Example", "terms": {"Terms of Service": {"fetch": "http://127.0.0.1:9/tos", "select": "main"}}}')
        env = cli_env(database_url, tmp_path, declarations, **mail_env(smtp.port))
        cli = Cli(env, tmp_path)
        assert cli("init").returncode == 0
        for key, value, expected in [
            ("TOSMONITOR_SMTP_HOST", "", "TOSMONITOR_SMTP_HOST: not set"),
            ("TOSMONITOR_MAIL_FROM", "", "TOSMONITOR_MAIL_FROM: not set"),
            ("TOSMONITOR_MAIL_COMMS", "", "TOSMONITOR_MAIL_COMMS: no recipients"),
            ("TOSMONITOR_MAIL_COMMS", "viestinta at alajarvi", "not an e-mail address"),
            ("TOSMONITOR_SMTP_SECURITY", "tls", "smtp_security: must be one of none, starttls, ssl"),
            ("TOSMONITOR_BASE_URL", "tos.alajarvi.example", "TOSMONITOR_BASE_URL: must be an http(s) URL"),
        ]:
            bad = Cli({**env, key: value}, tmp_path)("digest", "--send")
            assert bad.returncode == 1, (key, bad.stderr)
            assert expected in bad.stderr, (key, bad.stderr)
        # a password over a plain connection to another machine is refused before anything is sent
        login = {"TOSMONITOR_SMTP_USER": "tosmonitor", "TOSMONITOR_SMTP_PASSWORD": "secret-word"}
        for host, expected in [("smtp.alajarvi.example", "the password would cross the network unencrypted"),
                               ("192.0.2.25", "the password would cross the network unencrypted")]:
            bad = Cli({**env, **login, "TOSMONITOR_SMTP_HOST": host,
                       "TOSMONITOR_SMTP_SECURITY": "none"}, tmp_path)("digest", "--send")
            assert bad.returncode == 1, (key, bad.stderr)
            assert expected in bad.stderr, (key, bad.stderr)
        assert Cli({**env, "TOSMONITOR_MAIL_LEGAL": ""}, tmp_path)("notify").returncode == 1
        assert digest_rows(database_url) == [] and smtp.inbox.received == []
        usage = cli("digest")
        assert usage.returncode == 2 and "exactly one of --send or --out" in usage.stderr

        sent = cli("digest", "--send", "--audience", "legal", "--since", "2026-01-01")
        assert sent.returncode == 0, sent.stderr
        (received,) = smtp.inbox.received
        assert received.rcpt_tos == ["lakimies@alajarvi.example"]
        assert received.message["Subject"].startswith("[tosmonitor] Viikkokooste 2026-01-01–")
        assert received.message["Subject"].endswith(": ei muutoksia")
        text = received.message.get_body(("plain",)).get_content()
        assert "Ei muutoksia seurattujen palvelujen ehdoissa tällä jaksolla." in text
        html = received.message.get_body(("html",)).get_content()
        assert "Ei muutoksia seurattujen palvelujen ehdoissa tällä jaksolla." in html
        repeated = cli("digest", "--send", "--audience", "legal", "--since", "2026-01-01")
        assert repeated.returncode == 1 and "already recorded" in repeated.stderr
        assert len(smtp.inbox.received) == 1
    finally:
        smtp.stop()


def test_run_from_cron_is_silent_on_a_quiet_day(tmp_path: Path, database_url: str) -> None:
    """cron mails whatever a job prints: `run` prints nothing when nothing changed, failed or was sent."""
    from tests.conftest import cli_env
    from tests.test_notify_support import EXAMPLE_OLD, mail_env
    from tosmonitor.replay import RecordedDocument, ReplayServer

    (tmp_path / "1.md").write_text(EXAMPLE_OLD, encoding="utf-8")
    example = RecordedDocument("example", "Terms of Service", (tmp_path / "1.md",))
    smtp = SmtpServer().start()
    server = ReplayServer(documents=[example]).start()
    try:
        declarations = server.write_declarations(tmp_path / "declarations")
        cli = Cli(cli_env(database_url, tmp_path, declarations, **mail_env(smtp.port)), tmp_path)
        assert cli("init").returncode == 0
        first = cli("run")  # the first version: said, once
        assert first.returncode == 0 and "new version: example / Terms of Service" in first.stdout
        quiet = cli("run")
        assert quiet.returncode == 0, quiet.stderr
        assert quiet.stdout == ""
        assert cli("notify").stdout.strip() == "No pending legal alerts."  # asked by hand: answered
    finally:
        server.stop()
        smtp.stop()
