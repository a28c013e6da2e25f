"""Security of the emails: an alert and a digest built from the hostile change (``conftest.PAYLOAD``) by
``tosmonitor.notify.build``; the HTML part must hold no executable markup, the text part quotes the terms
as they are, and no header carries any of it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy.orm import Session

from tests.security.conftest import SCRIPT, TEMPLATE_PROBE, HostileSite
from tests.security.test_web_security import assert_inert
from tosmonitor.notify import build
from tosmonitor.notify.content import change_view, digest_view
from tosmonitor.notify.mailconfig import MailConfig
from tosmonitor.store import make_engine
from tosmonitor.store.models import Change

BASE_URL = "https://tos.alajarvi.example"


def config(lang: str) -> MailConfig:
    return MailConfig(host="127.0.0.1", port=25, user="", password="", security="none", timeout=5,
                      mail_from="tosmonitor@alajarvi.example",
                      recipients={"comms": ("viestinta@alajarvi.example",), "legal": ("lakimies@alajarvi.example",)},
                      lang=lang, base_url=BASE_URL)


def messages(hostile: HostileSite, lang: str) -> dict[str, EmailMessage]:
    engine = make_engine(hostile.site.url)
    try:
        with Session(engine) as session:
            change = session.get(Change, hostile.change_id)
            assert change is not None
            now = datetime.now(UTC)
            alert = build.alert_message(config(lang), change_view(session, change, lang, BASE_URL),
                                        recipients=["lakimies@alajarvi.example"], message_id="<a@alajarvi.example>",
                                        date=now)
            digest = digest_view(session, now - timedelta(days=30), now + timedelta(minutes=1), lang, BASE_URL)
            assert any(c.id == hostile.change_id for c in digest.changes)
            weekly = build.digest_message(config(lang), digest, recipients=["viestinta@alajarvi.example"],
                                          message_id="<d@alajarvi.example>", date=now)
            return {"alert": alert, "digest": weekly}
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_alert_and_digest_html_is_inert(hostile: HostileSite, lang: str) -> None:
    for kind, message in messages(hostile, lang).items():
        html = message.get_body(("html",)).get_content()
        soup = assert_inert(html, kind)
        text = soup.get_text()
        assert "TPL-49-END" not in text, kind
        for link in soup.find_all("a"):
            assert link["href"].startswith(("https://", "http://")), (kind, link["href"])
        if kind == "alert":  # the digest shows only the first clauses; the alert quotes the flagged one in full
            assert SCRIPT in text and TEMPLATE_PROBE in text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
            # a Markdown link is shown as its text (the target hidden, never made a link)
            assert "our policy" in text
            assert not soup.find_all(href=lambda href: href and "javascript" in href)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_text_part_and_headers(hostile: HostileSite, lang: str) -> None:
    for kind, message in messages(hostile, lang).items():
        plain = message.get_body(("plain",)).get_content()
        assert "TPL-49-END" not in plain, kind
        if kind == "alert":
            assert SCRIPT in plain and TEMPLATE_PROBE in plain  # plain text quotes the terms as they are
        for header, value in message.items():
            assert "<script" not in str(value).lower() and "\n" not in str(value).strip(), (kind, header)
        assert message.get_content_type() == "multipart/alternative"
