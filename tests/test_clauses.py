"""Splitting versions into clauses and aligning two versions' clauses."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tosmonitor.clauses import Alignment, Clause, align, split_clauses

FIXTURES = Path(__file__).parent / "fixtures" / "diffing"
TWITTER_OLD = FIXTURES / "twitter-community-guidelines-2022-07-06T13-50-01Z.md"
TWITTER_NEW = FIXTURES / "twitter-community-guidelines-2023-02-25T00-42-32Z.md"
YOUTUBE_OLD = FIXTURES / "youtube-copyright-claims-policy-2021-01-15T08-33-01Z.md"


def texts(markdown: str) -> list[str]:
    return [clause.text for clause in split_clauses(markdown)]


SPLIT_CASES = [
    pytest.param("", [], id="empty"),
    pytest.param("One.\n\nTwo.", ["One.", "Two."], id="paragraphs"),
    pytest.param("A line\nwrapped here.", ["A line\nwrapped here."], id="soft-wrap-one-block"),
    pytest.param(
        "# Title\n\nText.\n### Sub ###\nMore.",
        ["# Title", "Text.", "### Sub ###", "More."],
        id="atx-headings",
    ),
    pytest.param(
        "Terms\n=====\n\nText.\n\nPart two\n--------\nMore.",
        ["Terms", "Text.", "Part two", "More."],
        id="setext-headings",
    ),
    pytest.param(
        "A long title\nover two lines\n===\nText.",
        ["A long title over two lines", "Text."],
        id="setext-heading-over-two-lines",
    ),
    pytest.param(
        "* one\n* two\n  continued\n- three\n1. first\n2) second",
        ["* one", "* two\n  continued", "- three", "1. first", "2) second"],
        id="list-items",
    ),
    pytest.param("Intro:\n* item", ["Intro:", "* item"], id="list-after-paragraph"),
    pytest.param(
        "| a | b |\n| --- | :-: |\n| 1 | 2 |\n|   |   |",
        ["| a | b |", "| 1 | 2 |"],
        id="table-rows-without-rule-and-empty-rows",
    ),
    pytest.param(
        "Before.\n\n* * *\n\nAfter.\n\n---\n\nEnd.",
        ["Before.", "After.", "End."],
        id="thematic-breaks-dropped",
    ),
    pytest.param(
        "```\ncode\n\nmore code\n```\nText.",
        ["```\ncode\n\nmore code\n```", "Text."],
        id="fenced-code-one-block",
    ),
    pytest.param("> quoted\n>\n> second", ["> quoted", "> second"], id="blockquote-paragraphs"),
    pytest.param("First. Second! Third?", ["First. Second! Third?"], id="short-block-not-split"),
]


@pytest.mark.parametrize(("markdown", "expected"), SPLIT_CASES)
def test_split_blocks(markdown: str, expected: list[str]) -> None:
    assert texts(markdown) == expected


def test_headings_give_context_and_indexes_run_in_order() -> None:
    clauses = split_clauses(
        "Intro.\n\n# Terms\n\nText.\n\n## Law\n\nCourts.\n\nMore.\n\n# Other\n\nEnd."
    )
    assert [(c.index, c.text, c.heading) for c in clauses] == [
        (0, "Intro.", None),
        (1, "# Terms", None),
        (2, "Text.", "Terms"),
        (3, "## Law", "Terms"),
        (4, "Courts.", "Law"),
        (5, "More.", "Law"),
        (6, "# Other", "Law"),
        (7, "End.", "Other"),
    ]


LONG = (
    "These terms apply to services of Example Inc. and its affiliates, e.g. the app and the "
    "website, i.e. everything we run. "
    "We may change them at any time, as described in Sec. 4 of the U.S. addendum, and we will tell "
    "you by e-mail, push notification, etc. "
    "You agree that the courts of Dublin, Ireland have exclusive jurisdiction over any dispute. "
    "**Content you post stays yours.** "
    'But you grant us a worldwide licence to use it (see the "Licence" section). '
    "Questions? Write to Mr. J. Smith at the address below!"
)


def test_long_block_splits_into_sentences_but_not_at_abbreviations() -> None:
    assert len(LONG) > 400
    clauses = split_clauses("## Legal\n\n" + LONG)
    assert [c.text for c in clauses[1:]] == [
        "These terms apply to services of Example Inc. and its affiliates, e.g. the app and the "
        "website, i.e. everything we run.",
        "We may change them at any time, as described in Sec. 4 of the U.S. addendum, and we will "
        "tell you by e-mail, push notification, etc.",
        "You agree that the courts of Dublin, Ireland have exclusive jurisdiction over any "
        "dispute.",
        "**Content you post stays yours.**",
        'But you grant us a worldwide licence to use it (see the "Licence" section).',
        "Questions?",
        "Write to Mr. J. Smith at the address below!",
    ]
    assert {c.heading for c in clauses[1:]} == {"Legal"}


def test_long_list_item_keeps_its_marker_on_the_first_sentence() -> None:
    clauses = split_clauses("* " + LONG)
    assert clauses[0].text.startswith("* These terms apply")
    assert len(clauses) == 7


def test_real_version_splits_into_clean_clauses() -> None:
    markdown = YOUTUBE_OLD.read_text(encoding="utf-8")
    clauses = split_clauses(markdown)
    assert len(clauses) > 20
    assert [c.index for c in clauses] == list(range(len(clauses)))
    assert all(c.text and c.text == c.text.strip() for c in clauses)
    all_texts = [c.text for c in clauses]
    assert "What is fair use?" in all_texts  # setext heading, underline dropped
    assert "### Resources" in all_texts  # ATX heading
    assert not any(set(t) <= set("-= ") for t in all_texts)
    fair_use = [c for c in clauses if c.heading == "What is fair use?"]
    assert fair_use and any("Audio Library" in c.text for c in fair_use)
    assert [c.heading for c in clauses if c.text.startswith("*   [Learn more about fair use]")] == [
        "Resources"
    ]
    # nothing is lost or repeated: apart from rules and heading underlines, the clauses hold
    # exactly the version's text, in order
    kept = [line for line in markdown.splitlines() if set(line.strip()) - set("*-_ =|:")]
    assert "".join("".join(kept).split()) == "".join("".join(all_texts).split())


# --- alignment -------------------------------------------------------------------------------


def kinds(old: str, new: str) -> list[tuple[str, str | None, str | None]]:
    return [
        (a.kind, a.old.text if a.old else None, a.new.text if a.new else None)
        for a in align(split_clauses(old), split_clauses(new))
    ]


def test_align_identical_is_all_unchanged() -> None:
    clauses = split_clauses(TWITTER_OLD.read_text(encoding="utf-8"))
    result = align(clauses, clauses)
    assert [a.kind for a in result] == ["unchanged"] * len(clauses)
    assert all(a.old is a.new for a in result)


def test_align_modified() -> None:
    old = "Intro.\n\nYou agree to the courts of California.\n\nEnd."
    new = "Intro.\n\nYou agree to the courts of Ireland.\n\nEnd."
    assert kinds(old, new) == [
        ("unchanged", "Intro.", "Intro."),
        (
            "modified",
            "You agree to the courts of California.",
            "You agree to the courts of Ireland.",
        ),
        ("unchanged", "End.", "End."),
    ]


def test_align_added_and_removed_in_place() -> None:
    old = "A one two.\n\nB gone now.\n\nC three four.\n\nD five six."
    new = "A one two.\n\nC three four.\n\nNew words entirely.\n\nD five six."
    assert kinds(old, new) == [
        ("unchanged", "A one two.", "A one two."),
        ("removed", "B gone now.", None),
        ("unchanged", "C three four.", "C three four."),
        ("added", None, "New words entirely."),
        ("unchanged", "D five six.", "D five six."),
    ]


def test_align_removed_at_start_and_end() -> None:
    assert kinds("Old first.\n\nKept.\n\nOld last.", "Kept.") == [
        ("removed", "Old first.", None),
        ("unchanged", "Kept.", "Kept."),
        ("removed", "Old last.", None),
    ]


def test_align_moved_is_not_removed_plus_added() -> None:
    paragraphs = [f"Paragraph {n} says something about topic {n}." for n in range(6)]
    old = "\n\n".join(paragraphs)
    new = "\n\n".join([*paragraphs[:1], *paragraphs[2:5], paragraphs[1], paragraphs[5]])
    result = kinds(old, new)
    assert [k for k, _, _ in result] == ["unchanged"] * 4 + ["moved", "unchanged"]
    assert result[4] == ("moved", paragraphs[1], paragraphs[1])


def test_align_reflowed_paragraph_is_unchanged() -> None:
    old = "Intro.\n\nThe service is provided as is, without\nwarranty of any kind.\n\nEnd."
    new = "Intro.\n\nThe service is provided as is,\nwithout warranty  of any kind.\n\nEnd."
    assert [k for k, _, _ in kinds(old, new)] == ["unchanged"] * 3


def test_align_sentence_inserted_into_long_paragraph() -> None:
    new_long = LONG.replace(
        "dispute. ", "dispute. Finnish law applies to municipalities using the service. "
    )
    result = kinds(LONG, new_long)
    assert [(k, n) for k, _, n in result if k != "unchanged"] == [
        ("added", "Finnish law applies to municipalities using the service.")
    ]


def test_align_real_versions() -> None:
    old = split_clauses(TWITTER_OLD.read_text(encoding="utf-8"))
    new = split_clauses(TWITTER_NEW.read_text(encoding="utf-8"))
    result = align(old, new)
    counts = {
        k: sum(a.kind == k for a in result) for k in ("added", "removed", "modified", "moved")
    }
    assert counts == {"added": 4, "removed": 3, "modified": 13, "moved": 1}
    # every clause of both versions appears exactly once
    assert sorted(a.old.index for a in result if a.old) == list(range(len(old)))
    assert [a.new.index for a in result if a.new] == list(range(len(new)))  # new-document order
    by_new = {a.new.text.split(":")[0]: a for a in result if a.new}
    assert by_new["Child Sexual Exploitation"].kind == "modified"
    assert by_new["Child Sexual Exploitation"].old.text.startswith("Child sexual exploitation:")
    assert by_new["Account Compromise"].kind == "added"
    # the "Enforcement and Appeals" section moved below "Third-party advertising"; its text
    # differs only by a no-break space, which is still the same clause
    moved = [a for a in result if a.kind == "moved"]
    assert moved[0].new.text.startswith("Learn more about\xa0[our approach to enforcement]")
    assert moved[0].old.text.replace("\xa0", " ") == moved[0].new.text.replace("\xa0", " ")
    assert moved[0].old.heading == "Enforcement and Appeals"
    assert moved[0].new.index > moved[0].old.index
    # the removed "Violence" rule stays where it was: just before the rule that replaced it
    position = [a.kind for a in result].index("removed")
    assert result[position].old.text.startswith("Violence:")
    assert result[position + 1].new.text.startswith("Violent Speech:")


def test_align_is_deterministic() -> None:
    old = split_clauses(TWITTER_OLD.read_text(encoding="utf-8"))
    new = split_clauses(TWITTER_NEW.read_text(encoding="utf-8"))
    assert align(old, new) == align(list(old), list(new))


def _document(n: int, variant: int) -> list[str]:
    words = ["terms", "service", "content", "licence", "court", "data", "account", "notice"]
    return [
        f"Section {i}: the {words[i % 8]} {words[(i * 3 + variant) % 8]} clause number {i} "
        f"applies to {words[(i * 5) % 8]} of user {i * 7} in region {i % 13}."
        for i in range(n)
    ]


def test_align_large_rewritten_document_is_bounded() -> None:
    old = [Clause(i, text, None) for i, text in enumerate(_document(3000, 0))]
    new_texts = _document(3000, 1)  # every clause reworded: one gap of 3000 x 3000
    new = [Clause(i, text, None) for i, text in enumerate(reversed(new_texts))]
    start = time.perf_counter()
    result = align(old, new)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, elapsed
    assert [a.new.index for a in result if a.new] == list(range(3000))
    assert sorted(a.old.index for a in result if a.old) == list(range(3000))
    modified = [a for a in result if a.kind == "modified"]
    assert len(modified) > 2500
    assert all(a.old.text.split(":")[0] == a.new.text.split(":")[0] for a in modified)


def test_alignment_is_a_frozen_dataclass() -> None:
    item = Alignment("added", None, Clause(0, "x", None))
    with pytest.raises(AttributeError):
        item.kind = "removed"  # type: ignore[misc]
