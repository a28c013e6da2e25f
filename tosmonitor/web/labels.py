"""Translated labels for the values stored in English (roles, review statuses, severities, kinds…)."""

from __future__ import annotations

from tosmonitor.web.i18n import gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translated when shown."""
    return message


_ROLES = {"comms": N_("communications"), "legal": N_("legal"), "admin": N_("administrator")}
_STATUSES = {None: N_("not reviewed"), "open": N_("open"), "accepted": N_("accepted"),
             "needs_action": N_("needs action"), "escalated": N_("escalated")}
_SEVERITIES = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
_KINDS = {"added": N_("added"), "removed": N_("removed"), "modified": N_("modified"), "moved": N_("moved")}
_STATES = {None: N_("no channel"), "in use": N_("in use"), "candidate": N_("candidate"), "closed": N_("closed")}
_OUTCOMES = {None: N_("never checked"), "new_version": N_("new version"), "unchanged": N_("unchanged"),
             "failed": N_("failed")}


_TABLES = {"role": _ROLES, "status": _STATUSES, "severity": _SEVERITIES, "kind": _KINDS, "state": _STATES,
           "outcome": _OUTCOMES}


def label_in(lang: str, table: str, value: str | None) -> str:
    """The label of ``value`` in ``lang``, outside a request (the command line's texts for people)."""
    from tosmonitor.web.i18n import translations

    message = _TABLES[table].get(value)
    return translations(lang).gettext(message) if message else (value or "")


def _label(table: dict, value: str | None) -> str:
    message = table.get(value)
    return gettext(message) if message else (value or "")


def role_label(role: str) -> str:
    return _label(_ROLES, role)


def status_label(status: str | None) -> str:
    return _label(_STATUSES, status)


def severity_label(severity: str) -> str:
    return _label(_SEVERITIES, severity)


def kind_label(kind: str) -> str:
    return _label(_KINDS, kind)


def state_label(state: str | None) -> str:
    return _label(_STATES, state)


def outcome_label(outcome: str | None) -> str:
    return _label(_OUTCOMES, outcome)


LABELS = {
    "role_label": role_label,
    "status_label": status_label,
    "severity_label": severity_label,
    "kind_label": kind_label,
    "state_label": state_label,
    "outcome_label": outcome_label,
}
