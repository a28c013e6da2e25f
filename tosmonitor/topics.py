"""Tag clauses of terms documents with topics, explaining every tag by the phrases that matched.

The rules are data (``tosmonitor/rules/topics.json``): per topic a definition in English and
Finnish, a severity and regular expressions per language. Patterns are compiled once, one
combined expression per topic and language. The clause language is detected
(:mod:`tosmonitor.langdetect`) unless forced; a clause whose language cannot be determined is
matched against every language's rules, and a clause in a language without rules (it, pl, …)
gets no topics.

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
from typing import Any

from tosmonitor.langdetect import detect

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


@cache
def _compiled(
    lang: str, flags: int = 0
) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]:
    """Per topic one combined expression (and its exclusions) for ``lang``.

    Patterns are written in lower case and matched against the lower-cased text, which is
    about three times faster than ``re.IGNORECASE``; ``flags=re.IGNORECASE`` is the fallback for
    the rare text whose lower-casing changes its length (offsets must stay valid).
    """
    out = []
    for name, spec in _RULES["topics"].items():
        pats = spec["patterns"].get(lang)
        if not pats:
            continue
        excl = spec.get("exclude", {}).get(lang)
        out.append(
            (
                name,
                _compile(name, lang, pats, flags),
                _compile(name, lang, excl, flags) if excl else None,
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


def tag(text: str, lang: str = "auto", *, model: bool = True) -> Tagging:
    """Tag ``text`` with topics; ``lang`` is ``"auto"`` (detect) or a language code to force.

    Each topic's matches are ``(start, end, phrase)`` with offsets into ``text``. Rules propose
    topics; where a topic model exists for the language (:mod:`tosmonitor.topic_model`) it keeps
    a rule candidate only if its probability reaches the topic's *confirm* threshold, and adds a
    topic no rule matched only above the (higher) *recover* threshold, explained by the n-grams
    that weighed most. ``model=False`` gives the rules alone.
    """
    detected = detect(text) if lang in ("auto", "", None) else lang
    lowered = text.lower()
    matches = rule_matches(text, detected, lowered)
    tm = _topic_model() if model else None
    if tm is not None and detected in tm.langs:
        probs = tm.probabilities(lowered, detected)
        same_length = len(lowered) == len(text)
        for topic, p in probs.items():
            confirm, recover = tm.thresholds(topic, detected)
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


def rule_matches(text: str, detected: str, lowered: str | None = None) -> dict[str, list[tuple[int, int, str]]]:
    """The rule spans per topic for ``text`` in language ``detected`` (no model)."""
    # a language we have rules for uses them; an undetermined one tries all; others get none
    langs = (detected,) if detected in RULE_LANGUAGES else RULE_LANGUAGES if detected == "und" else ()
    if lowered is None:
        lowered = text.lower()
    flags = 0
    if len(lowered) != len(text):
        lowered, flags = text, re.IGNORECASE
    matches: dict[str, list[tuple[int, int, str]]] = {}
    for rule_lang in langs:
        for name, pattern, exclude in _compiled(rule_lang, flags):
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


@cache
def _place_pattern(name: str, lang: str) -> re.Pattern[str]:
    spec = next(p for p in _RULES["places"] if p["en"] == name)
    langs = ["fi", "en"] if lang == "fi" else ["en"] if lang == "en" else ["en", "fi"]
    alts = "|".join(f"(?:{spec['pattern_' + lg]})" for lg in langs)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


def place_name(name: str, lang: str) -> str:
    """The name of place ``name`` (canonical English) in ``lang`` (``fi`` or ``en``)."""
    for p in _RULES["places"]:
        if p["en"] == name:
            return p["fi"] if lang == "fi" else p["en"]
    return name
