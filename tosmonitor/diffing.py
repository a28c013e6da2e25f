"""Clause-level change records between two versions, word-level diffs and renderers.

Versions are aligned clause by clause first (``tosmonitor.clauses``); only modified clauses get a
word diff. A whole-document character diff is never computed: on large re-flowed documents it is
either very slow or, with a timeout, degenerates into "delete all, insert all".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import fast_diff_match_patch
from diff_match_patch import diff_match_patch
from markupsafe import Markup, escape

from tosmonitor.clauses import align, split_clauses
from tosmonitor.plaintext import plain_markdown, shown_ranges, syntax_mask

__all__ = [
    "ClauseChange",
    "Op",
    "change_stats",
    "diff_texts",
    "render_html",
    "render_json",
    "render_text",
    "word_diff",
]

Op = tuple[int, str]
"""(-1 | 0 | 1, text), as diff-match-patch."""

KINDS = ("added", "removed", "modified", "moved")

_WORD_TOKEN = re.compile(r"\w+|\s+|[^\w\s]+")

_FIRST_CODE = 0x100  # token codes start above ASCII, so no token is encoded as "\n" or a space

_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0  # no deadline: clauses are small, and a deadline makes output vary by load


def _diff_encoded_dmp(a: str, b: str) -> list[Op]:
    """Diff two token-encoded strings with diff-match-patch (no semantic clean-up yet)."""
    return [(op, text) for op, text in _dmp.diff_main(a, b, False)]


_FAST_OPS = {"-": -1, "=": 0, "+": 1}


def _diff_encoded_fast(a: str, b: str) -> list[Op]:
    """The same diff by fast-diff-match-patch (the C++ port of the same algorithm): identical results,
    up to 3x faster on long, much-edited clauses (bench/diff_speed.py); the Python port stays as the
    reference the tests compare it with."""
    found = fast_diff_match_patch.diff(a, b, timelimit=0, checklines=False, cleanup="No", counts_only=False)
    return [(_FAST_OPS[op], text) for op, text in found]


# The core diff on token-encoded strings; bench/diff_speed.py swaps it to compare backends.
_diff_encoded: Callable[[str, str], list[Op]] = _diff_encoded_fast


@dataclass
class ClauseChange:
    """One changed clause between two versions."""

    kind: str  # "added" | "removed" | "modified" | "moved"
    old: str | None
    new: str | None
    old_index: int | None
    new_index: int | None
    heading: str | None
    diff: list[Op]
    topics: list[str] = field(default_factory=list)
    severity: str = "low"
    matches: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    statements: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        """A JSON-ready dict (lists instead of tuples)."""
        return {
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "heading": self.heading,
            "topics": list(self.topics),
            "severity": self.severity,
            "diff": [[op, text] for op, text in self.diff],
            "matches": {
                topic: [[start, end, phrase] for start, end, phrase in spans]
                for topic, spans in self.matches.items()
            },
            "statements": [dict(statement) for statement in self.statements],
        }


def word_diff(old: str, new: str) -> list[Op]:
    """Word-level diff: each word / space / punctuation run is mapped to one character (the
    line-mode trick of diff-match-patch applied to words), diffed, semantically cleaned up and
    expanded. The 0/-1 texts joined give ``old`` and the 0/1 texts joined give ``new``, exactly.
    """
    if old == new:
        return [(0, old)] if old else []
    vocabulary: dict[str, str] = {}
    tokens: dict[str, str] = {}

    def encode(text: str) -> str:
        chars = []
        for token in _WORD_TOKEN.findall(text):
            char = vocabulary.get(token)
            if char is None:
                code = _FIRST_CODE + len(vocabulary)
                if code >= 0xD800:
                    code += 0x800  # skip the surrogate range
                char = vocabulary[token] = chr(code)
                tokens[char] = token
            chars.append(char)
        return "".join(chars)

    encoded = _diff_encoded(encode(old), encode(new))
    # Semantic clean-up on tokens, before expanding: done on characters it would factor common
    # letters out of changed words ("[-sexual e-]{+Sexual E+}xploitation").
    _dmp.diff_cleanupSemantic(encoded)
    return [(op, "".join(map(tokens.__getitem__, text))) for op, text in encoded if text]


def diff_texts(old: str, new: str) -> list[ClauseChange]:
    """Changed clauses between two versions' Markdown, in new-document order."""
    changes: list[ClauseChange] = []
    for item in align(split_clauses(old), split_clauses(new)):
        if item.kind == "unchanged":
            continue
        if item.kind == "added":
            assert item.new is not None
            diff: list[Op] = [(1, item.new.text)]
        elif item.kind == "removed":
            assert item.old is not None
            diff = [(-1, item.old.text)]
        elif item.kind == "moved":
            assert item.new is not None
            diff = [(0, item.new.text)]
        else:
            assert item.old is not None and item.new is not None
            diff = word_diff(item.old.text, item.new.text)
        context = item.new if item.new is not None else item.old
        changes.append(
            ClauseChange(
                kind=item.kind,
                old=item.old.text if item.old is not None else None,
                new=item.new.text if item.new is not None else None,
                old_index=item.old.index if item.old is not None else None,
                new_index=item.new.index if item.new is not None else None,
                heading=context.heading if context is not None else None,
                diff=diff,
            )
        )
    return changes


