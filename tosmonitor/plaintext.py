"""Markdown syntax hidden from readers: "6. General", not "6\\. General"; link text, not its target.

One mechanism, :func:`syntax_mask`, marks each character of a Markdown text as shown, a marker
(``**``, ``[``, a backslash escape, a heading's ``#``, a list item's ``-``) or a link target
(``](url)``). Renderers skip the hidden characters, so highlights and word diffs keep their offsets
into the stored Markdown;
:func:`plain_markdown` is the same mask applied to a whole short text (headings).
"""

from __future__ import annotations

import re

_LINK = re.compile(r"(?<!\\)\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"(?<!\\)(\*\*|__)(?=\S)(.+?)(?<=\S)(?<!\\)\1")
_EMPHASIS = re.compile(r"(?<![\\\w*])([*_])(?=\S)(.+?)(?<=\S)(?<!\\)\1(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|=])")
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+")
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+(?=\S)", re.MULTILINE)

#: :func:`syntax_mask` values: shown, a Markdown marker (``**``, ``[``, ``\``), a link target
SHOWN, MARKER, TARGET = 0, 1, 2
# runs of mask values a reader sees: with link targets hidden, or with them shown
_SHOWN_RUNS = {True: re.compile(b"\x00+"), False: re.compile(b"[\x00\x02]+")}


def plain_markdown(text: str | None) -> str:
    """``text`` without link targets, emphasis markers and backslash escapes."""
    if not text:
        return ""
    return "".join(text[lo:hi] for lo, hi in shown_ranges(syntax_mask(text), 0, len(text), hide_targets=True))


def syntax_mask(text: str) -> bytearray:
    """Per character of ``text``: :data:`SHOWN`, :data:`MARKER` or :data:`TARGET` (a link's ``](url)``)."""
    mask = bytearray(len(text))
    bullets = list(_BULLET.finditer(text)) if any(c in text for c in "-*+") else []
    if not bullets and not any(c in text for c in "*_[\\#"):
        return mask
    for match in _LINK.finditer(text):
        mask[match.start()] = MARKER
        mask[match.end(1) : match.end()] = bytes([TARGET]) * (match.end() - match.end(1))
    for pattern in (_STRONG, _EMPHASIS):
        for match in pattern.finditer(text):
            width = len(match.group(1))
            mask[match.start() : match.start() + width] = bytes([MARKER]) * width
            mask[match.end() - width : match.end()] = bytes([MARKER]) * width
    for match in _ESCAPE.finditer(text):
        mask[match.start()] = MARKER
    heading = _HEADING_MARK.match(text)
    if heading:
        mask[: heading.end()] = bytes([MARKER]) * heading.end()
    for bullet in bullets:  # a list item's "- ": the item's words are what a reader reads
        mask[bullet.start() : bullet.end()] = bytes([MARKER]) * (bullet.end() - bullet.start())
    return mask


def shown_ranges(mask: bytearray, start: int, end: int, *, hide_targets: bool) -> list[tuple[int, int]]:
    """The ranges of ``[start, end)`` a reader sees: never markers, link targets when not ``hide_targets``."""
    return [(m.start(), m.end()) for m in _SHOWN_RUNS[hide_targets].finditer(mask, start, end)]
