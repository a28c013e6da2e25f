"""Recognise pages that are not the terms but a bot wall, captcha or consent interstitial.

Rules are data (:data:`RULES`): each names the conditions that must *all* hold. Text conditions are
always bounded by a small word count, so real terms pages, which are long and may well mention
cookies or captchas, never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class Rule:
    """One interstitial pattern; every condition that is set must match."""

    name: str
    kind: str  # "blocked" | "consent_wall"
    message: str
    hosts: tuple[str, ...] = ()  # the page URL's host is one of these (or a subdomain)
    title: str | None = None  # regex on the <title>
    markup: str | None = None  # regex on the raw HTML
    text: str | None = None  # regex on the text, <noscript> included
    max_words: int | None = None  # visible text (no <noscript>) is at most this many words


RULES: tuple[Rule, ...] = (
    Rule(
        "cloudflare-challenge",
        "blocked",
        "Cloudflare browser challenge",
        title=r"^\s*(just a moment\.*|attention required!? \| cloudflare|please wait\.*"
        r"( \| cloudflare)?|checking your browser.*)\s*$",
        max_words=400,
    ),
    Rule(
        "cloudflare-markup",
        "blocked",
        "Cloudflare browser challenge",
        markup=r"(window\._cf_chl_opt|id=[\"']challenge-form[\"']|cf-browser-verification|"
        r"class=[\"'][^\"']*\bcf-error-details\b|id=[\"']cf-challenge)",
        max_words=400,
    ),
    Rule(
        "captcha",
        "blocked",
        "captcha page",
        markup=r"(class=[\"'][^\"']*\bg-recaptcha\b|class=[\"'][^\"']*\bh-captcha\b|"
        r"hcaptcha\.com/1/api|google\.com/recaptcha/api|captcha-delivery\.com|"
        r"id=[\"']px-captcha|challenges\.cloudflare\.com/turnstile)",
        max_words=300,
    ),
    Rule(
        "human-check",
        "blocked",
        "'are you a human' check",
        text=r"(verify (that )?you are (a )?human|are you a robot|i'?m not a robot|"
        r"complete the security check|unusual traffic from your (computer|network)|"
        r"press (&|and) hold)",
        max_words=300,
    ),
    Rule(
        "akamai-access-denied",
        "blocked",
        "Akamai 'Access Denied' page",
        title=r"^\s*access denied\s*$",
        text=r"you don'?t have permission to access",
        max_words=200,
    ),
    Rule(
        "edgesuite-reference",
        "blocked",
        "Akamai 'Access Denied' page",
        markup=r"errors\.edgesuite\.net",
        max_words=200,
    ),
    Rule(
        "imperva-incapsula",
        "blocked",
        "Imperva/Incapsula bot wall",
        markup=r"(_incapsula_resource|incapsula incident id)",
        max_words=200,
    ),
    Rule(
        "request-blocked",
        "blocked",
        "'request blocked' page",
        title=r"^\s*(request (blocked|rejected|unsuccessful)|403 forbidden|forbidden|"
        r"bot verification|security check)\s*$",
        max_words=200,
    ),
    Rule(
        "javascript-required",
        "blocked",
        "'please enable JavaScript' stub (declare executeClientScripts?)",
        text=r"((please )?(enable|turn on|activate) javascript|javascript (is )?(disabled|"
        r"required|must be enabled)|you need to enable javascript)",
        max_words=40,
    ),
    Rule(
        "google-consent-host",
        "consent_wall",
        "Google/YouTube 'Before you continue' consent page",
        hosts=("consent.google.com", "consent.youtube.com"),
    ),
    Rule(
        "google-consent-page",
        "consent_wall",
        "Google/YouTube 'Before you continue' consent page",
        markup=r"(consent\.google\.[a-z.]+|consent\.youtube\.com)",
        title=r"^\s*(before you continue|bevor sie (zu google )?weitergehen|avant d'accéder|"
        r"ennen kuin jatkat).*$",
        max_words=800,
    ),
    Rule(
        "meta-cookie-dialog",
        "consent_wall",
        "Facebook/Instagram cookie dialog instead of the page",
        hosts=("facebook.com", "instagram.com", "threads.net", "meta.com"),
        text=r"(allow (all )?cookies|cookies from (facebook|instagram|meta)|"
        r"decline optional cookies|only allow essential cookies)",
        max_words=500,
    ),
    Rule(
        "cookie-consent-only",
        "consent_wall",
        "cookie-consent prompt instead of the page",
        markup=r"(id|class)=[\"'][^\"']*(cookie|consent|\bcmp|gdpr|onetrust|didomi|cookiebot|"
        r"usercentrics|truste|quantcast)",
        text=r"\bcookies?\b.*\b(accept|allow|agree|consent|reject|decline|manage)",
        max_words=150,
    ),
)

_SKIP_TEXT_IN = frozenset({"script", "style", "template", "head", "title", "noscript"})


def _host_matches(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


def _texts(soup: BeautifulSoup) -> tuple[str, str]:
    """(visible text without noscript, text with noscript), whitespace-collapsed.

    One walk that does not descend into skipped elements (their strings are never visited).
    """
    visible: list[str] = []
    with_noscript: list[str] = []
    skip = _SKIP_TEXT_IN - {"noscript"}
    stack: list[tuple[Tag, bool]] = [(soup, False)]
    while stack:
        node, in_noscript = stack.pop()
        for child in reversed(node.contents):  # reversed onto a stack: visited in document order
            if isinstance(child, Tag):
                if child.name not in skip:
                    stack.append((child, in_noscript or child.name == "noscript"))
            elif isinstance(child, NavigableString) and not isinstance(child, Comment):
                with_noscript.append(child)
                if not in_noscript:
                    visible.append(child)
    return " ".join(" ".join(visible).split()), " ".join(" ".join(with_noscript).split())


def detect(
    html_text: str, url: str, *, soup: BeautifulSoup | None = None
) -> tuple[str, str] | None:
    """('blocked'|'consent_wall', human message) when the page is a bot wall/captcha/consent
    interstitial, else None. ``soup`` may be passed to avoid parsing ``html_text`` again.

    The visible word count is checked first: a long page (real terms) fails every rule's
    ``max_words`` before any regex runs over its markup.
    """
    if soup is None:
        soup = BeautifulSoup(html_text, "lxml")
    host = (urlsplit(url).hostname or "").lower()
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else ""
    visible, full = _texts(soup)
    words = len(visible.split())
    for rule in RULES:
        if rule.max_words is not None and words > rule.max_words:
            continue
        if rule.hosts and not _host_matches(host, rule.hosts):
            continue
        if rule.title is not None and not re.search(rule.title, title, _FLAGS):
            continue
        if rule.markup is not None and not re.search(rule.markup, html_text, _FLAGS):
            continue
        if rule.text is not None and not re.search(rule.text, full, _FLAGS | re.DOTALL):
            continue
        return rule.kind, f"{rule.message} at {url} (rule {rule.name})"
    return None
