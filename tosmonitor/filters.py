"""Named extraction filters, registered by the names Open Terms Archive declarations use.

A filter is ``func(soup, params, url)``: it mutates the already selected HTML in place. Its docstring
is its user documentation (first paragraph shown by ``tosmonitor filters``). OTA's own filters are
JavaScript we do not have; where their exact semantics are unknown the docstring says what we assumed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup, NavigableString, Tag

FilterFunc = Callable[[BeautifulSoup, Any, str], None]

_REGISTRY: dict[str, FilterFunc] = {}

#: Query parameters that only track the visitor (exact names; ``utm_*`` is matched by prefix).
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "twclid", "ttclid",
        "li_fat_id", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp",
        "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id",
        "wickedid", "rb_clickid", "s_cid", "_ga", "_gl", "_openstat", "ml_subscriber",
        "ml_subscriber_hash", "ref_src", "ref_url", "trk", "trkcampaign", "sc_cid", "spm",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_")

#: Query parameters that select a country or language version of a linked page.
COUNTRY_PARAMS: frozenset[str] = frozenset(
    {"hl", "gl", "lang", "language", "locale", "country", "region", "cc", "lc", "ll", "setlang"}
)


class FilterError(Exception):
    """A filter failed (or does not exist); ``.name`` is the filter's name."""

    def __init__(self, name: str, message: str):
        super().__init__(f'The filter "{name}" failed: {message}')
        self.name = name
        self.message = message


class UnknownFilterError(FilterError, KeyError):
    """No filter is registered under this name (also a ``KeyError``)."""

    def __init__(self, name: str):
        known = ", ".join(names())
        FilterError.__init__(self, name, f"unknown filter; known filters: {known}")

    def __str__(self) -> str:
        return self.args[0]


def register(name: str) -> Callable[[FilterFunc], FilterFunc]:
    """Register ``func`` under ``name``; its docstring is the user documentation."""

    def decorator(func: FilterFunc) -> FilterFunc:
        if name in _REGISTRY:
            raise ValueError(f"filter {name!r} is already registered")
        if not (func.__doc__ or "").strip():
            raise ValueError(f"filter {name!r} needs a docstring")
        _REGISTRY[name] = func
        return func

    return decorator


def get(name: str) -> FilterFunc:
    """The filter registered as ``name``; raises :class:`UnknownFilterError` otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownFilterError(name) from None


def names() -> list[str]:
    """All registered filter names, sorted."""
    return sorted(_REGISTRY)


def describe() -> list[tuple[str, str]]:
    """``(name, first docstring paragraph)`` for every filter, sorted by name."""
    result = []
    for name in names():
        doc = (_REGISTRY[name].__doc__ or "").strip()
        first = doc.split("\n\n", 1)[0]
        result.append((name, " ".join(first.split()).replace("``", "")))  # reStructuredText literals, read as text
    return result


def apply(soup: BeautifulSoup, name: str, params: Any, url: str) -> None:
    """Run filter ``name``; any failure is re-raised as :class:`FilterError` naming it."""
    func = get(name)
    try:
        func(soup, params, url)
    except FilterError:
        raise
    except Exception as error:
        raise FilterError(name, f"{type(error).__name__}: {error}") from error


# --- URL helpers -------------------------------------------------------------------------------


def _url_elements(soup: BeautifulSoup) -> Iterable[tuple[Tag, str]]:
    for tag in soup.find_all(["a", "img"]):
        attr = "href" if tag.name == "a" else "src"
        if isinstance(tag.get(attr), str):
            yield tag, attr


def drop_query_params(url: str, drop: Callable[[str], bool]) -> str:
    """``url`` without the query parameters whose name ``drop`` accepts; other bytes unchanged."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [p for p in parts.query.split("&") if p and not drop(p.split("=", 1)[0])]
    query = "&".join(kept)
    if query == parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def is_tracking_param(name: str) -> bool:
    """Whether ``name`` is a well-known visitor-tracking query parameter."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _rewrite_urls(soup: BeautifulSoup, rewrite: Callable[[str], str]) -> None:
    for tag, attr in _url_elements(soup):
        value = tag[attr]
        assert isinstance(value, str)
        try:
            new = rewrite(value)
        except ValueError:  # an unparsable URL stays as the page has it
            continue
        if new != value:
            tag[attr] = new


def _unwrap(tag: Tag) -> None:
    tag.unwrap()


# --- filters -----------------------------------------------------------------------------------


@register("removeQueryParams")
def remove_query_params(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove the given query parameters from link and image URLs.

    Parameters: a list of parameter names (``{"removeQueryParams": ["h", "utm_source"]}``) or one
    name. Without parameters, the well-known tracking parameters are removed (as removeTrackingIDs).
    """
    if params is None:
        _rewrite_urls(soup, lambda u: drop_query_params(u, is_tracking_param))
        return
    wanted = {params} if isinstance(params, str) else set(params)
    if not all(isinstance(p, str) for p in wanted):
        raise ValueError("parameters must be query parameter names (strings)")
    _rewrite_urls(soup, lambda u: drop_query_params(u, wanted.__contains__))


