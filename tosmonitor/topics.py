"""Tag clauses of terms documents with topics, explaining every tag by the phrases that matched.

The rules are data (``tosmonitor/rules/topics.json``): per topic a definition in English and
Finnish, a severity and regular expressions per language. Patterns are compiled once, one
combined expression per topic and language. The clause language is detected
(:mod:`tosmonitor.langdetect`) unless forced; a clause whose language cannot be determined is
matched against every language's rules, and a clause in a language without rules (sv, fr, es,
nl, …) gets no topics. Rules exist for en, fi, de, it and pl; for en, de, it and pl a small
model (:mod:`tosmonitor.topic_model`) confirms or vetoes rule candidates and recovers missed
topics, Finnish is rules only.

>>> t = tag("These Terms are governed by the laws of the State of California.")
>>> t.topics, t.severity, t.lang
(['governing_law'], 'high', 'en')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from re import _constants as _sre
from re import _parser as _sre_parse
from typing import Any

from tosmonitor.langdetect import _detect_lowered, detect, detect_reference

RULES_PATH = Path(__file__).resolve().parent / "rules" / "topics.json"
SEVERITY_ORDER = ("low", "medium", "high")
HIGH_TOPICS = frozenset(
    {
        "content_licence",
        "content_ownership",
        "ai_training",
        "jurisdiction",
        "governing_law",
        "arbitration",
        "data_location",
    }
)


class RulesError(ValueError):
    """The rule file is malformed; the message names the topic, language and pattern."""


@dataclass(frozen=True)
class Topic:
    name: str
    definition_en: str
    definition_fi: str
    severity: str

    def definition(self, lang: str = "en") -> str:
        return self.definition_fi if lang == "fi" else self.definition_en


@dataclass(frozen=True)
class Tagging:
    topics: list[str]
    severity: str
    matches: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    lang: str = "und"

    def to_json(self) -> dict[str, Any]:
        return {
            "topics": list(self.topics),
            "severity": self.severity,
            "matches": {t: [[s, e, p] for s, e, p in spans] for t, spans in self.matches.items()},
            "lang": self.lang,
        }


def _load_rules(path: Path = RULES_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


_RULES = _load_rules()

TOPICS: dict[str, Topic] = {
    name: Topic(name, spec["definition_en"], spec["definition_fi"], spec["severity"])
    for name, spec in _RULES["topics"].items()
}
_ORDER = {name: i for i, name in enumerate(TOPICS)}
RULE_LANGUAGES: tuple[str, ...] = tuple(
    sorted({lang for spec in _RULES["topics"].values() for lang in spec["patterns"]})
)


def _place_alternation(lang: str) -> str:
    key = "pattern_fi" if lang == "fi" else "pattern_en"
    # longest first so that "Santa Clara County" wins over shorter names
    pats = sorted((p[key] for p in _RULES["places"]), key=len, reverse=True)
    return "|".join(f"(?:{p})" for p in pats)


def _compile(topic: str, lang: str, patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    place = _place_alternation(lang if lang == "fi" else "en")
    parts = []
    for pat in patterns:
        expanded = pat.replace("{PLACE}", place)
        try:
            re.compile(expanded)
        except re.error as exc:
            raise RulesError(
                f"topic {topic!r}, language {lang!r}: bad pattern {pat!r}: {exc}"
            ) from exc
        parts.append(f"(?:{expanded})")
    return re.compile("|".join(parts), flags)


# A gate is a cheap necessary condition for a topic's expression to match: alternatives (one per
# top-level branch of each pattern), each a conjunction of sets of literal strings, one string of
# every set occurring in the lower-cased text. The literals are derived from the parsed patterns
# (see _literal_gate), so a gate that fails proves the expression has no match and the regex can
# be skipped; tests/test_topics_speed_equivalence.py checks this on real terms.
Gate = tuple[tuple[frozenset[str], ...], ...]
_EXACT_CAP = 16


def _product(a: set[str], b: set[str]) -> set[str] | None:
    out = {x + y for x in a for y in b}
    return out if len(out) <= _EXACT_CAP else None


def _node_literals(op: Any, av: Any) -> tuple[set[str] | None, list[set[str]]]:
    """``(exact, required)`` for one parsed item: ``exact`` a finite superset of the strings it
    can match (or ``None``), ``required`` sets of strings each of which has a member in any text
    the item matches."""
    if op is _sre.LITERAL:
        return {chr(av)}, []
    if op is _sre.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is _sre.LITERAL:
                chars.add(chr(iav))
            elif iop is _sre.RANGE and iav[1] - iav[0] < 8:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:  # NEGATE, CATEGORY, wide ranges: anything
                return None, []
        return (chars if len(chars) <= 8 else None), []
    if op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None, []
        return _seq_literals(sub)
    if op is _sre.BRANCH:
        results = [_seq_literals(alt) for alt in av[1]]
        exact: set[str] | None = None
        if all(e is not None for e, _ in results):
            exact = set().union(*(e for e, _ in results if e is not None))
            if len(exact) > _EXACT_CAP:
                exact = None
        # one member of the union of each alternative's most selective set
        best = [_best(_with_exact(e, r)) for e, r in results]
        required = [set().union(*best)] if all(b is not None for b in best) else []
        return exact, required  # type: ignore[return-value]
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        e, r = _seq_literals(sub)
        exact = None
        if e is not None and hi is not _sre.MAXREPEAT and hi <= 3:
            exact = set()
            for k in range(lo, hi + 1):
                part: set[str] | None = {""}
                for _ in range(k):
                    part = _product(part, e) if part is not None else None
                if part is None:
                    exact = None
                    break
                exact |= part
        required = _with_exact(e, r) if lo >= 1 else []
        return exact, required
    return None, []  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...: anything


def _with_exact(exact: set[str] | None, required: list[set[str]]) -> list[set[str]]:
    return [*required, exact] if exact is not None and "" not in exact else required


def _best(required: list[set[str]]) -> set[str] | None:
    usable = [r for r in required if r and "" not in r]
    return max(usable, key=lambda r: (min(min(len(x) for x in r), 6), -len(r))) if usable else None


def _seq_literals(items: Any) -> tuple[set[str] | None, list[set[str]]]:
    """``(exact, required)`` for a sequence: runs of exact items are multiplied out."""
    required: list[set[str]] = []
    run: set[str] = {""}
    exact_all = True
    for op, av in items:
        if op is _sre.AT:  # zero-width (\b, ^, $): the literals around it stay adjacent
            continue
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            if op is _sre.ASSERT:  # a lookaround's text is in the text, too
                required.extend(_with_exact(*_seq_literals(av[1])))
            exact_all = False
            required.append(run)
            run = {""}
            continue
        e, r = _node_literals(op, av)
        required.extend(r)
        if e is not None:
            new = _product(run, e)
            if new is None:
                exact_all = False
                required.append(run)
                new = set(e)
            run = new
            continue
        exact_all = False
        required.append(run)
        run = {""}
    required.append(run)
    return (run if exact_all else None), [r for r in required if r and "" not in r]


def _minimal(strings: Iterable[str]) -> tuple[str, ...]:
    """Drop strings containing another member (any text containing one contains the other)."""
    out: list[str] = []
    for s in sorted(set(strings), key=lambda x: (len(x), x)):
        if not any(t in s for t in out):
            out.append(s)
    return tuple(out)


def _alternatives(items: Any) -> list[Any]:
    """The top-level alternatives of a parsed pattern (nested non-capturing groups flattened)."""
    items = list(items)
    if len(items) == 1:
        op, av = items[0]
        if op is _sre.BRANCH:
            return [alt for branch in av[1] for alt in _alternatives(branch)]
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:
            return _alternatives(av[3])
    return [items]


def _literal_gate(expanded: str) -> Gate | None:
    """The gate of one (expanded) pattern, or ``None`` when some alternative has no literal."""
    out = []
    for alt in _alternatives(_sre_parse.parse(expanded)):
        exact, required = _seq_literals(alt)
        sets = {frozenset(_minimal(r)) for r in _with_exact(exact, required)}
        if not sets:
            return None
        # most selective (longest shortest literal) first, so a failing gate fails early
        out.append(tuple(sorted(sets, key=lambda r: (-min(len(x) for x in r), len(r), sorted(r)))))
    return tuple(out)


def _quick_gate(gate: Gate) -> frozenset[str]:
    """One literal set for the whole gate: per alternative its smallest set, merged; a text with
    none of them fails every alternative (a necessary condition checked in C)."""
    chosen: set[str] = set()
    for conjunction in gate:
        # the fewest literals, avoiding very short (common) ones
        chosen.update(min(conjunction, key=lambda r: (min(len(x) for x in r) < 4, len(r), -min(len(x) for x in r))))
    return frozenset(_minimal(chosen))


def _gate_open(gate: Gate, present: frozenset[str] | set[str]) -> bool:
    """Whether some alternative of ``gate`` has a literal of each of its sets in ``present``."""
    for conjunction in gate:
        for options in conjunction:
            if present.isdisjoint(options):
                break  # this alternative cannot match
        else:
            return True
    return False


def _trie_regex(literals: Iterable[str]) -> str:
    """An expression matching, at a position, the longest of ``literals`` that starts there.

    The literals form a trie; at a node that ends a literal the longer continuations are tried
    first (greedy ``?``), and the children start with distinct characters, so the expression
    follows the text down the single trie path and stops at the deepest literal on it.
    """
    trie: dict[str, Any] = {}
    for lit in literals:
        node = trie
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        kids = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@dataclass(frozen=True)
class _LiteralFinder:
    """Finds which of a language's gate literals occur in a lower-cased text, in one regex scan."""

    scan: re.Pattern[str]  # (?=(trie)): the longest literal at every position
    prefixes: dict[str, frozenset[str]]  # literal -> the literals it starts with (itself included)
    extensions: dict[str, frozenset[str]]  # literal -> the literals starting with it (itself included)

    @classmethod
    def build(cls, literals: Iterable[str]) -> _LiteralFinder:
        lits = sorted(set(literals))
        known = set(lits)
        prefixes = {lit: frozenset(lit[:k] for k in range(1, len(lit) + 1) if lit[:k] in known) for lit in lits}
        extensions: dict[str, set[str]] = {lit: set() for lit in lits}
        for lit, pre in prefixes.items():
            for p in pre:
                extensions[p].add(lit)
        return cls(
            re.compile(f"(?=({_trie_regex(lits)}))"),
            prefixes,
            {lit: frozenset(ext) for lit, ext in extensions.items()},
        )

    def found(self, lowered: str) -> set[str]:
        """The longest literal at each position where one starts (see :meth:`widen`)."""
        return set(self.scan.findall(lowered))

    def present(self, lowered: str) -> set[str]:
        """All the literals occurring in ``lowered``."""
        # every literal occurring at a position is a prefix of the longest one found there
        return set().union(*map(self.prefixes.__getitem__, self.scan.findall(lowered)))

    def widen(self, options: frozenset[str]) -> frozenset[str]:
        """The literals starting with one of ``options``: ``found`` meets this set exactly when
        ``present`` meets ``options``."""
        return frozenset().union(*map(self.extensions.__getitem__, options))

    def widen_gate(self, gate: tuple[frozenset[str], Gate]) -> tuple[frozenset[str], Gate]:
        quick, full = gate
        return self.widen(quick), tuple(tuple(self.widen(o) for o in conj) for conj in full)


