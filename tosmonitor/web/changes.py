"""One change: its clause-level diff with word highlights, topics, why-flagged phrases and statements."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tosmonitor.diffing import NOTES, ClauseChange, render_html
from tosmonitor.reviews import DECISIONS, NOTE_LIMIT, ReviewError, decide_change, ensure_reviews
from tosmonitor.store.models import Change, ChangeClause, Review, Version
from tosmonitor.web import db
from tosmonitor.web.auth import login_required, role_required
from tosmonitor.web.i18n import current_lang, ngettext
from tosmonitor.web.i18n import gettext as _
from tosmonitor.web.labels import N_, kind_label, severity_label

bp = Blueprint("changes", __name__)
N_("only links or formatting changed")  # diffing.NOTES["same_words"], for the catalogs


def clause_change(clause: ChangeClause) -> ClauseChange:
    return ClauseChange(
        kind=clause.kind,
        old=clause.old_text,
        new=clause.new_text,
        old_index=clause.old_index,
        new_index=clause.new_index,
        heading=clause.heading,
        diff=[(op, text) for op, text in clause.diff],
        topics=list(clause.topics),
        severity=clause.severity,
        matches={t: [tuple(m) for m in spans] for t, spans in clause.matches.items()},
        statements=list(clause.statements),
    )


def clause_label(category: str, code: str) -> str:
    """A kind, severity or topic code in the page's language."""
    if category == "topic":
        from tosmonitor.notify.i18n import topic_label

        return topic_label(code, current_lang())
    if category == "note":
        return _(NOTES[code])
    return kind_label(code) if category == "kind" else severity_label(code)


def clause_html(clause: ChangeClause) -> Markup:
    """The escaped diff of one clause (diffing.render_html does all the escaping)."""
    return changes_html([clause_change(clause)])


def changes_html(changes: list[ClauseChange]) -> Markup:
    """Clause diffs in the page's language: labels translated, statements in that language only."""
    return render_html(changes, langs=(current_lang(),), label=clause_label)


@bp.get("/changes/<int:change_id>")
@login_required
def change(change_id: int):  # type: ignore[no-untyped-def]
    session = db()
    change = session.scalar(
        select(Change).where(Change.id == change_id).options(
            selectinload(Change.clauses), selectinload(Change.document),
            selectinload(Change.to_version).load_only(Version.id, Version.number, Version.fetched_at),
            selectinload(Change.from_version).load_only(Version.id, Version.number, Version.fetched_at),
        )
    ) or abort(404)
    if ensure_reviews(session, [change.document_id]):
        session.commit()
    reviews = {
        r.change_clause_id: r
        for r in session.scalars(select(Review).where(Review.change_clause_id.in_([c.id for c in change.clauses])))
    }
    clauses = list(change.clauses)
    return render_template(
        "web/change.html", change=change, clauses=clauses, reviews=reviews, clause_html=clause_html,
        decisions=DECISIONS, open_count=sum(1 for review in reviews.values() if review.status == "open"),
    )


def decision_from_form() -> tuple[str, str]:
    """The posted (decision, note); 400 unless the decision is one of :data:`DECISIONS` and the note fits."""
    status = request.form.get("status", "")
    note = request.form.get("note", "").strip()
    if status not in DECISIONS or len(note) > NOTE_LIMIT:
        abort(400)
    return status, note


@bp.post("/changes/<int:change_id>/reviews")
@role_required("legal")
def decide_all(change_id: int):  # type: ignore[no-untyped-def]
    """One decision for every open review of the change; decided reviews keep theirs."""
    session = db()
    status, note = decision_from_form()
    if not note:  # one click must not settle dozens of clauses without a word of why
        abort(400)
    try:
        decided = decide_change(session, change_id, status, g.user.name, note)
    except ReviewError:
        abort(404)
    session.commit()
    flash(ngettext("%(num)s open review decided.", "%(num)s open reviews decided.", len(decided)))
    return redirect(url_for("changes.change", change_id=change_id))


@bp.get("/feed.atom")
def feed():  # type: ignore[no-untyped-def]
    """The Atom feed of changes (public: it says what public terms changed, nothing of the town's reviews)."""
    from flask import Response, current_app, request

    from tosmonitor.notify.feed import build_feed

    base_url = current_app.config.get("BASE_URL") or request.host_url
    body = build_feed(current_app.extensions["tosmonitor_engine"], current_lang(), base_url)
    return Response(body, mimetype="application/atom+xml")
