"""Split a Markdown version into clauses and align two versions' clauses.

Splitting: Markdown blocks (headings, paragraphs, list items, table rows, code blocks), and blocks
longer than ``LONG_BLOCK`` characters are cut further into sentences.

Alignment (``align``), in four passes, each bounded so 200+ KB documents stay fast:

1. exact matches (whitespace-normalised text) kept in order by ``difflib.SequenceMatcher`` over
   clause ids -> ``unchanged``; these are the anchors;
2. exact matches left over are out of order -> ``moved`` (same text, other place);
3. inside each gap between anchors, remaining clauses are paired by token-set Jaccard
   similarity (>= ``SIMILARITY_THRESHOLD``) -> ``modified``; in a large gap only clauses near
   the gap's diagonal are compared, so the work is at most ``GAP_WINDOW`` pairs per clause;
4. leftovers -> ``added`` / ``removed``.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Alignment", "Clause", "align", "split_clauses"]

LONG_BLOCK = 400
"""Blocks longer than this many characters are split into sentences."""
SIMILARITY_THRESHOLD = 0.5
"""Minimum token-set Jaccard similarity for two clauses to count as one modified clause."""
FULL_GAP_PAIRS = 40_000
"""Gaps with at most this many old x new pairs are compared exhaustively."""
GAP_WINDOW = 40
"""In larger gaps, each new clause is compared with this many old clauses either side of the diagonal."""


@dataclass(frozen=True)
class Clause:
    """One unit of a version: a Markdown block or one sentence of a long block."""

    index: int
    text: str
    heading: str | None


@dataclass(frozen=True)
class Alignment:
    """How one clause of the old version relates to one of the new version."""

    kind: str  # "unchanged" | "modified" | "added" | "removed" | "moved"
    old: Clause | None
    new: Clause | None


# --- splitting -------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([*_-])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+\S")
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_EMPTY_ROW = re.compile(r"^[\s|]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE_BLANK = re.compile(r"^ {0,3}>[ \t]*$")

# A sentence ends with . ! or ? (optionally closed by quotes, brackets or emphasis markers),
# then whitespace, then something that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]*_]*\s+(?=[\"'“‘(\[*_#>|]*[A-Z0-9À-ÖØ-Þ])")
_WORD_BEFORE = re.compile(r"(\S+)$")
_ABBREVIATIONS = frozenset(
    """
    e.g i.e cf vs al approx incl esp fig no nos art arts sec secs para paras pp ch vol ed eds
    inc ltd llc llp co corp plc gmbh ag bv oy oyj mr mrs ms dr prof st jr sr
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.u esim ns mm jne yms vrt
    """.split()
)


def split_clauses(markdown: str) -> list[Clause]:
    """Markdown blocks (paragraphs, list items, headings, table rows...), then sentences for long blocks (> ~400 chars)."""
    clauses: list[Clause] = []
    heading: str | None = None
    for text, block_heading in _blocks(markdown):
        if block_heading is not None:
            clauses.append(Clause(len(clauses), text, heading))
            heading = block_heading
            continue
        pieces = _sentences(text) if len(text) > LONG_BLOCK else [text]
        for piece in pieces:
            clauses.append(Clause(len(clauses), piece, heading))
    return clauses


def _blocks(markdown: str) -> Iterator[tuple[str, str | None]]:
    """Yield (block text, heading text if the block is a heading else None)."""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    para: list[str] = []
    fence: str | None = None

    def flush() -> Iterator[tuple[str, str | None]]:
        text = "\n".join(para).strip()
        para.clear()
        if text:
            yield text, None

    for line in lines:
        if fence is not None:
            para.append(line)
            if line.strip().startswith(fence):
                fence = None
                yield from flush()
            continue
        stripped = line.strip()
        fence_match = _FENCE.match(line)
        if fence_match:
            yield from flush()
            fence = fence_match.group(1)
            para.append(line)
        elif not stripped or _QUOTE_BLANK.match(line):
            yield from flush()
        elif para and _SETEXT.match(line) and not _LIST_ITEM.match(para[0]) and len(para) == 1:
            title = para[0].strip()
            para.clear()
            yield title, title
        elif _HR.match(line):
            yield from flush()
        elif _ATX.match(line):
            yield from flush()
            title = (_ATX.match(line).group(2) or "").strip()  # type: ignore[union-attr]
            if title:
                yield stripped, title
        elif _TABLE_ROW.match(line):
            yield from flush()
            if not _TABLE_RULE.match(line) and not _EMPTY_ROW.match(line):
                yield stripped, None
        elif _LIST_ITEM.match(line):
            yield from flush()
            para.append(line.rstrip())
        else:
            para.append(line.rstrip())
    yield from flush()


def _sentences(text: str) -> list[str]:
    """Split a long block into sentences; abbreviations such as "e.g." or "Inc." do not end one."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        word = _WORD_BEFORE.search(text, start, match.start() + 1)
        if word is not None and _is_abbreviation(word.group(1)):
            continue
        piece = text[start : match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _is_abbreviation(word: str) -> bool:
    """True if ``word`` (ending with its full stop) is an abbreviation or an initial."""
    core = word.lstrip("\"'“‘([*_").rstrip("\"'”’)]*_")
    if not core.endswith("."):
        return False
    bare = core.rstrip(".")
    if len(bare) == 1 and bare.isalpha():
        return True  # an initial: "J. Smith", "a. b."
    return bare.lower() in _ABBREVIATIONS


# --- alignment -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def _key(clause: Clause) -> str:
    return " ".join(clause.text.split())


def align(old: Sequence[Clause], new: Sequence[Clause]) -> list[Alignment]:
    """Align two versions' clauses; in new-document order, removed ones placed where they were."""
    ids: dict[str, int] = {}
    a = [ids.setdefault(_key(c), len(ids)) for c in old]
    b = [ids.setdefault(_key(c), len(ids)) for c in new]

    old_to_new: dict[int, int] = {}
    kind_of_new: dict[int, str] = {}
    anchors: list[tuple[int, int, int]] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for i, j, size in matcher.get_matching_blocks():
        anchors.append((i, j, size))
        for k in range(size):
            old_to_new[i + k] = j + k
            kind_of_new[j + k] = "unchanged"

    # Exact matches out of order: moved. Pair occurrences of the same text in order.
    free_old: dict[int, deque[int]] = defaultdict(deque)
    for i, ident in enumerate(a):
        if i not in old_to_new:
            free_old[ident].append(i)
    for j, ident in enumerate(b):
        if j not in kind_of_new and free_old.get(ident):
            i = free_old[ident].popleft()
            old_to_new[i] = j
            kind_of_new[j] = "moved"

    # Similarity pairing inside the gaps between anchors.
    prev_i = prev_j = 0
    for i, j, size in anchors:
        gap_old = [x for x in range(prev_i, i) if x not in old_to_new]
        gap_new = [y for y in range(prev_j, j) if y not in kind_of_new]
        for x, y in _pair_gap(old, new, gap_old, gap_new):
            old_to_new[x] = y
            kind_of_new[y] = "modified"
        prev_i, prev_j = i + size, j + size

    new_to_old = {j: i for i, j in old_to_new.items()}
    ordered: list[tuple[tuple[int, int, int], Alignment]] = []
    for j, clause in enumerate(new):
        kind = kind_of_new.get(j, "added")
        old_clause = old[new_to_old[j]] if kind != "added" else None
        ordered.append(((j, 0, 0), Alignment(kind, old_clause, clause)))
    # A removed clause goes right after the new counterpart of the nearest preceding old clause
    # that kept its place (unchanged or modified).
    anchor_j = -1
    for i, clause in enumerate(old):
        j = old_to_new.get(i)
        if j is None:
            ordered.append(((anchor_j, 1, i), Alignment("removed", clause, None)))
        elif kind_of_new[j] != "moved":
            anchor_j = j
    ordered.sort(key=lambda item: item[0])
    return [alignment for _, alignment in ordered]


def _pair_gap(
    old: Sequence[Clause], new: Sequence[Clause], gap_old: list[int], gap_new: list[int]
) -> list[tuple[int, int]]:
    """Pair clauses of one gap by similarity, best pairs first; bounded work for large gaps."""
    if not gap_old or not gap_new:
        return []
    old_tokens = [frozenset(_TOKEN.findall(old[i].text.lower())) for i in gap_old]
    new_tokens = [frozenset(_TOKEN.findall(new[j].text.lower())) for j in gap_new]
    n, m = len(gap_old), len(gap_new)
    full = n * m <= FULL_GAP_PAIRS
    candidates: list[tuple[float, int, int]] = []
    for y, tokens_new in enumerate(new_tokens):
        if full:
            lo, hi = 0, n
        else:
            centre = y * n // m
            lo, hi = max(0, centre - GAP_WINDOW), min(n, centre + GAP_WINDOW + 1)
        size_new = len(tokens_new)
        for x in range(lo, hi):
            tokens_old = old_tokens[x]
            size_old = len(tokens_old)
            if not size_new or not size_old:
                continue
            small, large = sorted((size_new, size_old))
            if small < SIMILARITY_THRESHOLD * large:
                continue  # Jaccard <= small / large
            common = len(tokens_new & tokens_old)
            score = common / (size_new + size_old - common)
            if score >= SIMILARITY_THRESHOLD:
                candidates.append((-score, x, y))
    candidates.sort()
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, x, y in candidates:
        if x not in used_old and y not in used_new:
            used_old.add(x)
            used_new.add(y)
            pairs.append((gap_old[x], gap_new[y]))
    return pairs
