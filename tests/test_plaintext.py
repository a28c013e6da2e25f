"""Headings are shown without Markdown syntax."""

from __future__ import annotations

import pytest

from tosmonitor.plaintext import plain_markdown


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("6\\. General", "6. General"),
        ("**Effective:** January 15, 2026", "Effective: January 15, 2026"),
        ("[X's Terms of Service](#outside-eu) for users", "X's Terms of Service for users"),
        ("See [the policy](https://en.wikipedia.org/wiki/Terms_(law)) now", "See the policy now"),
        ("_Important_ notice", "Important notice"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 \\* 3 = 6", "2 * 3 = 6"),
        ("\\*\\*not bold\\*\\*", "**not bold**"),
        # list items (X's and YouTube's terms): the bullet is syntax, a dash inside a sentence is not
        ("- **There are licenses in these Terms:** You retain", "There are licenses in these Terms: You retain"),
        ("*   _Last Updated: April 10, 2026_", "Last Updated: April 10, 2026"),
        ("Fees - if any - apply.\n- one\n  + two", "Fees - if any - apply.\none\ntwo"),
        ("-5 degrees", "-5 degrees"),
        ("", ""),
        (None, ""),
    ],
)
def test_plain_markdown(markdown: str | None, shown: str) -> None:
    assert plain_markdown(markdown) == shown


def test_diff_renderers_show_plain_headings_and_escape_them() -> None:
    from tosmonitor.diffing import ClauseChange, render_html, render_text

    change = ClauseChange(
        kind="added", old=None, new="New clause.", old_index=None, new_index=3,
        heading="6\\. General <b>", diff=[(1, "New clause.")],
    )
    assert "§ 6. General <b>" in render_text([change])
    html = render_html([change])
    assert '<span class="heading">6. General &lt;b&gt;</span>' in html


def test_added_clause_reads_without_markdown() -> None:
    from tosmonitor.diffing import diff_ops_html

    html = diff_ops_html([(1, "**[X's Terms](#outside-eu)** apply to 6\\. users")], whole=True)
    assert html == "<ins>X&#39;s Terms apply to 6. users</ins>"


def test_changed_link_target_stays_visible_unchanged_one_hidden() -> None:
    from tosmonitor.diffing import diff_ops_html, word_diff

    old = "Read [the policy](https://example.com/old) and [the rules](https://example.com/rules)."
    new = old.replace("/old", "/new")
    html = diff_ops_html(word_diff(old, new), whole=False)
    assert "<del>old</del><ins>new</ins>" in html  # the changed part of the URL is seen
    assert "rules)" not in html and "the rules" in html  # the unchanged link reads as its text
    assert "[" not in html


def test_markup_only_change_is_not_invisible() -> None:
    from tosmonitor.diffing import diff_ops_html

    ops = [(0, "We "), (1, "**"), (0, "may"), (1, "**"), (0, " end it.")]  # "may" became bold
    assert diff_ops_html(ops, whole=False) == "We <ins>**</ins>may<ins>**</ins> end it."


def test_highlights_keep_their_offsets_into_the_markdown() -> None:
    from tosmonitor.diffing import ClauseChange, render_html

    text = "**Disputes:** the [courts of Ireland](#courts) decide."
    start = text.index("courts of Ireland")
    change = ClauseChange(
        kind="added", old=None, new=text, old_index=None, new_index=0, heading=None, diff=[(1, text)],
        topics=["jurisdiction"], severity="high",
        matches={"jurisdiction": [(start, start + len("courts of Ireland"), "courts of Ireland")]},
    )
    html = str(render_html([change]))
    mark = '<mark class="topic-jurisdiction" title="jurisdiction">courts of Ireland</mark>'
    assert f"<ins>Disputes: the {mark} decide.</ins>" in html
