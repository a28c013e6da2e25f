"""Word diffs, clause change records and the text / HTML / JSON renderers."""

from __future__ import annotations

import json
import time
from itertools import pairwise
from pathlib import Path

import pytest

from tosmonitor.clauses import split_clauses
from tosmonitor.diffing import (
    ClauseChange,
    change_stats,
    diff_texts,
    render_html,
    render_json,
    render_text,
    word_diff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "diffing"
PAIRS = [
    (
        "twitter-community-guidelines-2022-07-06T13-50-01Z.md",
        "twitter-community-guidelines-2023-02-25T00-42-32Z.md",
    ),
    (
        "youtube-copyright-claims-policy-2021-01-15T08-33-01Z.md",
        "youtube-copyright-claims-policy-2022-06-10T06-44-15Z.md",
    ),
]


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def old_side(ops: list[tuple[int, str]]) -> str:
    return "".join(text for op, text in ops if op <= 0)


def new_side(ops: list[tuple[int, str]]) -> str:
    return "".join(text for op, text in ops if op >= 0)


# --- word_diff -------------------------------------------------------------------------------


def real_clause_pairs() -> list[tuple[str, str]]:
    """Aligned modified pairs plus many unrelated real clause pairs, from the fixtures."""
    pairs = []
    for old_name, new_name in PAIRS:
        old, new = read(old_name), read(new_name)
        pairs += [(c.old, c.new) for c in diff_texts(old, new) if c.kind == "modified"]
        old_clauses = [c.text for c in split_clauses(old)]
        new_clauses = [c.text for c in split_clauses(new)]
        for shift in (0, 1, 3):
            pairs += list(zip(old_clauses, new_clauses[shift:], strict=False))
        pairs += list(pairwise(old_clauses))
    return pairs


def test_word_diff_reconstructs_both_sides_exactly() -> None:
    pairs = real_clause_pairs()
    assert len(pairs) > 200
    for old, new in pairs:
        ops = word_diff(old, new)
        assert old_side(ops) == old
        assert new_side(ops) == new
        assert all(op in (-1, 0, 1) and text for op, text in ops)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("", "new text"),
        ("old text", ""),
        ("same", "same"),
        ("a  b\n\nc\t d", "a b\nc d "),
        ("naïve café — “quotes” ⚖️ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", 'naive cafe - "quotes" ⚖ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢!'),
        ("<script>alert(1)</script>", '<img src=x "onerror=alert(1)>'),
    ],
)
def test_word_diff_edge_cases(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert old_side(ops) == old
    assert new_side(ops) == new
    assert all(text for _, text in ops)


def test_word_diff_is_word_level() -> None:
    assert word_diff("the quick brown fox", "the slow brown fox") == [
        (0, "the "),
        (-1, "quick"),
        (1, "slow"),
        (0, " brown fox"),
    ]


def test_word_diff_does_not_cut_words() -> None:
    # a character-level clean-up would give "[-sexual e-]{+Sexual E+}xploitation"
    assert word_diff("Child sexual exploitation: no.", "Child Sexual Exploitation: no.") == [
        (0, "Child "),
        (-1, "sexual exploitation"),
        (1, "Sexual Exploitation"),
        (0, ": no."),
    ]


def test_word_diff_with_more_distinct_tokens_than_below_the_surrogates() -> None:
    old = " ".join(f"w{i}" for i in range(57_000))
    new = old.replace(" w30000 ", " changed ")
    ops = word_diff(old, new)
    assert old_side(ops) == old and new_side(ops) == new
    assert [(op, text) for op, text in ops if op] == [(-1, "w30000"), (1, "changed")]


def test_fast_backend_gives_the_reference_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """fast-diff-match-patch (shipped) and the Python diff-match-patch (reference) agree op for op."""
    from tosmonitor import diffing

    assert diffing._diff_encoded is diffing._diff_encoded_fast
    many = " ".join(f"w{i}" for i in range(57_000))  # token codes beyond the surrogate range
    cases = [*real_clause_pairs(), (many, many.replace(" w30000 ", " changed ").replace(" w9 ", " "))]
    fast = [word_diff(old, new) for old, new in cases]
    monkeypatch.setattr(diffing, "_diff_encoded", diffing._diff_encoded_dmp)
    assert [word_diff(old, new) for old, new in cases] == fast
    assert len(cases) > 100


# --- diff_texts ------------------------------------------------------------------------------


def test_diff_texts_real_modification() -> None:
    old_name, new_name = PAIRS[1]
    changes = diff_texts(read(old_name), read(new_name))
    assert change_stats(changes) == {"added": 0, "removed": 0, "modified": 2, "moved": 0}
    first, second = changes
    assert first.heading == "What is fair use?"
    assert (1, "have ") in first.diff
    assert (1, "?hl=en-gb") in first.diff
    assert (-1, "free ") in first.diff
    assert [(op, t) for op, t in second.diff if op] == [(-1, "Tools"), (1, "tools")]
    assert first.old_index is not None and first.new_index is not None


def test_diff_texts_kinds_and_diffs() -> None:
    old_name, new_name = PAIRS[0]
    changes = diff_texts(read(old_name), read(new_name))
    assert change_stats(changes) == {"added": 4, "removed": 3, "modified": 13, "moved": 1}
    for change in changes:
        if change.kind == "added":
            assert change.diff == [(1, change.new)] and change.old is None
        elif change.kind == "removed":
            assert change.diff == [(-1, change.old)] and change.new is None
        elif change.kind == "moved":
            assert change.diff == [(0, change.new)]
        else:
            assert old_side(change.diff) == change.old
            assert new_side(change.diff) == change.new
    new_indexes = [c.new_index for c in changes if c.new_index is not None]
    assert new_indexes == sorted(new_indexes)


def test_diff_texts_identical_and_reflowed_give_nothing() -> None:
    text = read(PAIRS[0][0])
    assert diff_texts(text, text) == []
    reflowed = text.replace(". ", ".\n")  # soft line breaks inside paragraphs
    assert diff_texts(text, reflowed) == []


def test_diff_texts_large_reflowed_document_is_clause_level_and_fast() -> None:
    paragraphs = [
        f"Clause {i}. The provider may change clause {i} of these terms at any time, for any "
        f"reason, and content number {i * 31} may be removed without notice in region {i % 17}."
        for i in range(2500)
    ]
    old = "\n\n".join(paragraphs)
    new_paragraphs = [p.replace(", for any ", ",\nfor any ") for p in paragraphs]  # re-flowed
    new_paragraphs[1200] = new_paragraphs[1200].replace("at any time", "with 30 days' notice")
    new = "\n\n".join(new_paragraphs)
    assert len(old) > 200_000
    start = time.perf_counter()
    changes = diff_texts(old, new)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, elapsed
    assert [c.kind for c in changes] == ["modified"]
    assert [(op, t) for op, t in changes[0].diff if op] == [
        (-1, "at any time, "),
        (1, "with 30 days' notice,\n"),
    ]


def test_diff_texts_is_deterministic() -> None:
    old_name, new_name = PAIRS[0]
    first = render_json(diff_texts(read(old_name), read(new_name)))
    second = render_json(diff_texts(read(old_name), read(new_name)))
    assert first == second


def test_change_stats_has_every_kind() -> None:
    assert change_stats([]) == {"added": 0, "removed": 0, "modified": 0, "moved": 0}


# --- renderers -------------------------------------------------------------------------------

EVIL_OLD = 'Old <script>alert("x")</script> text "onerror=alert(1) courts of California.'
EVIL_NEW = 'New <script>alert("y")</script> text "onerror=alert(2) courts of Ireland.'


def sample_changes() -> list[ClauseChange]:
    modified_diff = word_diff(EVIL_OLD, EVIL_NEW)
    start = EVIL_NEW.index("courts of Ireland")
    return [
        ClauseChange(
            kind="modified",
            old=EVIL_OLD,
            new=EVIL_NEW,
            old_index=3,
            new_index=3,
            heading='<b onmouseover="x">Law</b>',
            diff=modified_diff,
            topics=["jurisdiction"],
            severity="high",
            matches={
                "jurisdiction": [(start, start + len("courts of Ireland"), "courts of Ireland")]
            },
            statements=[
                {
                    "topic": "jurisdiction",
                    "text_en": "Disputes go to <Irish> courts.",
                    "text_fi": "Riidat ratkaistaan Irlannin tuomioistuimissa.",
                }
            ],
        ),
        ClauseChange("added", None, EVIL_NEW, None, 4, None, [(1, EVIL_NEW)]),
        ClauseChange(
            "removed",
            EVIL_OLD,
            None,
            5,
            None,
            None,
            [(-1, EVIL_OLD)],
            topics=["jurisdiction"],
            severity="high",
            matches={
                "jurisdiction": [
                    (EVIL_OLD.index("courts"), len(EVIL_OLD) - 1, "courts of California")
                ]
            },
        ),
        ClauseChange("moved", EVIL_NEW, EVIL_NEW, 1, 6, None, [(0, EVIL_NEW)]),
    ]


def test_render_html_escapes_everything_from_documents() -> None:
    html = str(render_html(sample_changes()))
    assert "<script>" not in html and "</script>" not in html
    assert "&lt;script&gt;" in html
    assert '"onerror=' not in html
    assert "&#34;onerror=alert(1)" in html and "&#34;onerror=alert(2)" in html
    assert "<b onmouseover" not in html and "&lt;b onmouseover=&#34;x&#34;&gt;Law" in html
    assert "&lt;Irish&gt;" in html


def test_render_html_structure() -> None:
    html = str(render_html(sample_changes()))
    for kind in ("modified", "added", "removed", "moved"):
        assert f'class="change change-{kind}' in html
    assert "<del>" in html and "<ins>" in html
    assert '<span class="topic topic-jurisdiction">jurisdiction</span>' in html
    assert '<span class="severity severity-high">high</span>' in html
    assert (
        '<mark class="topic-jurisdiction" title="jurisdiction">courts of </mark>'
        "<del>California</del>"
        '<ins><mark class="topic-jurisdiction" title="jurisdiction">Ireland</mark></ins>'
    ) in html
    assert (
        '<mark class="topic-jurisdiction" title="jurisdiction">courts of California</mark>' in html
    )
    assert '<li lang="fi">Riidat ratkaistaan Irlannin tuomioistuimissa.</li>' in html
    assert html.count("<section") == html.count("</section>") == 4


def test_render_html_mark_spans_diff_ops() -> None:
    old, new = "Disputes go to the courts of Ireland.", "Disputes go to the courts of Finland."
    diff = word_diff(old, new)
    start = new.index("courts")
    change = ClauseChange(
        "modified",
        old,
        new,
        0,
        0,
        None,
        diff,
        ["jurisdiction"],
        "high",
        {"jurisdiction": [(start, start + len("courts of Finland"), "courts of Finland")]},
    )
    html = str(render_html([change]))
    assert (
        '<mark class="topic-jurisdiction" title="jurisdiction">courts of </mark>'
        "<del>Ireland</del>"
        '<ins><mark class="topic-jurisdiction" title="jurisdiction">Finland</mark></ins>'
    ) in html


def test_render_html_is_markup_for_jinja() -> None:
    html = render_html([])
    assert hasattr(html, "__html__")
    assert str(html) == '<div class="tos-changes">\n</div>'


def test_render_text_markers() -> None:
    text = render_text(sample_changes())
    assert "\x1b" not in text
    assert '~ modified  § <b onmouseover="x">Law</b>' in text
    assert '[-alert("x")</script> text "onerror=alert(1) courts of California-]' not in text
    assert '<script>alert("[-x-]{+y+}")</script>' in text
    assert "[-California-]{+Ireland+}" in text
    assert "topics: jurisdiction (severity: high)" in text
    assert "[fi] Riidat ratkaistaan Irlannin tuomioistuimissa." in text
    assert "[en] Disputes go to <Irish> courts." in text
    assert "\n+ added\n  {+New <script>" in text
    assert "\n- removed\n" in text and "[-Old <script>" in text
    assert "\n> moved\n  New <script>" in text


def test_render_text_color_and_empty() -> None:
    colored = render_text(sample_changes(), color=True)
    assert "\x1b[31m[-" in colored and "\x1b[32m{+" in colored
    assert render_text([]) == ""


def test_render_json_shape() -> None:
    old_name, new_name = PAIRS[1]
    changes = diff_texts(read(old_name), read(new_name))
    rendered = render_json(changes)
    assert json.loads(json.dumps(rendered)) == rendered
    first = rendered[0]
    assert set(first) == {
        "kind",
        "old",
        "new",
        "topics",
        "severity",
        "diff",
        "matches",
        "statements",
        "heading",
    }
    assert first["kind"] == "modified" and first["severity"] == "low"
    assert first["heading"] == "What is fair use?"
    assert all(isinstance(op, list) and len(op) == 2 for op in first["diff"])
    assert "".join(t for op, t in first["diff"] if op >= 0) == first["new"]
    sample = render_json(sample_changes())
    assert sample[0]["matches"]["jurisdiction"][0][2] == "courts of Ireland"
    assert sample[0]["statements"][0]["topic"] == "jurisdiction"
    assert sample[1]["old"] is None and sample[1]["diff"] == [[1, EVIL_NEW]]


def test_a_clause_whose_words_did_not_change_is_low() -> None:
    """Reddit's Terms of Service (Open Terms Archive, ODC-By 1.0) put a link around one word of its age
    rule; the unchanged words "laws of your country" are tagged governing_law, but no legal alert is due.
    A real word change in the same clause is still high."""
    from tosmonitor.changes import build_clause_changes

    old = ("To use the Services, you must be at least 13 years old and meet the minimum age required by the "
           "laws of your country of residence.\n\nWe may change these Terms at any time.\n")
    linked = old.replace("residence.", "[residence](https://support.reddithelp.com/hc/en-us/articles/age).")
    [clause] = build_clause_changes(old, linked)
    assert clause.kind == "modified" and "governing_law" in clause.topics
    assert clause.severity == "low"
    assert "(only links or formatting changed)" in render_html([clause])  # why a high topic is low
    [clause] = build_clause_changes(old, old.replace("country of residence", "State of California"))
    assert clause.severity == "high"
