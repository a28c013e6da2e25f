"""A cheap fingerprint of what extraction would read from a page, to skip converting unchanged pages.

Live pages change their raw bytes on every request (nonces, CSRF tokens, ad slots, timestamps), so
the raw hash cannot tell an unchanged page; full extraction (BeautifulSoup, filters, Markdown) costs
tens of milliseconds. The fingerprint parses the page with ``lxml.html`` alone, drops what extraction
never reads (comments, scripts, styles, the declaration's ``remove``), and hashes the serialised
``select`` matches together with the URL, the source declaration and the extractor's own code. Equal
fingerprints therefore mean equal extraction input and equal extraction code, hence equal text.

When in doubt there is no fingerprint (``None``) and the page takes the full path: range selectors,
selectors ``cssselect`` cannot translate, a selector with no match (the full path names the failure),
an unparsable page.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import uuid
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import lxml.html
from cssselect import SelectorError
from lxml import etree

from tosmonitor.declarations import RangeSelector, SourceDocument
from tosmonitor.extract import NON_TEXT_ELEMENTS, media_kind

__all__ = ["document_fingerprint", "extractor_id", "page_fingerprint"]

#: The modules whose code decides the extracted text for a given page.
_EXTRACTOR_MODULES = ("extract.py", "filters.py", "interstitials.py", "fingerprint.py")


@cache
def extractor_id() -> str:
    """A hash of the extraction code and the converter's version: new code, new fingerprints."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for name in _EXTRACTOR_MODULES:
        try:
            digest.update((package / name).read_bytes())
        except OSError:  # no readable source (a zipped or compiled-only install): never trust a match
            digest.update(uuid.uuid4().bytes)
    for distribution in ("markdownify", "beautifulsoup4", "lxml", "pypdf"):
        try:
            digest.update(f"{distribution}={importlib.metadata.version(distribution)};".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{distribution}=none;".encode())
    return digest.hexdigest()


def page_fingerprint(content: bytes, media_type: str, url: str, source: SourceDocument) -> str | None:
    """The fingerprint of one fetched page, or ``None`` when only full extraction can tell."""
    kind, _charset = media_kind(content, media_type)
    digest = hashlib.sha256()
    digest.update(extractor_id().encode())
    digest.update(json.dumps([media_type, url, source.to_json()], sort_keys=True).encode())
    if kind in ("pdf", "text"):
        digest.update(content)  # the text is a function of the bytes alone
        return digest.hexdigest()
    if kind != "html" or _has_ranges(source):
        return None
    selected = _selected_markup(content, source)
    if selected is None:
        return None
    for part in selected:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def document_fingerprint(pages: Sequence[tuple[bytes, str, str, SourceDocument]]) -> str | None:
    """One fingerprint for the pages of a document, ``None`` when any page has none."""
    digest = hashlib.sha256()
    for page in pages:
        fingerprint = page_fingerprint(*page)
        if fingerprint is None:
            return None
        digest.update(fingerprint.encode())
    return digest.hexdigest() if pages else None


def _has_ranges(source: SourceDocument) -> bool:
    return any(isinstance(selector, RangeSelector) for selector in (*source.select, *source.remove))


def _selected_markup(content: bytes, source: SourceDocument) -> list[bytes] | None:
    try:
        root = lxml.html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return None
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction, *NON_TEXT_ELEMENTS)):
        node.drop_tree()  # keeps the node's tail text in place
    try:
        for selector in source.remove:
            for node in root.cssselect(str(selector)):
                node.drop_tree()
        if source.select:
            matches = [node for selector in source.select for node in root.cssselect(str(selector))]
        else:
            body = root.find("body")
            matches = [body if body is not None else root]
    except (SelectorError, etree.XPathError):
        return None
    if not matches:
        return None
    return [etree.tostring(node, method="html", encoding="utf-8", with_tail=False) for node in matches]
