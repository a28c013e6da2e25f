"""JSON API mirroring the CLI's ``--json`` output (same shapes, same functions)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tosmonitor.lookup import lookup_report
from tosmonitor.reports import diff_report, history_report, iso, resolve_document
from tosmonitor.reviews import review_json, review_queue
from tosmonitor.store.models import Change
from tosmonitor.web import db
from tosmonitor.web.auth import login_required

bp = Blueprint("api", __name__, url_prefix="/api")


def _not_found(error: LookupError):  # type: ignore[no-untyped-def]
    return jsonify(error=error.args[0] if error.args else "not found"), 404


@bp.get("/services")
@login_required
def services():  # type: ignore[no-untyped-def]
    from flask import current_app

    from tosmonitor.reports import channels_report

    return jsonify(channels_report(current_app.extensions["tosmonitor_engine"]))


@bp.get("/services/<service_id>/history")
@login_required
def history(service_id: str):  # type: ignore[no-untyped-def]
    session = db()
    try:
        document = resolve_document(session, service_id, request.args.get("type"))
    except LookupError as error:
        return _not_found(error)
    return jsonify(history_report(session, document))


@bp.get("/services/<service_id>/lookup")
@login_required
def lookup(service_id: str):  # type: ignore[no-untyped-def]
    session = db()
    try:
        report = lookup_report(session, service_id)
    except LookupError as error:
        return _not_found(error)
    session.commit()
    return jsonify(report)


@bp.get("/changes/<int:change_id>")
@login_required
def change(change_id: int):  # type: ignore[no-untyped-def]
    """``tosmonitor diff --format json`` of the change, plus its id and severity."""
    session = db()
    change = session.scalar(
        select(Change).where(Change.id == change_id).options(selectinload(Change.document))
    ) or abort(404)
    report = diff_report(session, change.document, change.from_version.number, change.to_version.number)
    data = report.to_json()
    data.update(id=change.id, severity=change.severity, topics=list(change.topics), technical=change.technical,
                created_at=iso(change.created_at))
    return jsonify(data)


@bp.get("/reviews")
@login_required
def reviews():  # type: ignore[no-untyped-def]
    session = db()
    status = request.args.get("status", "open")
    result = [review_json(r) for r in review_queue(session, None if status == "all" else status)]
    session.commit()
    return jsonify(result)
