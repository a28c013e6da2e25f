"""What a fetch produced: items handed from the spider to the pipeline, and failure classification.

The spider stays thin: it turns Scrapy responses and errors into :class:`FetchResult` items with
these helpers, and :mod:`tosmonitor.recording` decides what they mean for the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FAILURE_KINDS = {
    "http_error": "the server answered with an HTTP error status",
    "timeout": "no complete answer within the download timeout",
    "dns": "the host name could not be resolved",
    "tls": "the TLS (HTTPS) handshake or certificate check failed",
    "connection": "the connection was refused, reset or dropped mid-answer",
    "redirect_loop": "too many redirects",
    "blocked": "a bot wall or captcha page came back instead of the terms",
    "consent_wall": "a cookie-consent page came back instead of the terms",
    "empty": "the page or the extracted text is empty",
    "selector_missing": "the declaration's selector matched nothing on the page",
    "too_short": "the extracted text shrank to under half of the last version (accepted if the next check agrees)",
    "language_changed": "the text is in another language than the last version (accepted if the next check agrees)",
    "unsupported_media": "the page is neither HTML, PDF nor plain text",
    "extract_error": "the extraction failed",
}


class FetchError(Exception):
    """A fetch failed with a named kind (one of :data:`FAILURE_KINDS`)."""

    def __init__(self, kind: str, message: str, http_status: int | None = None, url: str = "") -> None:
        assert kind in FAILURE_KINDS, kind
        self.kind, self.message, self.http_status, self.url = kind, message, http_status, url
        super().__init__(f"{kind}: {message}")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class FetchedPage:
    """One HTTP response body, as fetched."""

    url: str
    status: int
    media_type: str
    body: bytes
    fetched_at: datetime = field(default_factory=utcnow)


@dataclass
class FetchResult:
    """All pages of one document, or the failure that stopped the fetch."""

    service_id: str
    doc_type: str
    started_at: datetime
    pages: list[FetchedPage] = field(default_factory=list)
    failure: FetchError | None = None


def media_type_of(content_type: str | bytes | None, body: bytes) -> str:
    """The media type from a Content-Type header, sniffing PDFs whose server says otherwise."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = (content_type or "").split(";")[0].strip().lower()
    if body.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    return media or "text/html"


def failure_from_http_status(status: int, url: str) -> FetchError:
    return FetchError("http_error", f"HTTP {status} from {url}", http_status=status, url=url)


_EXCEPTION_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("DNSLookupError", "CannotResolveHostError", "gaierror"), "dns"),
    (
        ("TimeoutError", "TCPTimedOutError", "UserTimeoutError", "DownloadTimeoutError", "DeferredTimeoutError"),
        "timeout",
    ),
)
_TLS_REASON = re.compile(r"\('SSL routines', '[^']*', '([^']+)'\)")
# Chromium's network errors, as Playwright reports them ("net::ERR_NAME_NOT_RESOLVED at https://…")
_CHROMIUM_KINDS = (
    (re.compile(r"net::ERR_(?:NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED)\b"), "dns"),
    (re.compile(r"net::ERR_(?:TIMED_OUT|CONNECTION_TIMED_OUT)\b"), "timeout"),
    (re.compile(r"net::ERR_(?:CERT_\w+|SSL_\w+|BAD_SSL_CLIENT_AUTH_CERT)\b"), "tls"),
    (re.compile(r"net::ERR_TOO_MANY_REDIRECTS\b"), "redirect_loop"),
)
_PHRASES = {"dns": "host name not found", "timeout": "timed out"}


def failure_from_exception(error: BaseException, url: str) -> FetchError:
    """Name the failure kind of a download exception (Twisted, Scrapy or OpenSSL)."""
    names = {cls.__name__ for cls in type(error).__mro__}
    text = _describe(error)
    kind = next((k for class_names, k in _EXCEPTION_KINDS if names & set(class_names)), None)
    kind = kind or next((k for rx, k in _CHROMIUM_KINDS if rx.search(text)), None)
    if kind in _PHRASES:
        return FetchError(kind, f"{_PHRASES[kind]} fetching {url}: {text}", url=url)
    tls_reasons = _TLS_REASON.findall(text)
    if kind == "tls" or tls_reasons or "OpenSSL" in type(error).__module__ or "SSL" in text:
        reason = "; ".join(dict.fromkeys(tls_reasons)) or text
        return FetchError("tls", f"TLS handshake with {url} failed: {reason}", url=url)
    if kind == "redirect_loop" or "redirect" in text.lower():
        return FetchError("redirect_loop", f"too many redirects fetching {url}", url=url)
    return FetchError("connection", f"fetching {url} failed: {type(error).__name__}: {text}", url=url)


def _describe(error: BaseException) -> str:
    """One line: the error's own words (a browser's "Call log:" and other detail lines dropped)."""
    reasons: Any = getattr(error, "reasons", None)
    if reasons:
        return "; ".join(_describe(getattr(r, "value", r)) for r in reasons)
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__
