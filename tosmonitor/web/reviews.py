"""The review queue: open flagged clauses, high first and newest first; legal decides with a note."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from tosmonitor.reviews import DECISIONS, STATUSES, ReviewError, decide, review_count, review_queue
from tosmonitor.store import repository
from tosmonitor.store.models import Review
from tosmonitor.web import db
from tosmonitor.web.auth import login_required, role_required, safe_next
from tosmonitor.web.changes import clause_html, decision_from_form
from tosmonitor.web.i18n import gettext as _

bp = Blueprint("reviews", __name__)
PAGE_SIZE = 50


@bp.get("/reviews")
@login_required
def queue():  # type: ignore[no-untyped-def]
    session = db()
    status = request.args.get("status", "open")
    if status not in (*STATUSES, "all"):
        abort(400)
    page = max(1, request.args.get("page", 1, type=int))
    wanted = None if status == "all" else status
    service = request.args.get("service") or None
    services = repository.list_services(session)
    if service is not None and service not in {s.id for s in services}:
        abort(404)
    reviews = review_queue(session, wanted, service, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = review_count(session, wanted, service)
    session.commit()  # reviews created lazily for changes recorded before reviews existed
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("web/reviews.html", reviews=reviews, status=status, statuses=STATUSES, page=page,
                           pages=pages, total=total, service=service, services=services)


@bp.get("/reviews/<int:review_id>")
@login_required
def show(review_id: int):  # type: ignore[no-untyped-def]
    review = db().get(Review, review_id) or abort(404)
    return render_template("web/review.html", review=review, clause_html=clause_html, decisions=DECISIONS)


@bp.post("/reviews/<int:review_id>")
@role_required("legal")
def decide_view(review_id: int):  # type: ignore[no-untyped-def]
    session = db()
    status, note = decision_from_form()
    try:
        decide(session, review_id, status, g.user.name, note)
    except ReviewError:
        abort(404)
    session.commit()
    flash(_("Decision saved."))
    return redirect(safe_next(request.form.get("next")) or url_for("reviews.show", review_id=review_id))
