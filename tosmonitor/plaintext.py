"""Markdown inline syntax removed for display: headings read "6. General", not "6\\. General".

Only for short texts shown to people (clause headings); clause bodies keep their Markdown because
highlights and word diffs are offsets into it.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"(?<!\\)\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_STRONG = re.compile(r"(?<!\\)(\*\*|__)(?=\S)(.+?)(?<=\S)(?<!\\)\1")
_EMPHASIS = re.compile(r"(?<![\\\w*])([*_])(?=\S)(.+?)(?<=\S)(?<!\\)\1(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|=])")


def plain_markdown(text: str | None) -> str:
    """``text`` without link targets, emphasis markers and backslash escapes."""
    if not text:
        return ""
    text = _LINK.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _ESCAPE.sub(r"\1", text)


#: :func:`syntax_mask` values: shown, a Markdown marker (``**``, ``[``, ``\``), a link target
SHOWN, MARKER, TARGET = 0, 1, 2
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+")


def syntax_mask(text: str) -> bytearray:
    """Per character of ``text``: :data:`SHOWN`, :data:`MARKER` or :data:`TARGET` (a link's ``](url)``).

    Lets a renderer hide Markdown syntax from readers while highlights and word diffs keep their
    offsets into the stored Markdown.
    """
    mask = bytearray(len(text))
    if not any(c in text for c in "*_[\\#"):
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
    return mask


def shown_ranges(mask: bytearray, start: int, end: int, hide: frozenset[int]) -> list[tuple[int, int]]:
    """The ranges of ``[start, end)`` whose mask value is not in ``hide``."""
    shown = bytes(value for value in (SHOWN, MARKER, TARGET) if value not in hide)
    runs = re.compile(b"[" + re.escape(shown) + b"]+") if shown else None
    if runs is None:
        return []
    return [(m.start(), m.end()) for m in runs.finditer(mask, start, end)]