@cache
def _literal_finder(lang: str) -> _LiteralFinder:
    lits: set[str] = set()
    for _name, _pattern, _exclude, gate in _compiled_gated(lang):
        if gate is not None:
            lits.update(gate[0])
            lits.update(x for conjunction in gate[1] for options in conjunction for x in options)
    return _LiteralFinder.build(lits)


@cache
def _fast_gates(lang: str, flags: int = 0) -> tuple[tuple[frozenset[str], Gate] | None, ...]:
    """Per topic (in :func:`_compiled_gated` order) its gate widened for :meth:`_LiteralFinder.found`."""
    finder = _literal_finder(lang)
    return tuple(None if g is None else finder.widen_gate(g) for _, _, _, g in _compiled_gated(lang, flags))


@cache
def _compiled(
    lang: str, flags: int = 0
) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]:
    """Per topic one combined expression (and its exclusions) for ``lang``.

    Patterns are written in lower case and matched against the lower-cased text, which is
    about three times faster than ``re.IGNORECASE``; ``flags=re.IGNORECASE`` is the fallback for
    the rare text whose lower-casing changes its length (offsets must stay valid).
    """
    return tuple((name, pattern, exclude) for name, pattern, exclude, _ in _compiled_gated(lang, flags))


@cache
def _compiled_gated(
    lang: str, flags: int = 0
) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None, tuple[frozenset[str], Gate] | None], ...]:
    """:func:`_compiled` plus each topic's literal gate (``None``: always run the expression): a
    quick literal set (:func:`_quick_gate`) and the full gate."""
    out = []
    place = _place_alternation(lang if lang == "fi" else "en")
    for name, spec in _RULES["topics"].items():
        pats = spec["patterns"].get(lang)
        if not pats:
            continue
        excl = spec.get("exclude", {}).get(lang)
        gates = [_literal_gate(p.replace("{PLACE}", place)) for p in pats]
        full = None if any(g is None for g in gates) else tuple(a for g in gates if g for a in g)
        gate = (_quick_gate(full), full) if full else None
        out.append(
            (
                name,
                _compile(name, lang, pats, flags),
                _compile(name, lang, excl, flags) if excl else None,
                gate,
            )
        )
    return tuple(out)


