"""The fast tagger (literal gates, counted language detection, C-level model features) gives exactly
the results of the plain reference path, on every sentence of real recorded terms (English) and
the Finnish labelled set.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from tosmonitor import topic_model
from tosmonitor.clauses import split_clauses
from tosmonitor.langdetect import _detect_lowered, detect, detect_reference
from tosmonitor.topics import (
    RULE_LANGUAGES,
    _compiled_gated,
    _gate_open,
    _literal_finder,
    rule_matches,
    tag,
)

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "data" / "recorded"
FI_LABELS = ROOT / "tests" / "data" / "fi_labels.jsonl"
CASES = ROOT / "tests" / "data" / "topics_cases.json"  # en/fi/de/it/pl positives and near-misses
DEV_LABELS = ROOT.parent / "shared" / "labels" / "dev.jsonl"  # outside the repo: added when present


@cache
def english_sentences() -> tuple[str, ...]:
    """Every clause of the first and the last recorded version of each service's terms."""
    seen: dict[str, None] = {}
    for service in sorted(RECORDED.glob("*/Terms of Service")):
        versions = sorted(service.glob("*.md"))
        for path in {versions[0], versions[-1]} if versions else ():
            for clause in split_clauses(path.read_text(encoding="utf-8")):
                seen.setdefault(clause.text, None)
    return tuple(seen)


def _label_texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]


@cache
def finnish_sentences() -> tuple[str, ...]:
    return tuple(_label_texts(FI_LABELS))


@cache
def dev_sentences() -> tuple[str, ...]:
    return tuple(_label_texts(DEV_LABELS)) if DEV_LABELS.exists() else ()


def _same(text: str, lang: str = "auto", model: bool = True) -> None:
    fast = tag(text, lang, model=model)
    ref = tag(text, lang, model=model, fast=False)
    assert fast == ref, (text, fast, ref)


def test_corpus_is_real_and_large():
    assert len(english_sentences()) > 2000
    assert len(finnish_sentences()) >= 150


def test_english_terms_identical():
    for text in english_sentences():
        _same(text)


def test_english_terms_identical_rules_only_and_undetermined():
    for text in english_sentences():
        _same(text, model=False)
        _same(text, "und", model=False)


def test_finnish_identical():
    for text in finnish_sentences():
        _same(text)
        _same(text, "fi")
        _same(text, "und", model=False)


def test_case_changing_texts_identical():
    # lower-casing changes the length: matched case-insensitively on the original text, no gates
    for text in (
        "İstanbul courts shall have exclusive jurisdiction; these Terms are governed by the laws of Turkey.",
        *(t.upper() for t in english_sentences()[:300]),
        *(t.upper() for t in finnish_sentences()),
    ):
        _same(text)


@cache
def other_language_sentences() -> tuple[str, ...]:
    """The Italian and Polish example sentences of the repository, and the development set (en/de/it/pl,
    outside the repository) where it is present: the test never depends on it."""
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    return tuple(case["text"] for case in cases if case["lang"] in ("it", "pl")) + dev_sentences()


def test_other_languages_identical():
    assert len(other_language_sentences()) >= 30
    for text in other_language_sentences():
        _same(text)


def test_detect_matches_reference():
    for text in (*english_sentences(), *finnish_sentences(), *dev_sentences(), "", "123", "ÅÄÖ ß ü ąę"):
        assert detect(text) == detect_reference(text) == _detect_lowered(text.lower()), text


def test_model_probabilities_match_reference_bit_for_bit():
    tm = topic_model.load()
    assert tm is not None, "the topic model (tosmonitor/rules/model.json) ships with the package"
    for lang in tm.langs:
        for text in (*english_sentences()[:1500], *finnish_sentences(), "", "zzzz qqqq"):
            lowered = text.lower()
            assert tm.probabilities(lowered, lang) == tm.probabilities_reference(lowered, lang), text


def test_literal_finder_finds_exactly_the_literals_present():
    for lang in RULE_LANGUAGES:
        finder = _literal_finder(lang)
        for text in (*english_sentences()[:1000], *finnish_sentences()):
            lowered = text.lower()
            assert finder.present(lowered) == {lit for lit in finder.prefixes if lit in lowered}, text


def test_a_closed_gate_means_no_match():
    """The gates are derived from the patterns; on real text a topic whose gate is closed has no
    non-empty match of its expression (the property the fast path relies on)."""
    closed = opened = 0
    for lang in RULE_LANGUAGES:
        finder = _literal_finder(lang)
        for text in (*english_sentences(), *finnish_sentences()):
            lowered = text.lower()
            present = finder.present(lowered)
            for name, pattern, _exclude, gate in _compiled_gated(lang):
                if gate is None:
                    continue
                is_open = not present.isdisjoint(gate[0]) and _gate_open(gate[1], present)
                if not is_open:
                    closed += 1
                    assert not any(m.end() > m.start() for m in pattern.finditer(lowered)), (lang, name, text)
                else:
                    opened += 1
    assert closed > opened  # the gates do skip most expressions


def test_rule_matches_fast_flag():
    text = "These Terms are governed by the laws of the State of California."
    assert rule_matches(text, "en") == rule_matches(text, "en", fast=False)
    assert list(rule_matches(text, "en")) == ["governing_law"]
