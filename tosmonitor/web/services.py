"""Services and channels (the home page), a service's documents, the channel form (admins), history."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from tosmonitor.channels import CHANNEL_STATES
from tosmonitor.dates import not_yet_in_force
from tosmonitor.notify.mailconfig import address_problem
from tosmonitor.reports import diff_report
from tosmonitor.statements import unique_statements
from tosmonitor.store import repository
from tosmonitor.store.models import Change, ChangeClause, Channel, Document, Service, Version
from tosmonitor.web import db
from tosmonitor.web.auth import login_required, role_required
from tosmonitor.web.changes import changes_html
from tosmonitor.web.i18n import gettext as _

bp = Blueprint("services", __name__)


def service_rows() -> list[dict]:
    """Every service with its channel, documents, last check and last change (one page, few queries)."""
    session = db()
    counts = dict(session.execute(select(Version.document_id, func.count()).group_by(Version.document_id)).all())
    last_changes: dict[int, Change] = {}
    for change in session.scalars(select(Change).order_by(Change.created_at)):
        last_changes[change.document_id] = change
    rows = []
    for service in repository.list_services(session):
        documents = []
        for document in service.documents:
            if not document.declared:
                continue
            change = last_changes.get(document.id)
            documents.append({
                "document": document,
                "versions": counts.get(document.id, 0),
                "check": repository.last_check(session, document.id),
                "failing_since": repository.failing_since(session, document.id),
                "change": change,
            })
        rows.append({"service": service, "channel": repository.channel_of(session, service.id), "documents": documents})
    return rows


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return render_template("web/services.html", rows=service_rows())


@bp.get("/services/<service_id>")
@login_required
def service(service_id: str):  # type: ignore[no-untyped-def]
    service = db().get(Service, service_id) or abort(404)
    row = next(r for r in service_rows() if r["service"].id == service_id)
    return render_template("web/service.html", service=service, row=row, states=CHANNEL_STATES)


@bp.post("/services/<service_id>/channel")
@role_required("admin")
def edit_channel(service_id: str):  # type: ignore[no-untyped-def]
    session = db()
    if session.get(Service, service_id) is None:
        abort(404)
    state = request.form.get("state", "")
    owner = request.form.get("owner", "").strip()
    owner_email = request.form.get("owner_email", "").strip()
    admins = [line.strip() for line in request.form.get("admins", "").splitlines() if line.strip()]
    if state not in CHANNEL_STATES or len(owner) > 200 or len(owner_email) > 200:
        abort(400)
    if owner_email and address_problem(owner_email) is not None:  # the owner gets the service's legal alerts
        flash(_("The owner's e-mail address is not valid; nothing was saved."))
        return redirect(url_for("services.service", service_id=service_id))
    channel = repository.channel_of(session, service_id)
    if channel is None:
        channel = Channel(service_id=service_id, state=state)
        session.add(channel)
    channel.state, channel.owner, channel.owner_email, channel.admins = state, owner, owner_email, admins
    channel.edited_by, channel.edited_at = g.user.name, datetime.now(UTC)
    session.commit()
    flash(_("Channel saved."))
    return redirect(url_for("services.service", service_id=service_id))


@bp.get("/documents/<int:document_id>")
@login_required
def history(document_id: int):  # type: ignore[no-untyped-def]
    """Versions newest first with their change summary (lean queries: no version texts, no diffs)."""
    session = db()
    document = session.get(Document, document_id) or abort(404)
    changes = {
        change.to_version_id: change
        for change in session.scalars(select(Change).where(Change.document_id == document.id))
    }
    statements: dict[int, list[dict]] = {}
    for change_id, clause_statements in session.execute(
        select(ChangeClause.change_id, ChangeClause.statements)
        .join(Change, ChangeClause.change_id == Change.id)
        .where(Change.document_id == document.id, ChangeClause.severity.in_(("high", "medium")))
        .order_by(ChangeClause.change_id, ChangeClause.position)
    ):
        statements.setdefault(change_id, []).extend(clause_statements or [])
    entries = []
    for version_id, number, fetched_at, effective in session.execute(
        select(Version.id, Version.number, Version.fetched_at, Version.effective_date)
        .where(Version.document_id == document.id).order_by(Version.number.desc())
    ):
        change = changes.get(version_id)
        entries.append({"version": number, "fetched_at": fetched_at, "change": change, "effective": effective,
                        "announced": not_yet_in_force(effective),
                        "statements": unique_statements(statements.get(change.id, [])) if change else []})
    return render_template("web/history.html", document=document, entries=entries)


@bp.get("/documents/<int:document_id>/compare")
@login_required
def compare(document_id: int):  # type: ignore[no-untyped-def]
    session = db()
    document = session.get(Document, document_id) or abort(404)
    latest = repository.latest_version_ref(session, document.id)
    last = latest.number if latest is not None else 0
    chosen: list[int | None] = []
    for name in ("from", "to"):
        raw = request.args.get(name)
        if raw is None or raw == "":
            chosen.append(None)
        elif not raw.isdigit():
            return _compare_error(_("Version numbers are whole numbers."))
        elif not 1 <= int(raw) <= last:
            return _compare_error(_("Version %(n)s does not exist: this document has versions 1 to %(last)s.",
                                    n=int(raw), last=last))
        else:
            chosen.append(int(raw))
    old, new = chosen
    if old is not None and new is not None and old > new:  # either order means the same comparison
        old, new = new, old
    newer = last if new is None else new
    older = newer - 1 if old is None else old
    if last and not 1 <= older < newer:
        return _compare_error(_("Choose two different versions."))
    try:
        report = diff_report(session, document, old, new)
    except LookupError as error:  # no version at all yet
        return _compare_error(str(error))
    return render_template("web/compare.html", document=document, report=report,
                           changes_html=changes_html(report.clauses))


def _compare_error(message: str):  # type: ignore[no-untyped-def]
    return render_template("web/error.html", code=400, message=message), 400