def max_severity(severities: Iterable[str]) -> str:
    """The highest of ``severities`` in :data:`SEVERITY_ORDER`; ``"low"`` for none."""
    best = 0
    for sev in severities:
        best = max(best, SEVERITY_ORDER.index(sev))
    return SEVERITY_ORDER[best]


def severity_of(topics: Iterable[str]) -> str:
    """``high`` if any topic is in :data:`HIGH_TOPICS`, ``medium`` if any topic, else ``low``."""
    topics = list(topics)
    if any(t in HIGH_TOPICS for t in topics):
        return "high"
    return "medium" if topics else "low"


def tag(text: str, lang: str = "auto", *, model: bool = True, fast: bool = True) -> Tagging:
    """Tag ``text`` with topics; ``lang`` is ``"auto"`` (detect) or a language code to force.

    Each topic's matches are ``(start, end, phrase)`` with offsets into ``text``. Rules propose
    topics; where a topic model exists for the language (:mod:`tosmonitor.topic_model`) it keeps
    a rule candidate only if its probability reaches the topic's *confirm* threshold, and adds a
    topic no rule matched only above the (higher) *recover* threshold, explained by the n-grams
    that weighed most. ``model=False`` gives the rules alone. ``fast=False`` takes the plain
    reference path (no literal gates, unoptimised language detection and model features); the
    result is the same, which tests/test_topics_speed_equivalence.py checks.
    """
    lowered = text.lower()
    detected = lang
    if lang in ("auto", "", None):
        detected = _detect_lowered(lowered) if fast else detect_reference(text)
    matches = rule_matches(text, detected, lowered, fast=fast)
    tm = _topic_model() if model else None
    if tm is not None and detected in tm.langs:
        probs = tm.probabilities(lowered, detected) if fast else tm.probabilities_reference(lowered, detected)
        same_length = len(lowered) == len(text)
        thresholds = tm.langs[detected]["thresholds"]  # tm.thresholds(topic, detected)
        for topic, p in probs.items():
            confirm, recover = thresholds[topic]
            if topic in matches:
                if p < confirm:
                    del matches[topic]
            elif p >= recover and same_length:
                spans = tm.evidence(text, lowered, detected, topic)
                if spans:
                    matches[topic] = spans
    topics = sorted(matches, key=_ORDER.__getitem__)
    ordered = {t: matches[t] for t in topics}
    return Tagging(topics=topics, severity=severity_of(topics), matches=ordered, lang=detected)


