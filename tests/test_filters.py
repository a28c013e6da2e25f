"""Named filters: the registry, and one data-driven case per filter (tests/fixtures/extraction/cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tosmonitor import filters
from tosmonitor.declarations import FilterSpec, SourceDocument, load_service
from tosmonitor.extract import extract_page

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
CASES = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["filters"]
URL = "https://example.com/terms"

OTA_NAMES = [
    "removeQueryParams", "removeTrackingIDs", "removeEmptyLinks", "removeScripts", "removeLinks",
    "removeHelpButtons", "removeReturnToTopButtons", "cleanUrls", "removeCountryVersion",
    "removeDownloadedForUseLinkExtension", "replaceInfoImageWithEmoji",
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_filter_case(case: dict[str, Any]) -> None:
    spec = FilterSpec(case["filter"], case.get("params"))
    source = SourceDocument(fetch=URL, filters=(spec,))
    html = f"<html><body>{case['html']}</body></html>".encode()
    assert extract_page(html, "text/html", URL, source) == case["expected"]


def test_every_filter_has_a_case() -> None:
    assert sorted({case["filter"] for case in CASES}) == filters.names()


@pytest.mark.parametrize("name", OTA_NAMES)
def test_ota_filter_names_are_registered(name: str) -> None:
    assert name in filters.names()
    assert callable(filters.get(name))


def test_describe_gives_first_docstring_paragraph() -> None:
    described = dict(filters.describe())
    assert list(described) == filters.names()
    assert all(text and "\n" not in text for text in described.values())
    assert described["removeLinks"].startswith("Replace every link by its text")


def test_unknown_filter_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError) as caught:
        filters.get("nope")
    assert isinstance(caught.value, filters.FilterError)
    assert caught.value.name == "nope"
    assert "unknown filter" in str(caught.value) and "removeLinks" in str(caught.value)


def test_register_refuses_duplicates_and_missing_docstrings() -> None:
    with pytest.raises(ValueError):
        filters.register("removeLinks")(lambda soup, params, url: None)

    def undocumented(soup: BeautifulSoup, params: Any, url: str) -> None:
        pass

    with pytest.raises(ValueError):
        filters.register("undocumentedFilter")(undocumented)
    assert "undocumentedFilter" not in filters.names()


def test_apply_reraises_with_name() -> None:
    soup = BeautifulSoup('<a href="https://e.com/?a=1">x</a>', "lxml")
    with pytest.raises(filters.FilterError) as caught:
        filters.apply(soup, "removeQueryParams", [None], URL)
    assert caught.value.name == "removeQueryParams"


@pytest.mark.parametrize("service_id", ["github", "buffer"])
def test_fixture_declarations_validate_against_registry(service_id: str) -> None:
    load_service(FIXTURES / service_id / f"{service_id}.json", filters.names())


def test_drop_query_params_keeps_other_bytes() -> None:
    url = "https://e.com/p?b=%2F1&utm_source=x&a=&c#frag"
    assert filters.drop_query_params(url, filters.is_tracking_param) == "https://e.com/p?b=%2F1&a=&c#frag"
    assert filters.drop_query_params("https://e.com/p", filters.is_tracking_param) == "https://e.com/p"
