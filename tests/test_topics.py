"""Topic tagger: a table of real sentences per topic and language, plus the classify/topics CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tosmonitor.commands.topics import classify_command, topics_command
from tosmonitor.langdetect import detect
from tosmonitor.topics import HIGH_TOPICS, SEVERITY_ORDER, TOPICS, max_severity, tag

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "topics_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['lang']}-{i}" for i, c in enumerate(CASES)])
def test_table(case):
    result = tag(case["text"])
    assert result.lang == case["lang"]
    for topic in case["expect"]:
        assert topic in result.topics, (topic, result.matches)
    for topic in case["absent"]:
        assert topic not in result.topics, (topic, result.matches)


@pytest.mark.parametrize("case", CASES[:5])
def test_matches_point_into_the_text(case):
    result = tag(case["text"])
    for spans in result.matches.values():
        for start, end, phrase in spans:
            assert case["text"][start:end] == phrase


def test_severity_and_order():
    t = tag(
        "These Terms are governed by the laws of Ireland and we may modify these Terms at any time."
    )
    assert t.topics == sorted(t.topics, key=list(TOPICS).index)
    assert t.severity == "high"
    assert tag("We may modify these Terms from time to time.").severity == "medium"
    assert tag("Welcome to our service.").severity == "low"
    assert max_severity([]) == "low"
    assert max_severity(["medium", "high", "low"]) == "high"
    assert SEVERITY_ORDER == ("low", "medium", "high")
    assert {n for n, t in TOPICS.items() if t.severity == "high"} == HIGH_TOPICS


def test_forced_language_and_json():
    t = tag("Näihin ehtoihin sovelletaan Suomen lakia.", lang="fi")
    assert t.lang == "fi"
    data = t.to_json()
    assert data["topics"] == ["governing_law"]
    assert all(
        isinstance(span, list) and len(span) == 3 for span in data["matches"]["governing_law"]
    )


def test_every_topic_has_both_definitions():
    for topic in TOPICS.values():
        assert topic.definition_en and topic.definition_fi


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("These terms are governed by the laws of Ireland.", "en"),
        ("Näihin ehtoihin sovelletaan Suomen lakia.", "fi"),
        ("Diese Bedingungen unterliegen dem Recht der Bundesrepublik Deutschland.", "de"),
    ],
)
def test_detect(text, lang):
    assert detect(text) == lang


def test_classify_cli():
    lines = [
        json.dumps({"id": 1, "text": "These Terms are governed by the laws of Ireland."}),
        "",
        json.dumps({"id": "b", "text": "Hello."}),
    ]
    result = CliRunner().invoke(classify_command, ["-"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert (
        out[0]["id"] == 1 and out[0]["topics"] == ["governing_law"] and out[0]["severity"] == "high"
    )
    start, end, phrase = out[0]["matches"]["governing_law"][0]
    assert "These Terms are governed by the laws of Ireland."[start:end] == phrase
    assert out[1] == {"id": "b", "topics": [], "severity": "low", "matches": {}, "lang": "und"}


def test_classify_bad_line_names_line_number():
    result = CliRunner().invoke(
        classify_command, ["-"], input='{"id": 1, "text": "ok"}\nnot json\n'
    )
    assert result.exit_code == 1
    assert "line 2" in result.output


def test_topics_cli():
    result = CliRunner().invoke(topics_command, ["--json", "--lang", "fi"])
    assert result.exit_code == 0
    names = [t["name"] for t in json.loads(result.output)]
    assert names == list(TOPICS)
    plain = CliRunner().invoke(topics_command, [])
    assert "governing_law" in plain.output
    assert topics_command.help and "Example" in topics_command.help
    assert classify_command.help and "Example" in classify_command.help


def _rule_examples():
    from tosmonitor.topics import _RULES

    for name, spec in _RULES["topics"].items():
        for lang, examples in spec["examples"].items():
            for ex in examples:
                yield name, lang, ex["text"], ex["match"]


@pytest.mark.parametrize(("topic", "lang", "text", "match"), list(_rule_examples()))
def test_rule_file_examples(topic, lang, text, match):
    assert (topic in tag(text).topics) == match


def test_rules_only_mode_and_model_spans_point_into_text():
    from tosmonitor.topic_model import load

    text = "These Terms are governed by the laws of the State of California."
    assert tag(text, model=False).topics == ["governing_law"]
    tm = load()
    assert tm is not None and {"en", "de"} <= set(tm.langs)
    for case in CASES:
        result = tag(case["text"])
        for spans in result.matches.values():
            for start, end, phrase in spans:
                assert case["text"][start:end] == phrase


def test_model_only_confirms_or_recovers_claudette_topics():
    """The model never touches the rules-only topics (licence, ownership, arbitration, ...)."""
    from tosmonitor.topic_model import load

    tm = load()
    assert tm is not None
    for lang in tm.langs:
        assert not set(tm.topics(lang)) & {"content_licence", "content_ownership", "ai_training", "data_location"}
        assert "arbitration" not in tm.topics(lang)
        for topic in tm.topics(lang):
            confirm, recover = tm.thresholds(topic, lang)
            assert 0 < confirm <= recover
