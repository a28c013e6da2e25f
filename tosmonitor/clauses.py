"""Split a Markdown version into clauses and align two versions' clauses.

Splitting: Markdown blocks (headings, paragraphs, list items, table rows, code blocks), and blocks
longer than ``LONG_BLOCK`` characters are cut further into sentences.

Alignment (``align``), in four passes, each bounded so 200+ KB documents stay fast:

1. exact matches (whitespace-normalised text) kept in order by ``difflib.SequenceMatcher`` over
   clause ids -> ``unchanged``; these are the anchors;
2. exact matches left over are out of order -> ``moved`` (same text, other place);
3. inside each gap between anchors, remaining clauses are paired by token-set Jaccard
   similarity (>= ``SIMILARITY_THRESHOLD``) -> ``modified``; candidates come from a prefix-filter
   index over rare tokens, never from all pairs, and very common tokens are skipped, so the work
   per clause is bounded;
4. leftovers -> ``added`` / ``removed``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Alignment", "Clause", "align", "split_clauses"]

LONG_BLOCK = 400
"""Blocks longer than this many characters are split into sentences."""
SIMILARITY_THRESHOLD = 0.5
"""Minimum token-set Jaccard similarity for two clauses to count as one modified clause."""
MAX_POSTING = 64
"""A token in the prefixes of more old clauses than this (in one gap) finds no candidates."""


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
# Lower-case, without the final full stop. "etc." is left out: it usually ends a sentence.
# fmt: off
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "cf", "vs", "al", "approx", "incl", "esp", "fig", "no", "nos", "art", "arts",
    "sec", "secs", "para", "paras", "pp", "ch", "vol", "ed", "eds", "inc", "ltd", "llc", "llp",
    "co", "corp", "plc", "gmbh", "ag", "bv", "oy", "oyj", "mr", "mrs", "ms", "dr", "prof", "st",
    "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "u.s", "u.k", "e.u", "esim", "ns", "mm", "jne", "yms", "vrt",
})
# fmt: on


def split_clauses(markdown: str) -> list[Clause]:
    """Markdown blocks (paragraphs, list items, headings, table rows...), then sentences for long
    blocks (> ~400 chars). A heading is a clause too; its ``heading`` is the one before it.
    Thematic breaks, table rule rows and empty table rows are not clauses.
    """
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
        if line[:1].isalpha():  # fast path: no block marker starts with a letter
            para.append(line.rstrip())
            continue
        stripped = line.strip()
        fence_match = _FENCE.match(line)
        if fence_match:
            yield from flush()
            fence = fence_match.group(1)
            para.append(line)
        elif not stripped or _QUOTE_BLANK.match(line):
            yield from flush()
        elif para and _SETEXT.match(line) and not _LIST_ITEM.match(para[0]):
            title = " ".join(part.strip() for part in para)
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
        words = text[max(start, match.start() - 40) : match.start() + 1].split()
        if words and _is_abbreviation(words[-1]):
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

    anchors = _anchors(a, b)
    old_to_new = dict(anchors)
    kind_of_new = dict.fromkeys(old_to_new.values(), "unchanged")

    # Exact matches out of order: moved. Pair occurrences of the same text in order.
    free_old: dict[int, deque[int]] = defaultdict(deque)
    for i, ident in enumerate(a):
        if i not in old_to_new:
            free_old[ident].append(i)
    for j, ident in enumerate(b):
        if j not in kind_of_new and free_old.get(ident):
            i = free_old[b[j]].popleft()
            old_to_new[i] = j
            kind_of_new[j] = "moved"

    # Similarity pairing inside the gaps between anchors.
    gaps: list[tuple[list[int], list[int]]] = []
    prev_i = prev_j = -1
    for i, j in [*anchors, (len(a), len(b))]:
        if i - prev_i > 1 and j - prev_j > 1:
            gap_old = [x for x in range(prev_i + 1, i) if x not in old_to_new]
            gap_new = [y for y in range(prev_j + 1, j) if y not in kind_of_new]
            if gap_old and gap_new:
                gaps.append((gap_old, gap_new))
        prev_i, prev_j = i, j
    texts: dict[int, str] = {}
    for gap_old, gap_new in gaps:
        for x in gap_old:
            texts.setdefault(a[x], old[x].text)
        for y in gap_new:
            texts.setdefault(b[y], new[y].text)
    index = _SimilarityIndex(texts)
    for gap_old, gap_new in gaps:
        for x, y in _pair_gap(gap_old, gap_new, a, b, index):
            old_to_new[x] = y
            kind_of_new[y] = "modified"

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


def _anchors(a: list[int], b: list[int]) -> list[tuple[int, int]]:
    """In-order exact matches (old position, new position) of two sequences of text ids.

    ``SequenceMatcher`` (autojunk off) runs on the texts found on both sides only. Texts repeated
    very often (a "More information" line in every section) make it slow, so it runs first
    without them, and then once more inside each gap between those anchors, with them.
    """
    shared = set(a) & set(b)
    counts = Counter(x for x in a if x in shared)
    counts.update(x for x in b if x in shared)
    limit = max(16, (len(a) + len(b)) // 100)
    popular = {x for x, count in counts.items() if count > limit}
    first = _matching_pairs(a, b, shared - popular, 0, len(a), 0, len(b))
    if not popular:
        return first
    anchors: list[tuple[int, int]] = []
    prev_i = prev_j = -1
    for i, j in [*first, (len(a), len(b))]:
        anchors += _matching_pairs(a, b, shared, prev_i + 1, i, prev_j + 1, j)
        anchors.append((i, j))
        prev_i, prev_j = i, j
    return anchors[:-1]


def _matching_pairs(
    a: list[int], b: list[int], keep: set[int], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Exact matches in order between ``a[alo:ahi]`` and ``b[blo:bhi]``, among ``keep`` ids."""
    a_pos = [i for i in range(alo, ahi) if a[i] in keep]
    b_pos = [j for j in range(blo, bhi) if b[j] in keep]
    if not a_pos or not b_pos:
        return []
    matcher = SequenceMatcher(None, [a[i] for i in a_pos], [b[j] for j in b_pos], autojunk=False)
    return [
        (a_pos[i + k], b_pos[j + k])
        for i, j, size in matcher.get_matching_blocks()
        for k in range(size)
    ]


