"""Interstitial detection: small pages from a data table, and no false positives on real terms."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from tosmonitor import interstitials

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
CASES = json.loads((FIXTURES / "interstitials.json").read_text(encoding="utf-8"))["cases"]

# Long legal text that talks about cookies, consent, captchas and JavaScript, like real policies do.
LEGAL_FILLER = " ".join(
    [
        "We use cookies and similar technologies; you can accept or reject optional cookies in the"
        " settings, and you may withdraw your consent at any time.",
        "Automated access is prohibited, and we may show a captcha to verify that you are human.",
        "Some features require JavaScript to be enabled in your browser.",
    ]
    * 30
)


def _page(case: dict[str, Any]) -> str:
    return case["html"].replace("PLACEHOLDER", html.escape(LEGAL_FILLER))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_case(case: dict[str, Any]) -> None:
    found = interstitials.detect(_page(case), case["url"])
    assert (found[0] if found else None) == case["expected"]
    if found:
        assert case["url"] in found[1]


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("*/*.html")), ids=lambda p: p.stem)
def test_real_snapshots_are_not_interstitials(page: Path) -> None:
    assert interstitials.detect(page.read_text(encoding="utf-8"), "https://example.com/") is None


def _markdown_to_html(markdown: str, title: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(block)}</p>" for block in markdown.split("\n\n"))
    return f"<html><head><title>{title}</title></head><body>{paragraphs}</body></html>"


@pytest.mark.parametrize("version", sorted(FIXTURES.glob("*/*.md")), ids=lambda p: p.stem)
@pytest.mark.parametrize("title", ["Terms of Service", "Access Denied", "Before you continue"])
def test_real_versions_as_html_are_not_interstitials(version: Path, title: str) -> None:
    page = _markdown_to_html(version.read_text(encoding="utf-8"), title)
    assert interstitials.detect(page, "https://www.facebook.com/legal/terms") is None


def test_rules_are_data_with_at_least_one_condition() -> None:
    assert len({rule.name for rule in interstitials.RULES}) == len(interstitials.RULES)
    for rule in interstitials.RULES:
        assert rule.kind in ("blocked", "consent_wall")
        assert rule.hosts or rule.title or rule.markup or rule.text
        # text-only evidence must be bounded by page size, or it would fire on real terms
        if not rule.hosts and not rule.title and not rule.markup:
            assert rule.max_words is not None


def test_both_kinds_covered_by_cases() -> None:
    assert {case["expected"] for case in CASES} == {"blocked", "consent_wall", None}