def rule_matches(
    text: str, detected: str, lowered: str | None = None, *, fast: bool = True
) -> dict[str, list[tuple[int, int, str]]]:
    """The rule spans per topic for ``text`` in language ``detected`` (no model).

    A topic whose literal gate fails on the lower-cased text is skipped without running its
    expression (``fast=False``: never skipped).
    """
    # a language we have rules for uses them; an undetermined one tries all; others get none
    langs = (detected,) if detected in RULE_LANGUAGES else RULE_LANGUAGES if detected == "und" else ()
    if lowered is None:
        lowered = text.lower()
    flags = 0
    if len(lowered) != len(text):
        # case-insensitive matching of the original text: the gates (on lower-cased literals)
        # do not apply
        lowered, flags, fast = text, re.IGNORECASE, False
    matches: dict[str, list[tuple[int, int, str]]] = {}
    for rule_lang in langs:
        lits = _literal_finder(rule_lang).found(lowered) if fast else None
        gates = _fast_gates(rule_lang, flags)
        for (name, pattern, exclude, _), gate in zip(_compiled_gated(rule_lang, flags), gates, strict=True):
            if lits is not None and gate is not None and (lits.isdisjoint(gate[0]) or not _gate_open(gate[1], lits)):
                continue  # no match possible: the expression and its exclusion need not run
            if exclude is not None and exclude.search(lowered):
                continue
            found = [(m.start(), m.end()) for m in pattern.finditer(lowered) if m.end() > m.start()]
            spans = [(s, e, text[s:e]) for s, e in found]
            if spans:
                merged = matches.setdefault(name, [])
                merged.extend(s for s in spans if s not in merged)
    for spans in matches.values():
        spans.sort()
    return matches