class _SimilarityIndex:
    """Token sets and prefix-filter prefixes of distinct clause texts, computed once per text.

    Prefix filtering: with all token sets ordered the same way (rarest first), two sets with
    Jaccard >= t share a token among the first ``|x| - ceil(t*|x|) + 1`` of each.
    """

    def __init__(self, texts: dict[int, str]) -> None:
        self.texts = texts
        self.sets: dict[int, frozenset[str]] = {}
        self.prefixes: dict[int, list[str]] = {}
        self.scores: dict[tuple[int, int], float] = {}
        self.frequency: Counter[str] = Counter()
        for ident, text in texts.items():
            tokens = frozenset(_TOKEN.findall(text.lower()))
            self.sets[ident] = tokens
            self.frequency.update(tokens)

    def prefix(self, ident: int) -> list[str]:
        found = self.prefixes.get(ident)
        if found is None:
            tokens = self.sets[ident]
            size = len(tokens) - math.ceil(SIMILARITY_THRESHOLD * len(tokens)) + 1
            frequency = self.frequency
            ordered = sorted(tokens, key=lambda token: (frequency[token], token))
            found = self.prefixes[ident] = ordered[:size]
        return found

    def score(self, old_id: int, new_id: int) -> float:
        """Jaccard similarity of two texts' token sets (0.0 when clearly below the threshold)."""
        found = self.scores.get((old_id, new_id))
        if found is None:
            tokens_old, tokens_new = self.sets[old_id], self.sets[new_id]
            size_old, size_new = len(tokens_old), len(tokens_new)
            if (
                size_old < SIMILARITY_THRESHOLD * size_new
                or size_new < SIMILARITY_THRESHOLD * size_old
            ):
                found = 0.0  # Jaccard <= smaller / larger
            else:
                common = len(tokens_new & tokens_old)
                found = common / (size_new + size_old - common)
            self.scores[old_id, new_id] = found
        return found


def _pair_gap(
    gap_old: list[int], gap_new: list[int], a: list[int], b: list[int], index: _SimilarityIndex
) -> list[tuple[int, int]]:
    """Pair the clauses of one gap by Jaccard similarity, best pairs first.

    Works on distinct texts (``a`` / ``b`` map clause positions to text ids). Candidates come from
    the prefix-filter index, so no all-pairs comparison is made; a token found in the prefixes of
    more than ``MAX_POSTING`` old texts of the gap is not used, which bounds the worst case.
    """
    old_groups: dict[int, deque[int]] = defaultdict(deque)
    for x in gap_old:
        old_groups[a[x]].append(x)
    new_groups: dict[int, deque[int]] = defaultdict(deque)
    for y in gap_new:
        new_groups[b[y]].append(y)
    postings: dict[str, list[int]] = defaultdict(list)
    for ident in old_groups:
        for token in index.prefix(ident):
            postings[token].append(ident)
    candidates: list[tuple[float, int, int, int, int]] = []
    for new_id, new_positions in new_groups.items():
        seen: set[int] = set()
        for token in index.prefix(new_id):
            posting = postings.get(token, ())
            if len(posting) > MAX_POSTING:
                continue
            for old_id in posting:
                if old_id not in seen:
                    seen.add(old_id)
                    score = index.score(old_id, new_id)
                    if score >= SIMILARITY_THRESHOLD:
                        first_old = old_groups[old_id][0]
                        candidates.append((-score, first_old, new_positions[0], old_id, new_id))
    candidates.sort()
    pairs: list[tuple[int, int]] = []
    for _, _, _, old_id, new_id in candidates:
        olds, news = old_groups[old_id], new_groups[new_id]
        while olds and news:
            pairs.append((olds.popleft(), news.popleft()))
    return pairs