@register("removeTrackingIDs")
def remove_tracking_ids(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove tracking identifiers from link and image URLs.

    Drops ``utm_*``, ``fbclid``, ``gclid``, HubSpot/Mailchimp/Marketo ids and similar query
    parameters, and ``;jsessionid=…`` path parameters. OTA's exact list is unknown; this is ours.
    """
    def clean(value: str) -> str:
        value = re.sub(r";jsessionid=[^?#]*", "", value, flags=re.IGNORECASE)
        return drop_query_params(value, is_tracking_param)

    _rewrite_urls(soup, clean)


@register("removeEmptyLinks")
def remove_empty_links(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove links that have neither text nor an image (they render as ``[](…)`` noise)."""
    for link in soup.find_all("a"):
        if not link.get_text(strip=True) and link.find("img") is None:
            link.decompose()


@register("removeScripts")
def remove_scripts(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove ``<script>`` and ``<noscript>`` elements (already done by the generic clean-up)."""
    for tag in soup.find_all(["script", "noscript"]):
        tag.decompose()


@register("removeLinks")
def remove_links(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Replace every link by its text, so link targets (often session-specific) are not tracked."""
    for link in soup.find_all("a"):
        _unwrap(link)


_HELP_PATTERN = re.compile(r"\b(help|tooltip|info-?icon|popover|hint)\b", re.IGNORECASE)


@register("removeHelpButtons")
def remove_help_buttons(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove help/tooltip buttons (``button``/``[role=button]`` whose class, aria-label or title
    says help, tooltip, info icon, popover or hint).

    OTA's exact semantics are unknown; this is the obvious meaning.
    """
    for tag in soup.select('button, [role="button"]'):
        if tag.decomposed:
            continue
        classes = " ".join(tag.get_attribute_list("class"))
        label = " ".join(str(tag.get(a, "")) for a in ("aria-label", "title", "data-tooltip"))
        if _HELP_PATTERN.search(f"{classes} {label}") or tag.get_text(strip=True) == "?":
            tag.decompose()


_TOP_TEXT = re.compile(r"^\W*(back|return|go|scroll|jump)\s+to\s+(the\s+)?top\W*$", re.IGNORECASE)


@register("removeReturnToTopButtons")
def remove_return_to_top_buttons(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove "Back to top" / "Return to top" links and buttons (``href="#"``, ``#top`` or such
    text)."""
    for tag in soup.select('a, button, [role="button"]'):
        if tag.decomposed:
            continue
        href = str(tag.get("href", "")).strip().lower()
        text = tag.get_text(" ", strip=True)
        if _TOP_TEXT.match(text) or (href in ("#", "#top") and not text):
            tag.decompose()


def _clean_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        return value
    netloc = parts.netloc.lower()
    default_port = ":443" if parts.scheme == "https" else ":80"
    netloc = netloc.removesuffix(default_port)
    query = "&".join(p for p in parts.query.split("&") if p and not is_tracking_param(p.split("=")[0]))
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, parts.fragment))


@register("cleanUrls")
def clean_urls(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Canonicalise link and image URLs: lower-case host, no default port, no tracking parameters,
    no empty query.

    OTA's exact semantics are unknown; this is the obvious meaning.
    """
    _rewrite_urls(soup, _clean_url)


@register("removeCountryVersion")
def remove_country_version(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove the country/language selector query parameters (``hl``, ``gl``, ``locale``, ``lang``,
    ``country``…) from link URLs, so a visitor's locale does not change the text.

    OTA's exact semantics are unknown; this is the obvious meaning.
    """
    _rewrite_urls(soup, lambda u: drop_query_params(u, lambda n: n.lower() in COUNTRY_PARAMS))


_DOWNLOAD_PARAMS = frozenset({"download", "dl", "downloaded", "attachment"})


@register("removeDownloadedForUseLinkExtension")
def remove_downloaded_for_use_link_extension(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove download markers from links: the ``download`` attribute and ``download``/``dl``
    query parameters.

    OTA's exact semantics are unknown (its filter is used by LinkedIn's declaration); this is our
    reading of the name.
    """
    for link in soup.find_all("a"):
        if link.has_attr("download"):
            del link["download"]
    _rewrite_urls(soup, lambda u: drop_query_params(u, lambda n: n.lower() in _DOWNLOAD_PARAMS))


_INFO_IMAGE = re.compile(r"(^|[\W_])info([\W_]|$)", re.IGNORECASE)


@register("replaceInfoImageWithEmoji")
def replace_info_image_with_emoji(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Replace "info" icon images (src, alt or class naming *info*) by the ℹ️ emoji, so a changing
    icon URL does not change the text."""
    for img in soup.find_all("img"):
        key = " ".join(
            [str(img.get("src", "")), str(img.get("alt", "")), *img.get_attribute_list("class")]
        )
        if _INFO_IMAGE.search(key):
            img.replace_with(NavigableString("ℹ️"))


_VIEWED_DATE = re.compile(
    r"^\s*(last\s+(viewed|accessed|visited|retrieved|refreshed)|generated(\s+(on|at))?|"
    r"page\s+generated|printed(\s+on)?|retrieved(\s+on)?|downloaded(\s+on)?|accessed(\s+on)?|"
    r"current\s+time)\b\s*:?\s*\S.{0,80}$",
    re.IGNORECASE | re.DOTALL,
)


@register("removeDates")
def remove_dates(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove visit-time timestamps ("Last viewed …", "Generated on …", "Printed on …",
    "Retrieved on …").

    Only elements whose whole text is such a timestamp are removed; the terms' own "Last updated"
    or "Effective date" lines are kept.
    """
    for text in list(soup.find_all(string=_VIEWED_DATE)):
        if text.parent is None:
            continue
        node: Tag | NavigableString = text
        parent = text.parent
        while parent is not None and parent.name not in ("[document]", "body") and (
            parent.get_text(strip=True) == text.strip()
        ):
            node = parent
            parent = parent.parent
        node.extract()


_HIDDEN_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*hidden)", re.IGNORECASE)


@register("removeHiddenElements")
def remove_hidden_elements(soup: BeautifulSoup, params: Any, url: str) -> None:
    """Remove elements a visitor does not see: ``[hidden]``, ``aria-hidden="true"`` and inline
    ``display:none`` / ``visibility:hidden``."""
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if (
            tag.has_attr("hidden")
            or str(tag.get("aria-hidden", "")).lower() == "true"
            or _HIDDEN_STYLE.search(str(tag.get("style", "")))
        ):
            tag.decompose()
