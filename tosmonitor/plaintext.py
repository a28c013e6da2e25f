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
