"""Lookup: the one-page brief an admin prints before asking the management group for a new channel."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for

from tosmonitor.lookup import lookup_report, open_reviews_by_change
from tosmonitor.store import repository
from tosmonitor.web import db
from tosmonitor.web.auth import login_required

bp = Blueprint("lookup", __name__)


@bp.get("/lookup")
@login_required
def choose():  # type: ignore[no-untyped-def]
    service_id = request.args.get("service")
    if service_id:
        return redirect(url_for("lookup.brief", service_id=service_id))
    return render_template("web/lookup_choose.html", services=repository.list_services(db()))


@bp.get("/lookup/<service_id>")
@login_required
def brief(service_id: str):  # type: ignore[no-untyped-def]
    session = db()
    try:
        report = lookup_report(session, service_id)
    except LookupError:
        abort(404)
    session.commit()  # lazily created reviews
    return render_template("web/lookup.html", report=report, now=datetime.now(UTC),
                           open_groups=open_reviews_by_change(report["open_reviews"]))
