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
