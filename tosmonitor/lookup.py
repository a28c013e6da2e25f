"""The lookup brief: what a service's terms say *now*, by topic, before the town opens a channel there.

For each document's latest version the clauses in force are split (:func:`tosmonitor.clauses.split_clauses`),
tagged (:func:`tosmonitor.topics.tag`) and grouped by topic. Each clause carries the date it last
changed (the version whose change brought exactly this text, else the first version) and the review
status of that change's clause. The brief also lists the service's open reviews and the checklist of
the town's guideline for opening a channel. The web page, the JSON API and ``tosmonitor lookup`` all
print this one structure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tosmonitor.clauses import split_clauses
from tosmonitor.reports import iso
from tosmonitor.store import repository
from tosmonitor.store.models import Change, ChangeClause, Review, Version
from tosmonitor.topics import TOPICS, tag

CHECKLIST: tuple[dict[str, str], ...] = (
    {
        "key": "permission",
        "en": "The management group has given permission to open the channel.",
        "fi": "Johtoryhmä on antanut luvan kanavan avaamiseen.",
    },
    {
        "key": "admins",
        "en": "The channel has at least two named administrators.",
        "fi": "Kanavalla on vähintään kaksi nimettyä ylläpitäjää.",
    },
    {
        "key": "passwords",
        "en": "The channel's passwords are not shared with the town's internal systems.",
        "fi": "Kanavan salasanat eivät ole samoja kuin kaupungin sisäisissä järjestelmissä.",
    },
    {
        "key": "email",
        "en": "The town's e-mail addresses are not used for private accounts.",
        "fi": "Kaupungin sähköpostiosoitteita ei käytetä yksityisiin tileihin.",
    },
    {
        "key": "terms",
        "en": "The terms in force (this brief) have been read, and open reviews are settled.",
        "fi": "Voimassa olevat käyttöehdot (tämä kooste) on luettu ja avoimet tarkastukset ratkaistu.",
    },
)


@lru_cache(maxsize=256)
def _tagged_clauses(text: str) -> tuple[tuple[str, str | None, tuple[str, ...], str, Any], ...]:
    """(text, heading, topics, severity, matches) of each tagged clause of a version text (cached)."""
    out = []
    for clause in split_clauses(text):
        tagging = tag(clause.text)
        if tagging.topics:
            matches = {t: [[s, e, p] for s, e, p in spans] for t, spans in tagging.matches.items()}
            out.append((clause.text, clause.heading, tuple(tagging.topics), tagging.severity, matches))
    return tuple(out)


def _introductions(session: Session, document_id: int, texts: list[str]) -> dict[str, tuple[int, Any, int]]:
    """Clause text -> (version number, fetched_at, change clause id) of the newest change that brought it."""
    found: dict[str, tuple[int, Any, int]] = {}
    unique = sorted(set(texts))
    for start in range(0, len(unique), 500):
        rows = session.execute(
            select(ChangeClause.new_text, ChangeClause.id, Version.number, Version.fetched_at)
            .join(Change, ChangeClause.change_id == Change.id)
            .join(Version, Change.to_version_id == Version.id)
            .where(
                Change.document_id == document_id,
                ChangeClause.kind.in_(("added", "modified")),
                ChangeClause.new_text.in_(unique[start : start + 500]),
            )
        )
        for text, clause_id, number, fetched_at in rows:
            if text not in found or found[text][0] < number:
                found[text] = (number, fetched_at, clause_id)
    return found


def open_review_rows(session: Session, service_id: str) -> list[dict[str, Any]]:
    """The service's open reviews, high first and newest first (a lean query: ids, kinds, topics)."""
    from sqlalchemy import case

    from tosmonitor.reviews import ensure_reviews
    from tosmonitor.store.models import Document

    ensure_reviews(session)
    rank = case({"high": 0, "medium": 1}, value=ChangeClause.severity, else_=2)
    rows = session.execute(
        select(Review.id, ChangeClause.kind, ChangeClause.severity, ChangeClause.topics, Change.id,
               Document.type, Version.number)
        .join(ChangeClause, Review.change_clause_id == ChangeClause.id)
        .join(Change, ChangeClause.change_id == Change.id)
        .join(Document, Change.document_id == Document.id)
        .join(Version, Change.to_version_id == Version.id)
        .where(Review.status == "open", Document.service_id == service_id)
        .order_by(rank, Change.created_at.desc(), Change.id.desc(), ChangeClause.position)
    )
    return [
        {"id": rid, "status": "open", "change": change_id, "service": service_id, "type": doc_type,
         "version": number, "kind": kind, "severity": severity, "topics": list(topics)}
        for rid, kind, severity, topics, change_id, doc_type, number in rows
    ]


