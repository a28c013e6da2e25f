"""Atom feed of changes (feedgen): one entry per change, with its topics and plain statements.

The same changes the emails report, in the format people already subscribe to from Open Terms
Archive. Technical upgrades (re-extractions) are left out, as in the emails.
"""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import escape
from sqlalchemy import Engine, select

from tosmonitor.notify import content, i18n
from tosmonitor.store.db import session_factory
from tosmonitor.store.models import Change

ATOM = "{http://www.w3.org/2005/Atom}"
# Each entry's links, in the order they are added: the change page, then the terms' source URL.
ENTRY_LINK_RELS = ("alternate", "related")


def _entry_html(change: content.ChangeView, lang: str) -> str:
    parts = [f"<p>{escape(change.service_name)} / {escape(change.doc_name)}: "
             f"{escape(i18n.t(lang, 'version_step', old=change.from_number, old_date=change.from_date, new=change.to_number, new_date=change.to_date))}"  # noqa: E501
             f" ({escape(i18n.t(lang, 'severity_' + change.severity))})</p>"]
    if change.topics:
        labels = ", ".join(i18n.topic_label(topic, lang) for topic in change.topics)
        parts.append(f"<p>{escape(i18n.t(lang, 'topics'))}: {escape(labels)}</p>")
    if change.statements:
        parts.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in change.statements) + "</ul>")
    parts.append(f'<p><a href="{escape(change.url)}">{escape(change.url)}</a></p>')
    return "\n".join(parts)


def build_feed(engine: Engine, lang: str, base_url: str, limit: int = 200) -> bytes:
    """The Atom document of the newest ``limit`` changes (oldest entry first in the file)."""
    base_url = base_url.rstrip("/")
    generator = FeedGenerator()
    generator.id(f"{base_url}/feed.atom")
    generator.title(i18n.t(lang, "feed_title"))
    generator.subtitle(i18n.t(lang, "feed_subtitle"))
    generator.link(href=f"{base_url}/feed.atom", rel="self")
    generator.link(href=f"{base_url}/", rel="alternate")
    generator.language(lang)
    generator.author({"name": "tosmonitor"})
    generator.generator("tosmonitor")
    latest = None
    with session_factory(engine)() as session:
        changes = list(session.scalars(
            select(Change).where(Change.technical.is_(False)).order_by(Change.created_at.desc(), Change.id.desc())
            .limit(limit)
        ))
        for change in reversed(changes):
            view = content.change_view(session, change, lang, base_url, clauses="none")
            entry = generator.add_entry()
            entry.id(view.url)
            entry.title(view.headline)
            for href, rel in zip((view.url, view.doc_url), ENTRY_LINK_RELS, strict=True):
                entry.link(href=href, rel=rel)
            entry.updated(view.created_at)
            entry.published(view.created_at)
            for topic in view.topics:
                entry.category(term=topic, label=i18n.topic_label(topic, lang))
            entry.content(_entry_html(view, lang), type="html")
            latest = view.created_at if latest is None or view.created_at > latest else latest
    if latest is not None:
        generator.updated(latest)
    return _with_entry_link_rels(generator.atom_str())


def _with_entry_link_rels(atom: bytes) -> bytes:
    """Put back the entries' link ``rel`` that feedgen 1.0.0 drops (its ``FeedEntry.atom_entry`` reads
    ``rel`` from the new element instead of the link data). Without it both links count as
    rel="alternate" of the same type, which RFC 4287 section 4.1.1 forbids."""
    root = etree.fromstring(atom)
    for entry in root.iter(f"{ATOM}entry"):
        for link, rel in zip(entry.findall(f"{ATOM}link"), ENTRY_LINK_RELS, strict=True):
            link.set("rel", rel)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
