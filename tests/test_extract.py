"""Extraction: real recorded pages with their expected Markdown, data-driven small cases, errors."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tosmonitor import filters
from tosmonitor.declarations import FilterSpec, SourceDocument, load_service, parse_document
from tosmonitor.extract import ExtractError, extract_document, extract_page, normalise_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
CASES = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
URL = "https://example.com/terms"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def recorded_pages() -> list[tuple[str, Path]]:
    """(service id, snapshot path) for every ``<service>/<doc-type-slug>_<stamp>.html``."""
    return [(path.parent.name, path) for path in sorted(FIXTURES.glob("*/*.html"))]


def _source_for(service_id: str, page: Path) -> SourceDocument:
    service = load_service(FIXTURES / service_id / f"{service_id}.json", filters.names())
    slug = page.stem.split("_", 1)[0]
    (doc,) = [d for t, d in service.documents.items() if _slug(t) == slug]
    return doc.sources[0]


def _source(case: dict[str, Any]) -> SourceDocument:
    raw = {"fetch": case.get("url", URL)}
    for key in ("select", "remove", "filter"):
        if key in case:
            raw[key] = case[key]
    doc = parse_document(Path("cases.json"), "example", "Terms of Service", raw, case["id"],
                         filters.names())
    return doc.sources[0]


def _extract(html: str, source: SourceDocument, url: str = URL) -> str:
    return extract_page(html.encode(), "text/html; charset=utf-8", url, source)


# --- recorded pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(("service_id", "page"), recorded_pages(), ids=lambda v: getattr(v, "stem", v))
def test_recorded_page_matches_expected_markdown(service_id: str, page: Path) -> None:
    source = _source_for(service_id, page)
    result = extract_page(page.read_bytes(), "text/html", source.fetch, source)
    assert result == page.with_suffix(".md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("service_id", "page"), recorded_pages(), ids=lambda v: getattr(v, "stem", v))
def test_recorded_page_is_deterministic(service_id: str, page: Path) -> None:
    source = _source_for(service_id, page)
    content = page.read_bytes()
    first = extract_page(content, "text/html", source.fetch, source)
    second = extract_page(bytes(content), "text/html", source.fetch, source)
    assert first.encode() == second.encode()
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert normalise_markdown(first) == first


NOISE = [
    ("</head>", "<script>window.__token='b5f9c2e1a7';</script><style>.x{color:red}</style></head>"),
    ("<body", '<body data-session="8c1f"'),
    ("</body>", '<nav><a href="/changed?x=1">Brand new menu</a></nav>'
                '<div id="cookie-banner">We use cookies. <a href="/accept">Accept</a></div>'
                "<footer>© 2099 Someone else · Last viewed 12:34</footer></body>"),
]


@pytest.mark.parametrize(("service_id", "page"), recorded_pages(), ids=lambda v: getattr(v, "stem", v))
def test_noise_outside_select_does_not_change_output(service_id: str, page: Path) -> None:
    source = _source_for(service_id, page)
    html = page.read_text(encoding="utf-8")
    noisy = html
    for anchor, replacement in NOISE:
        assert anchor in noisy
        noisy = noisy.replace(anchor, replacement, 1)
    clean = extract_page(html.encode(), "text/html", source.fetch, source)
    assert extract_page(noisy.encode(), "text/html", source.fetch, source) == clean


# --- small cases from data -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["conversion"], ids=lambda c: c["id"])
def test_conversion_case(case: dict[str, Any]) -> None:
    html = f"<html><body>{case['html']}</body></html>"
    assert _extract(html, _source(case), case.get("url", URL)) == case["expected"]


@pytest.mark.parametrize("case", CASES["normalise"], ids=lambda c: c["id"])
def test_normalise_case(case: dict[str, Any]) -> None:
    result = normalise_markdown(case["text"])
    assert result == case["expected"]
    assert normalise_markdown(result) == result


# --- errors --------------------------------------------------------------------------------------


def test_selector_missing_names_selector_and_url() -> None:
    source = SourceDocument(fetch=URL, select=("#terms",))
    with pytest.raises(ExtractError) as caught:
        _extract("<html><body><p>Hello</p></body></html>", source)
    assert caught.value.kind == "selector_missing"
    assert caught.value.message == (
        f'The provided selector "#terms" has no match in the web page at {URL}'
    )


def test_range_with_missing_end_is_selector_missing() -> None:
    doc = parse_document(Path("x"), "example", "Terms of Service",
                         {"fetch": URL, "select": [{"startBefore": "h1", "endBefore": "#nope"}]}, "t")
    with pytest.raises(ExtractError) as caught:
        _extract("<html><body><h1>T</h1><p>x</p></body></html>", doc.sources[0])
    assert caught.value.kind == "selector_missing"
    assert '"endBefore": "#nope"' in caught.value.message


def test_whitespace_only_selection_is_empty() -> None:
    source = SourceDocument(fetch=URL, select=("#terms",))
    with pytest.raises(ExtractError) as caught:
        _extract('<html><body><div id="terms"> <p>&nbsp;</p><script>x()</script></div></body></html>',
                 source)
    assert caught.value.kind == "empty"


def test_bot_wall_is_blocked() -> None:
    html = ("<html><head><title>Just a moment...</title></head><body>"
            "<script>window._cf_chl_opt={}</script></body></html>")
    with pytest.raises(ExtractError) as caught:
        _extract(html, SourceDocument(fetch=URL, select=("#terms",)))
    assert caught.value.kind == "blocked"


def test_consent_interstitial_is_consent_wall() -> None:
    html = ("<html><head><title>Before you continue to YouTube</title></head><body>"
            '<form action="https://consent.youtube.com/save"><p>We use cookies</p></form></body></html>')
    with pytest.raises(ExtractError) as caught:
        _extract(html, SourceDocument(fetch="https://www.youtube.com/t/terms", select=("#content",)),
                 "https://www.youtube.com/t/terms")
    assert caught.value.kind == "consent_wall"


@pytest.mark.parametrize("media_type", ["image/png", "application/zip", "application/octet-stream"])
def test_unsupported_media(media_type: str) -> None:
    with pytest.raises(ExtractError) as caught:
        extract_page(b"\x89PNG\r\n\x1a\n....", media_type, URL, SourceDocument(fetch=URL))
    assert caught.value.kind == "unsupported_media"


def test_failing_filter_is_reraised_with_its_name() -> None:
    source = SourceDocument(fetch=URL, filters=(FilterSpec("removeQueryParams", [1, 2]),))
    with pytest.raises(filters.FilterError) as caught:
        _extract("<html><body><p>x</p></body></html>", source)
    assert caught.value.name == "removeQueryParams"
    assert "removeQueryParams" in str(caught.value)


def test_unknown_filter_is_filter_error_with_name() -> None:
    source = SourceDocument(fetch=URL, filters=(FilterSpec("noSuchFilter"),))
    with pytest.raises(filters.FilterError) as caught:
        _extract("<html><body><p>x</p></body></html>", source)
    assert caught.value.name == "noSuchFilter"


# --- other media and combine ---------------------------------------------------------------------


def test_plain_text_is_normalised() -> None:
    text = "Terms\u00a0of use \r\n\r\n\r\n“Quoted”  \n".encode()
    result = extract_page(text, "text/plain; charset=utf-8", URL, SourceDocument(fetch=URL))
    assert result == 'Terms of use\n\n"Quoted"\n'


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF with one text line per entry (Helvetica, no dependencies)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    font_id = 3 + 2 * len(pages)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for index, lines in enumerate(pages):
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * index} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_in_paragraphs() -> None:
    pdf = make_pdf([
        ["Terms of Service", "", "1. You keep ownership of your content. We may",
         "use it to run the service.", "2. Finnish law applies."],
        ["Last page text."],
    ])
    for media_type in ("application/pdf", "application/octet-stream"):
        result = extract_page(pdf, media_type, URL, SourceDocument(fetch=URL))
        assert result == (
            "Terms of Service\n\n"
            "1. You keep ownership of your content. We may use it to run the service.\n\n"
            "2. Finnish law applies.\n\n"
            "Last page text.\n"
        )


def test_pdf_without_text_is_empty() -> None:
    with pytest.raises(ExtractError) as caught:
        extract_page(make_pdf([[]]), "application/pdf", URL, SourceDocument(fetch=URL))
    assert caught.value.kind == "empty"


def test_combine_joins_pages_with_blank_line() -> None:
    first = SourceDocument(fetch="https://e.com/a", select=("#a",))
    second = SourceDocument(fetch="https://e.com/b", select=("#b",))
    result = extract_document([
        (b'<html><body><div id="a"><p>Part A.</p></div><div id="b">no</div></body></html>',
         "text/html", "https://e.com/a", first),
        (b'<html><body><div id="b"><p>Part <a href="/x">B</a>.</p></div></body></html>',
         "text/html", "https://e.com/b", second),
    ])
    assert result == "Part A.\n\nPart [B](https://e.com/x).\n"


def test_combine_propagates_errors() -> None:
    source = SourceDocument(fetch=URL, select=("#gone",))
    with pytest.raises(ExtractError) as caught:
        extract_document([(b"<html><body><p>x</p></body></html>", "text/html", URL, source)])
    assert caught.value.kind == "selector_missing"


def test_extract_error_kind_is_checked() -> None:
    with pytest.raises(ValueError):
        ExtractError("nonsense", "x")


def regenerate() -> None:
    """Rewrite every recorded page's expected ``.md`` (review the diff before committing!)."""
    for service_id, page in recorded_pages():
        source = _source_for(service_id, page)
        text = extract_page(page.read_bytes(), "text/html", source.fetch, source)
        page.with_suffix(".md").write_text(text, encoding="utf-8")
        print(f"wrote {page.with_suffix('.md')}")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    regenerate()