def _topic_model():
    from tosmonitor import topic_model

    return topic_model.load()


def places(text: str, lang: str = "auto") -> list[str]:
    """Canonical English names of the places (countries, US states, cities) named in ``text``.

    In order of first mention; a name inside a longer one ("England" in "England and Wales")
    is not reported separately.
    """
    detected = detect(text) if lang in ("auto", "", None) else lang
    found: list[tuple[int, int, str]] = []
    for p in _RULES["places"]:
        for m in _place_pattern(p["en"], detected).finditer(text):
            found.append((m.start(), m.end(), p["en"]))
    # Counties and districts are too many to list: "Santa Clara County", "Tarrant County".
    for m in _COUNTY.finditer(text):
        found.append((m.start(), m.end(), m.group(0)))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    kept: list[tuple[int, int, str]] = []
    for start, end, name in found:
        if not any(start >= s and end <= e for s, e, _ in kept):
            kept.append((start, end, name))
    names: list[str] = []
    for _, _, name in sorted(kept):
        if name not in names:
            names.append(name)
    return names


_COUNTY = re.compile(r"\b(?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+ (?:County|Parish|District)\b")


# languages whose place names topics.json spells out ("pattern_fi", "pattern_sv", ...), English first
_PLACE_LANGS = ("en", *sorted({key[8:] for p in _RULES["places"] for key in p if key.startswith("pattern_")} - {"en"}))


@cache
def _place_pattern(name: str, lang: str) -> re.Pattern[str]:
    spec = next(p for p in _RULES["places"] if p["en"] == name)
    # the language's own names (where they differ), then English; otherwise every name we know
    langs = ("en",) if lang == "en" else (lang, "en") if lang in _PLACE_LANGS else _PLACE_LANGS
    alts = "|".join(f"(?:{spec['pattern_' + lg]})" for lg in langs if f"pattern_{lg}" in spec)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


def place_name(name: str, lang: str) -> str:
    """The name of place ``name`` (canonical English) in ``lang`` (``fi`` or ``en``)."""
    for p in _RULES["places"]:
        if p["en"] == name:
            return p["fi"] if lang == "fi" else p["en"]
    return name