def change_stats(changes: Sequence[ClauseChange]) -> dict[str, int]:
    """Number of changed clauses per kind; every kind is present."""
    stats = dict.fromkeys(KINDS, 0)
    for change in changes:
        stats[change.kind] = stats.get(change.kind, 0) + 1
    return stats


# --- renderers -------------------------------------------------------------------------------

_RED, _GREEN, _BOLD, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[1m", "\x1b[2m", "\x1b[0m"
_LABELS = {"added": "+ added", "removed": "- removed", "modified": "~ modified", "moved": "> moved"}


def render_text(
    changes: Iterable[ClauseChange], *, color: bool = False, langs: Sequence[str] = ("fi", "en")
) -> str:
    """Plain text for terminals and email.

    ``[-deleted-]`` / ``{+inserted+}`` markers, a kind label and heading per clause, then topics
    with severity and the plain statements (fi, en) when the topics layer filled them.
    """
    blocks = []
    for change in changes:
        label = _LABELS.get(change.kind, change.kind)
        head = f"{label}  § {plain_markdown(change.heading)}" if change.heading else label
        lines = [f"{_BOLD}{head}{_RESET}" if color else head]
        if change.topics:
            lines.append(f"  topics: {', '.join(change.topics)} (severity: {change.severity})")
        body = []
        for op, text in change.diff:
            if op == -1:
                body.append(f"{_RED}[-{text}-]{_RESET}" if color else f"[-{text}-]")
            elif op == 1:
                body.append(f"{_GREEN}{{+{text}+}}{_RESET}" if color else f"{{+{text}+}}")
            else:
                body.append(f"{_DIM}{text}{_RESET}" if color and change.kind == "moved" else text)
        lines.extend("  " + line for line in "".join(body).split("\n"))
        for statement in change.statements:
            for lang in langs:
                text = statement.get(f"text_{lang}")
                if text:
                    lines.append(f"  [{lang}] {text}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


#: notes a clause header can carry, in English (the web passes its translations through ``label``)
NOTES = {"same_words": "only links or formatting changed"}


def _code(category: str, value: str) -> str:
    return NOTES.get(value, value) if category == "note" else value


def render_html(
    changes: Iterable[ClauseChange], *, langs: Sequence[str] = ("fi", "en"),
    label: Callable[[str, str], str] = _code,
) -> Markup:
    """HTML fragment: ``<ins>`` / ``<del>``, a class per kind, topics, severity, ``<mark>`` phrases.

    ``label(category, code)`` names a kind, severity or topic for the reader (the web UI passes its
    translated labels); by default the codes themselves are shown. Every string from the documents,
    rules or labels is escaped; the result is ``Markup`` so Jinja2 does not escape it twice.
    """
    parts = ['<div class="tos-changes">']
    for change in changes:
        kind = escape(change.kind)
        severity = escape(change.severity)
        header = f'<span class="kind">{escape(label("kind", change.kind))}</span>'
        if change.heading:
            header += f' <span class="heading">{escape(plain_markdown(change.heading))}</span>'
        if change.topics:
            header += f' <span class="severity severity-{severity}">{escape(label("severity", change.severity))}</span>'
            header += "".join(
                f' <span class="topic topic-{escape(topic)}">{escape(label("topic", topic))}</span>'
                for topic in change.topics
            )
            if change.kind == "modified" and change.severity == "low":  # see changes.tag_clause
                header += f' <span class="note">({escape(label("note", "same_words"))})</span>'

        parts.append(
            f'<section class="change change-{kind} severity-{severity}" data-kind="{kind}">\n'
            f"<header>{header}</header>\n"
            f'<p class="clause">{_html_diff(change, lambda topic: label("topic", topic))}</p>'
        )
        statements = [
            f'<li lang="{lang}">{escape(statement[f"text_{lang}"])}</li>'
            for statement in change.statements
            for lang in langs
            if statement.get(f"text_{lang}")
        ]
        if statements:
            parts.append('<ul class="statements">\n' + "\n".join(statements) + "\n</ul>")
        parts.append("</section>")
    parts.append("</div>")
    return Markup("\n".join(parts))


def _html_diff(change: ClauseChange, topic_label: Callable[[str], str]) -> str:
    """The diff as HTML, with the matched phrases of the new (or removed old) text in ``<mark>``."""
    return diff_ops_html(
        change.diff,
        whole=change.kind in ("added", "removed", "moved"),
        segments=mark_segments(change.matches),
        marked_ops=frozenset({-1} if change.kind == "removed" else {0, 1}),
        topic_label=topic_label,
    )


def diff_ops_html(
    diff: Sequence[Op],
    *,
    whole: bool,
    segments: list[tuple[int, int, tuple[str, ...]]] | None = None,
    marked_ops: frozenset[int] = frozenset({0, 1}),
    ins: str = "<ins>",
    delete: str = "<del>",
    topic_label: Callable[[str], str] = str,
) -> str:
    """Word-diff ops as escaped HTML for readers: Markdown syntax hidden, offsets kept.

    Markers (``**``, ``[``, backslashes, a heading's ``#``) are never shown, and link targets are
    hidden in unchanged text and in wholly added or removed clauses; inside a changed segment of a
    modified clause a link target stays, so a changed URL is seen. A changed segment that would
    show nothing (only markup changed) is shown as it is. ``segments`` (offsets into the text the
    ``marked_ops`` spell) become ``<mark>``, titled with their topics' ``topic_label``.
    """
    old_text = "".join(text for op, text in diff if op <= 0)
    new_text = "".join(text for op, text in diff if op >= 0)
    masks = {-1: syntax_mask(old_text), 1: syntax_mask(new_text)}
    out: list[str] = []
    old_at = new_at = marked_at = 0
    for op, text in diff:
        at = old_at if op == -1 else new_at
        ranges = shown_ranges(masks[-1 if op == -1 else 1], at, at + len(text), hide_targets=op == 0 or whole)
        if op != 0 and text and not ranges:
            ranges = [(at, at + len(text))]
        pieces = []
        for lo, hi in ranges:
            piece = text[lo - at : hi - at]
            if segments and op in marked_ops:
                pieces.append(_marked(piece, marked_at + lo - at, segments, topic_label))
            else:
                pieces.append(str(escape(piece)))
        inner = "".join(pieces)
        if op in marked_ops:
            marked_at += len(text)
        if op <= 0:
            old_at += len(text)
        if op >= 0:
            new_at += len(text)
        if op == -1:
            out.append(f"{delete}{inner}</del>")
        elif op == 1:
            out.append(f"{ins}{inner}</ins>")
        else:
            out.append(inner)
    return "".join(out)


def mark_segments(
    matches: dict[str, list[tuple[int, int, str]]],
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Non-overlapping (start, end, topics) segments covering every matched span."""
    spans = [
        (int(start), int(end), topic)
        for topic, found in sorted(matches.items())
        for start, end, _ in found
        if int(end) > int(start)
    ]
    bounds = sorted({b for start, end, _ in spans for b in (start, end)})
    segments = []
    for lo, hi in pairwise(bounds):
        topics = tuple(sorted({t for start, end, t in spans if start <= lo and hi <= end}))
        if topics:
            segments.append((lo, hi, topics))
    return segments


def _marked(
    text: str, base: int, segments: list[tuple[int, int, tuple[str, ...]]], topic_label: Callable[[str], str] = str
) -> str:
    """Escape ``text`` (at offset ``base`` of its clause), with parts in segments in ``<mark>``."""
    out = []
    pos = 0
    for start, end, topics in segments:
        lo, hi = max(start - base, pos), min(end - base, len(text))
        if hi <= lo:
            continue
        out.append(str(escape(text[pos:lo])))
        classes = " ".join(f"topic-{topic}" for topic in topics)
        out.append(
            f'<mark class="{escape(classes)}" title="{escape(", ".join(map(topic_label, topics)))}">'
            f"{escape(text[lo:hi])}</mark>"
        )
        pos = hi
    out.append(str(escape(text[pos:])))
    return "".join(out)


def render_json(changes: Iterable[ClauseChange]) -> list[dict[str, Any]]:
    """JSON-ready list, one dict per change (``ClauseChange.to_json``)."""
    return [change.to_json() for change in changes]
