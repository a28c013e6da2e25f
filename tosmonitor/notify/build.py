"""Build the emails: Jinja2 templates (``templates/email/``) -> a ``multipart/alternative`` message.

HTML templates autoescape everything; the diff filter below escapes each piece itself and returns
``Markup``. Styles are inline attributes only (mail clients strip ``<style>``), in one column no
wider than 600px so a phone's mail client shows it without side-scrolling.
"""

from __future__ import annotations

import secrets
import textwrap
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tosmonitor.diffing import diff_ops_html
from tosmonitor.notify import i18n
from tosmonitor.notify.content import ChangeView, DigestView
from tosmonitor.notify.mailconfig import MailConfig
from tosmonitor.resources import templates_dir

SUBJECT_PREFIX = "[tosmonitor]"
INS_STYLE = "background:#d4f7dc;color:#0b4a1c;text-decoration:underline;"
DEL_STYLE = "background:#fde2e1;color:#7a1010;text-decoration:line-through;"


def diff_html(diff: list[tuple[int, str]]) -> Markup:
    """Word diff as HTML with inline-styled ``<ins>`` / ``<del>``; every text piece escaped, Markdown
    syntax hidden as on the web page."""
    ops = [(int(op), str(text)) for op, text in diff]
    whole = len({op for op, _ in ops}) <= 1  # a wholly added, removed or moved clause
    return Markup(
        diff_ops_html(ops, whole=whole, ins=f'<ins style="{INS_STYLE}">', delete=f'<del style="{DEL_STYLE}">')
    )


def diff_text(diff: list[tuple[int, str]]) -> str:
    """Word diff with ``[-removed-]`` / ``{+added+}`` markers (as ``tosmonitor diff``)."""
    return "".join(f"[-{text}-]" if op == -1 else f"{{+{text}+}}" if op == 1 else text for op, text in diff)


def wrap(text: str, width: int = 72, indent: str = "") -> str:
    """Wrap each line of ``text`` for plain-text mail, never breaking words or URLs."""
    lines = []
    for line in text.split("\n"):
        if not line.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(line, width=width, initial_indent=indent, subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False) or [indent])
    return "\n".join(lines)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "email"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(diff_html=diff_html, diff_text=diff_text, wrap=wrap, local_date=i18n.local_date,
                       local_time=i18n.local_time, topic_label=i18n.topic_label)
    return env


def render(name: str, lang: str, **context: object) -> tuple[str, str]:
    """The (text, html) pair of template ``name`` (``name.txt`` and ``name.html``)."""
    env = environment()

    def tr(key: str, **values: object) -> str:
        return i18n.t(lang, key, **values)

    values = {"lang": lang, "t": tr, "ins_style": INS_STYLE, "del_style": DEL_STYLE, **context}
    return env.get_template(f"{name}.txt").render(values), env.get_template(f"{name}.html").render(values)


def new_message_id(config: MailConfig, label: str) -> str:
    """A globally unique Message-ID in the sender's domain, e.g. ``<alert-12.20260411T0102.5f3a…@alajarvi.fi>``.

    Shorter than :func:`email.utils.make_msgid`'s (which adds the pid and a 64-bit number): a header
    longer than 78 characters gets folded, and some parsers then keep the folding space in the ID.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"<{label}.{stamp}.{secrets.token_hex(6)}@{config.domain}>"


def message(
    config: MailConfig,
    *,
    subject: str,
    recipients: list[str],
    text: str,
    html: str,
    message_id: str,
    date: datetime,
) -> EmailMessage:
    """A ``multipart/alternative`` message: the plain text part first, the HTML part preferred."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = config.mail_from if "<" in config.mail_from else formataddr(("tosmonitor", config.mail_from))
    if recipients:
        msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["Content-Language"] = config.lang
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def alert_subject(change: ChangeView) -> str:
    return f"{SUBJECT_PREFIX} {change.headline}"


def alert_message(config: MailConfig, change: ChangeView, *, recipients: list[str], message_id: str,
                  date: datetime, subject: str | None = None) -> EmailMessage:
    subject = subject or alert_subject(change)
    text, html = render("alert", config.lang, change=change, subject=subject)
    return message(config, subject=subject, recipients=recipients, text=text, html=html,
                   message_id=message_id, date=date)


def digest_subject(digest: DigestView, lang: str) -> str:
    changes = digest.changes
    high = sum(1 for c in changes if c.severity == "high")
    if not changes:
        summary = i18n.t(lang, "digest_summary_empty")
    elif len(changes) == 1:
        summary = i18n.t(lang, "digest_summary_one") + f": {changes[0].headline}"
    else:
        summary = i18n.t(lang, "digest_summary", count=len(changes), high=i18n.high_count(lang, high))
    period = i18n.t(lang, "digest_subject", start=i18n.local_date(digest.start), end=i18n.local_date(digest.end),
                    summary=summary)
    return f"{SUBJECT_PREFIX} {period}"


def digest_message(config: MailConfig, digest: DigestView, *, recipients: list[str], message_id: str,
                   date: datetime, subject: str | None = None) -> EmailMessage:
    subject = subject or digest_subject(digest, config.lang)
    text, html = render("digest", config.lang, digest=digest, subject=subject)
    return message(config, subject=subject, recipients=recipients, text=text, html=html,
                   message_id=message_id, date=date)
