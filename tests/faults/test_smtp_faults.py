"""SMTP faults: a server that rejects every recipient, or that never answers. Nothing lost, nothing twice."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.test_notify_email import digest_rows
from tests.test_notify_support import Inbox, SmtpServer, crawl_changes, free_port


@dataclass
class RejectingInbox(Inbox):
    """Refuses every recipient with a permanent error, like a server that does not know them."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        return "550 5.1.1 No such user here"


def test_rejected_recipients_exit_non_zero_then_a_healthy_run_sends_once(tmp_path: Path, database_url: str) -> None:
    rejecting = SmtpServer(RejectingInbox()).start()
    crawled = crawl_changes(tmp_path, database_url, rejecting.port)
    try:
        refused = crawled.cli("notify")
    finally:
        rejecting.stop()
    assert refused.returncode == 1
    assert "550" in refused.stderr or "refused" in refused.stderr.lower()
    assert rejecting.inbox.received == []
    assert digest_rows(database_url) and all(row.sent_at is None for row in digest_rows(database_url))

    healthy = SmtpServer(port=rejecting.port).start()
    try:
        assert crawled.cli("notify").returncode == 0
        assert crawled.cli("notify").returncode == 0
    finally:
        healthy.stop()
    ids = healthy.inbox.message_ids()
    assert len(ids) == len(set(ids)) == len(digest_rows(database_url))
    assert all(row.sent_at is not None for row in digest_rows(database_url))


def test_silent_server_times_out_and_nothing_is_marked_sent(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing() -> None:  # a server that never sends its greeting
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    acceptor = threading.Thread(target=accept_and_say_nothing, daemon=True)
    acceptor.start()
    crawled = crawl_changes(tmp_path, database_url, port, TOSMONITOR_SMTP_TIMEOUT="2")
    try:
        silent = crawled.cli("notify", timeout=60)
    finally:
        stop.set()
        acceptor.join(5)
        for connection in accepted:
            connection.close()
        listener.close()
    assert silent.returncode == 1
    assert "timed out" in silent.stderr.lower() or "timeout" in silent.stderr.lower()
    assert all(row.sent_at is None for row in digest_rows(database_url))

    healthy = SmtpServer(port=port).start()
    try:
        assert crawled.cli("notify").returncode == 0
    finally:
        healthy.stop()
    assert len(healthy.inbox.received) == len(digest_rows(database_url))