def open_reviews_by_change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`open_review_rows` grouped by change, in the rows' order (high first, newest first): a
    service with a hundred open reviews reads as a few changes, each decided at once on its page."""
    groups: dict[int, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row["change"], {
            "change": row["change"], "type": row["type"], "version": row["version"],
            "severity": row["severity"], "count": 0, "topics": [],
        })
        group["count"] += 1
        group["topics"] += [topic for topic in row["topics"] if topic not in group["topics"]]
    return list(groups.values())


def _review_brief(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "id": review.id,
        "status": review.status,
        "reviewer": review.reviewer,
        "note": review.note,
        "decided_at": iso(review.decided_at),
    }


def lookup_report(session: Session, service_id: str) -> dict[str, Any]:
    """The brief for one service as JSON-ready data (``tosmonitor lookup --json``, ``/api/services/<id>/lookup``).

    Shape: ``{"service", "name", "channel": null | {"state", "account", "url", "owner", "admins"},
    "documents": [{"type", "url", "version", "fetched_at", "effective_date", "updated_date"}],
    "topics": [{"topic", "severity", "definition_en", "definition_fi", "clauses": [{"type", "text",
    "heading", "matches", "last_changed", "version", "review": null | {"id", "status", "reviewer",
    "note", "decided_at"}}]}], "open_reviews": [{"id", "status", "change", "service", "type", "version",
    "kind", "severity", "topics"}], "checklist": [{"key", "en", "fi", "done"}]}``.
    """
    service = repository.require_service(session, service_id)
    channel = repository.channel_of(session, service_id)
    documents = []
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for document in service.documents:
        if not document.declared:
            continue
        latest = repository.latest_version(session, document.id)
        documents.append(
            {
                "type": document.type,
                "url": document.url,
                "version": latest.number if latest else None,
                "fetched_at": iso(latest.fetched_at) if latest else None,
                "effective_date": latest.effective_date if latest else None,
                "updated_date": latest.updated_date if latest else None,
            }
        )
        if latest is None:
            continue
        first = session.execute(
            select(Version.number, Version.fetched_at).where(Version.document_id == document.id)
            .order_by(Version.number).limit(1)
        ).one()
        tagged = _tagged_clauses(latest.text)
        introduced = _introductions(session, document.id, [text for text, *_ in tagged])
        clause_ids = [introduced[text][2] for text, *_ in tagged if text in introduced]
        reviews = {
            r.change_clause_id: r
            for r in session.scalars(select(Review).where(Review.change_clause_id.in_(clause_ids)))
        } if clause_ids else {}
        listed: set[tuple[str, str]] = set()
        for text, heading, topics, _severity, matches in tagged:
            if (text, heading or "") in listed:  # a page that carries its terms twice (X, EU and not): once
                continue
            listed.add((text, heading or ""))
            number, fetched_at, clause_id = introduced.get(text, (first.number, first.fetched_at, None))
            entry = {
                "type": document.type,
                "text": text,
                "heading": heading,
                "matches": matches,
                "last_changed": iso(fetched_at),
                "version": number,
                "review": _review_brief(reviews.get(clause_id)) if clause_id else None,
            }
            for topic in topics:
                by_topic.setdefault(topic, []).append(dict(entry, matches={topic: matches[topic]}))
    topics = [
        {
            "topic": name,
            "severity": TOPICS[name].severity,
            "definition_en": TOPICS[name].definition_en,
            "definition_fi": TOPICS[name].definition_fi,
            "clauses": by_topic[name],
        }
        for name in sorted(by_topic, key=lambda n: (TOPICS[n].severity != "high", list(TOPICS).index(n)))
    ]
    admins = list(channel.admins) if channel else []
    checklist = [dict(item, done=(len(admins) >= 2) if item["key"] == "admins" else None) for item in CHECKLIST]
    return {
        "service": service.id,
        "name": service.name,
        "channel": None if channel is None else {
            "state": channel.state,
            "account": channel.account,
            "url": channel.url,
            "owner": channel.owner,
            "admins": admins,
        },
        "documents": documents,
        "topics": topics,
        "open_reviews": open_review_rows(session, service_id),
        "checklist": checklist,
    }


def lookup_text(report: dict[str, Any], lang: str) -> str:
    """The brief as plain text in ``lang`` (``tosmonitor lookup``), worded as the web page is."""
    from tosmonitor.notify.i18n import document_name, topic_label
    from tosmonitor.web.i18n import translations
    from tosmonitor.web.labels import label_in

    catalog = translations(lang)

    def _(message: str, **values: object) -> str:
        return catalog.gettext(message) % values if values else catalog.gettext(message)

    lines = [_("%(service)s: terms in force", service=report["name"]), "", _("The town's channel")]
    channel = report["channel"]
    if channel:
        admins = ", ".join(channel["admins"]) or "–"
        lines.append(f"  {label_in(lang, 'state', channel['state'])} – {channel['account'] or '–'}; "
                     f"{_('owner')}: {channel['owner'] or '–'}; {_('administrators')}: {admins}")
    else:
        lines.append("  " + _("The town has no channel on this service yet."))
    lines += ["", _("Documents")]
    for document in report["documents"]:
        state = (_("version %(n)s, fetched %(when)s", n=document["version"], when=document["fetched_at"][:10])
                 if document["version"] else _("not fetched yet"))
        lines.append(f"  {document_name(document['type'], lang)}: {state}")
    lines += ["", _("Checklist for opening a channel")]
    for item in report["checklist"]:
        mark = {True: "[x]", False: "[!]", None: "[ ]"}[item["done"]]
        lines.append(f"  {mark} {item[lang]}")
    lines += ["", _("Open reviews")]
    if not report["open_reviews"]:
        lines.append("  " + _("No open reviews."))
    for group in open_reviews_by_change(report["open_reviews"]):
        number = group["count"]
        count = catalog.ngettext("%(num)s open review", "%(num)s open reviews", number) % {"num": number}
        topics = ", ".join(topic_label(t, lang) for t in group["topics"])
        lines.append(f"  {document_name(group['type'], lang)} v{group['version']} ({_('Change').lower()} "
                     f"{group['change']}, {label_in(lang, 'severity', group['severity'])}): {count} – {topics}")
    lines += ["", _("Clauses in force, by topic")]
    for topic in report["topics"]:
        lines += ["", f"== {topic_label(topic['topic'], lang)} ({label_in(lang, 'severity', topic['severity'])}): "
                      f"{topic['definition_' + lang]}"]
        for clause in topic["clauses"]:
            review = clause["review"]
            status = label_in(lang, "status", review["status"] if review else None)
            changed = _("last changed %(when)s (version %(n)s)", when=clause["last_changed"][:10], n=clause["version"])
            lines.append(f"  - [{document_name(clause['type'], lang)}, {changed}, {status}]")
            lines.append(f"    {clause['text']}")
    return "\n".join(lines)
