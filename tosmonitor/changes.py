"""Turn two versions into tagged clause changes: align + word diff, then topics, severity, statements."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from tosmonitor.clauses import split_clauses
from tosmonitor.diffing import ClauseChange, change_stats, diff_texts
from tosmonitor.plaintext import plain_markdown
from tosmonitor.statements import plain_statements
from tosmonitor.topics import TOPICS, max_severity, tag


class TaggedVersion:
    """A version's clauses with their topics, tagged on first use (only a change with a statement about
    a whole added or removed clause needs them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tagged: list[tuple[str, frozenset[str]]] | None = None

    def clauses_about(self, topic: str) -> list[str]:
        if self._tagged is None:
            self._tagged = [(c.text, _topics_of(c.text)) for c in split_clauses(self.text)]
        return [text for text, topics in self._tagged if topic in topics]


@lru_cache(maxsize=8192)
def _topics_of(clause_text: str) -> frozenset[str]:
    """A clause's topics; cached, as consecutive versions share most of their clauses."""
    return frozenset(tag(clause_text).topics)


def tag_clause(
    clause: ClauseChange, old_version: TaggedVersion | None = None, new_version: TaggedVersion | None = None
) -> ClauseChange:
    """Fill a clause change's topics, why-matched spans, severity and plain statements.

    Topics come from the new text (the old one for a removed clause); a modified clause also keeps the
    topics its old text had, so a clause that *stops* naming a court is still flagged. A moved clause
    keeps its topics but is ``low``: its words did not change. So is a modified clause whose words are
    the same once Markdown is read (a link put around them, emphasis). The statements of an added
    (removed) clause leave out what the old (new) version states elsewhere, when that version is given.
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
    if clause.kind == "moved" or (clause.kind == "modified" and _same_words(clause.old, clause.new)):
        clause.severity = "low"  # the words did not change: moved, or only links or emphasis changed
    else:
        clause.severity = max_severity(TOPICS[t].severity for t in clause.topics) if clause.topics else "low"
    if clause.kind in ("modified", "added", "removed"):
        other = old_version if clause.kind == "added" else new_version if clause.kind == "removed" else None
        statements = (
            plain_statements(clause.old, clause.new, clause.topics, other.clauses_about)
            if other is not None
            else plain_statements(clause.old, clause.new, clause.topics)
        )
        clause.statements = [s.to_json() for s in statements]
    return clause


def _same_words(old: str | None, new: str | None) -> bool:
    return plain_markdown(old).split() == plain_markdown(new).split()


def build_clause_changes(old_text: str, new_text: str) -> list[ClauseChange]:
    old_version, new_version = TaggedVersion(old_text), TaggedVersion(new_text)
    return [tag_clause(clause, old_version, new_version) for clause in diff_texts(old_text, new_text)]


def summarise(clauses: Sequence[ClauseChange]) -> dict[str, Any]:
    """Counts per kind, the union of topics (in topic order) and the highest severity."""
    stats = change_stats(clauses)
    topics = {t for clause in clauses for t in clause.topics if clause.kind != "moved"}
    return {
        **stats,
        "topics": [t for t in TOPICS if t in topics],
        "severity": max_severity(clause.severity for clause in clauses),
    }
