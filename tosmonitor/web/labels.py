"""Translated labels for the values stored in English (roles, review statuses, severities, kinds…)."""

from __future__ import annotations

from tosmonitor.web.i18n import gettext as _


def role_label(role: str) -> str:
    return {"comms": _("communications"), "legal": _("legal"), "admin": _("administrator")}.get(role, role)


def status_label(status: str | None) -> str:
    return {
        None: _("not reviewed"),
        "open": _("open"),
        "accepted": _("accepted"),
        "needs_action": _("needs action"),
        "escalated": _("escalated"),
    }.get(status, status or "")


def severity_label(severity: str) -> str:
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(severity, severity)


def kind_label(kind: str) -> str:
    return {"added": _("added"), "removed": _("removed"), "modified": _("modified"), "moved": _("moved")}.get(
        kind, kind
    )


def state_label(state: str | None) -> str:
    return {None: _("no channel"), "in use": _("in use"), "candidate": _("candidate"), "closed": _("closed")}.get(
        state, state or ""
    )


def outcome_label(outcome: str | None) -> str:
    return {
        None: _("never checked"),
        "new_version": _("new version"),
        "unchanged": _("unchanged"),
        "failed": _("failed"),
    }.get(outcome, outcome or "")


LABELS = {
    "role_label": role_label,
    "status_label": status_label,
    "severity_label": severity_label,
    "kind_label": kind_label,
    "state_label": state_label,
    "outcome_label": outcome_label,
}
