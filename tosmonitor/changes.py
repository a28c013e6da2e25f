"""Turn two versions into tagged clause changes: align + word diff, then topics, severity, statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tosmonitor.diffing import ClauseChange, change_stats, diff_texts
from tosmonitor.statements import plain_statements
from tosmonitor.topics import TOPICS, max_severity, tag


def tag_clause(clause: ClauseChange) -> ClauseChange:
    """Fill a clause change's topics, why-matched spans, severity and plain statements.

    Topics come from the new text (the old one for a removed clause); a modified clause also keeps the
    topics its old text had, so a clause that *stops* naming a court is still flagged.  A moved clause
    keeps its topics but is ``low``: its words did not change.
    """
    text = clause.new if clause.new is not None else (clause.old or "")
    tagging = tag(text)
    topics = list(tagging.topics)
    matches: dict[str, list[tuple[int, int, str]]] = dict(tagging.matches)
    if clause.kind == "modified" and clause.old:
        old_tagging = tag(clause.old)
        topics += [t for t in old_tagging.topics if t not in topics]
    clause.topics = [t for t in TOPICS if t in topics]
    clause.matches = matches
    if clause.kind == "moved":
        clause.severity = "low"
    else:
        clause.severity = max_severity(TOPICS[t].severity for t in clause.topics) if clause.topics else "low"
    if clause.kind in ("modified", "added", "removed"):
        clause.statements = [s.to_json() for s in plain_statements(clause.old, clause.new, clause.topics)]
    return clause


def build_clause_changes(old_text: str, new_text: str) -> list[ClauseChange]:
    return [tag_clause(clause) for clause in diff_texts(old_text, new_text)]


def summarise(clauses: Sequence[ClauseChange]) -> dict[str, Any]:
    """Counts per kind, the union of topics (in topic order) and the highest severity."""
    stats = change_stats(clauses)
    topics = {t for clause in clauses for t in clause.topics if clause.kind != "moved"}
    return {
        **stats,
        "topics": [t for t in TOPICS if t in topics],
        "severity": max_severity(clause.severity for clause in clauses),
    }
