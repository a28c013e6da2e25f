"""Security of the web UI through Flask's test client: stored and reflected XSS, CSRF, role escalation,
open redirects and session fixation.

The hostile terms text (``conftest.PAYLOAD``) is recorded by the recorder's own ``add_version``; every
page that shows it is parsed with BeautifulSoup and must hold no executable markup.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.sessions import SecureCookieSessionInterface
from lxml import etree
from sqlalchemy import select

from tests.security.conftest import SCRIPT, TEMPLATE_PROBE, HostileSite
from tests.test_web_app import PASSWORDS, csrf_token, login, make_app
from tosmonitor.store import make_engine, transaction
from tosmonitor.store.models import Channel, Review, User

EXECUTABLE_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background")


@pytest.fixture
def app(hostile: HostileSite):  # type: ignore[no-untyped-def]
    return make_app(hostile.site.url)


def signed_in(app, name: str | None):  # type: ignore[no-untyped-def]
    client = app.test_client()
    if name:
        assert login(client, name).status_code == 302
    return client


def assert_inert(html: str, where: str) -> BeautifulSoup:
    """No script element, no event-handler attribute, no script URL anywhere in ``html``."""
    soup = BeautifulSoup(html, "lxml")
    assert soup.find("script") is None, where
    for name in ("iframe", "object", "embed", "svg", "img", "base", "meta"):
        found = [e for e in soup.find_all(name) if name != "meta" or e.get("http-equiv", "").lower() == "refresh"]
        assert not found, (where, name)
    for element in soup.find_all(True):
        handlers = [a for a in element.attrs if a.lower().startswith("on")]
        assert not handlers, (where, element.name, handlers)
        for attribute in URL_ATTRIBUTES:
            value = element.get(attribute)
            if isinstance(value, str):
                assert not EXECUTABLE_URL.match(value), (where, element.name, attribute, value)
    return soup


def hostile_pages(h: HostileSite) -> list[str]:
    return [
        "/",
        "/services/twitter",
        f"/changes/{h.change_id}",
        f"/documents/{h.twitter_doc_id}",
        f"/documents/{h.twitter_doc_id}/compare?from={h.from_number}&to={h.to_number}",
        "/reviews",
        "/reviews?status=all&service=twitter",
        f"/reviews/{h.review_id}",
        "/lookup",
        "/lookup/twitter",
    ]


# Pages that quote the hostile clause in full (the others list the change, or its first 160 characters).
QUOTING = ("/changes/", "/compare", "/reviews/", "/lookup/twitter")


@pytest.mark.parametrize("name", ["lea", "cal", "ada"])
def test_stored_xss_through_terms_text_renders_inert(hostile: HostileSite, app, name: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, name)
    for url in hostile_pages(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        soup = assert_inert(response.get_data(as_text=True), url)
        text = soup.get_text()
        assert "TPL-49-END" not in text, url  # the terms text is never evaluated as a template
        if any(part in url for part in QUOTING):
            assert SCRIPT in text, url  # shown, as text
            assert TEMPLATE_PROBE in text, url
    change = client.get(f"/changes/{hostile.change_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in change
    page = BeautifulSoup(change, "lxml")
    assert "our policy" in page.get_text()  # a Markdown link is shown as its text, never made a link
    assert not page.find_all(href=lambda href: href and "javascript" in href.lower())


def test_content_security_policy_forbids_scripts(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "lea")
    urls = [*hostile_pages(hostile), "/changes/99999", f"/api/changes/{hostile.change_id}"]
    responses = [client.get(url) for url in urls] + [app.test_client().get("/login")]
    for response in responses:
        policy = {
            part.split()[0]: part.split()[1:]
            for part in response.headers["Content-Security-Policy"].split(";") if part.strip()
        }
        scripts = policy.get("script-src", policy.get("default-src"))
        assert scripts == ["'none'"], policy
        assert policy.get("object-src", policy["default-src"]) == ["'none'"]
        assert policy["base-uri"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_api_returns_the_hostile_text_as_json_data_only(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "cal")
    for url in [f"/api/changes/{hostile.change_id}", "/api/services/twitter/lookup", "/api/reviews?status=all",
                "/api/services/twitter/history", "/api/services"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json", url  # never text/html, and nosniff (above)
        json.loads(response.get_data(as_text=True))
    data = str(client.get(f"/api/changes/{hostile.change_id}").get_json())
    assert SCRIPT in data and TEMPLATE_PROBE in data and "TPL-49-END" not in data  # the data as recorded
    missing = client.get("/api/services/%3Cscript%3Ealert(1)%3C%2Fscript%3E/history")
    assert missing.status_code == 404 and missing.mimetype == "application/json"


def test_reflected_input_is_escaped(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "lea")
    probe = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    for url, status in [
        (f"/reviews?status=all&service={probe}", 404),
        (f"/?x={probe}", 200),
        (f"/lookup/twitter?lang=en&q={probe}", 200),
        (f"/services/{probe}", 404),
        ("/reviews?status=" + probe, 400),
        (f"/documents/{hostile.twitter_doc_id}/compare?from=1&to=99999", 400),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert_inert(response.get_data(as_text=True), url)
    login_page = app.test_client().get(f"/login?next=/x{probe}")
    assert_inert(login_page.get_data(as_text=True), "login")


def test_atom_feed_entries_are_inert(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    feed = etree.fromstring(app.test_client().get("/feed.atom").data)
    contents = feed.findall(".//{http://www.w3.org/2005/Atom}content")
    assert contents
    for content in contents:
        assert_inert(content.text or "", "feed")


# --- CSRF -------------------------------------------------------------------------------------------


def post_routes(app, h: HostileSite) -> dict[str, tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Every POST route of the app -> (who may post it, a valid form without its token)."""
    forms = {
        "auth.login": ("", {"name": "cal", "password": PASSWORDS["cal"]}),
        "auth.logout": ("cal", {}),
        "reviews.decide_view": ("lea", {"status": "accepted", "note": "csrf"}),
        "changes.decide_all": ("lea", {"status": "accepted", "note": "csrf"}),
        "services.edit_channel": ("ada", {"state": "closed", "owner": "csrf", "admins": ""}),
    }
    urls = {"reviews.decide_view": f"/reviews/{h.review_id}", "services.edit_channel": "/services/twitter/channel",
            "auth.login": "/login", "auth.logout": "/logout", "changes.decide_all": f"/changes/{h.change_id}/reviews"}
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert endpoints == set(forms), f"a POST route without a CSRF test: {endpoints ^ set(forms)}"
    return {endpoint: (urls[endpoint], *forms[endpoint]) for endpoint in endpoints}  # type: ignore[misc]


def state(h: HostileSite) -> tuple:
    engine = make_engine(h.site.url)
    try:
        with transaction(engine) as session:
            review = session.get(Review, h.review_id)
            channel = session.scalar(select(Channel).where(Channel.service_id == "twitter"))
            roles = tuple(sorted((u.name, u.role) for u in session.scalars(select(User))))
            return (review.status, review.note, channel and (channel.state, channel.owner), roles)
    finally:
        engine.dispose()


def test_every_post_route_needs_this_sessions_csrf_token(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    before = state(hostile)
    for endpoint, (url, who, form) in post_routes(app, hostile).items():
        client = signed_in(app, who or None)
        assert client.post(url, data=form).status_code == 400, (endpoint, "no token")
        assert client.post(url, data={**form, "csrf_token": ""}).status_code == 400, (endpoint, "empty token")
        other = signed_in(app, who or None)
        foreign = csrf_token(other, "/login" if not who else "/")
        assert client.post(url, data={**form, "csrf_token": foreign}).status_code == 400, (endpoint, "foreign")
        headers = {"X-CSRFToken": foreign}
        assert client.post(url, data=form, headers=headers).status_code == 400, (endpoint, "foreign header")
        assert client.post(url, json={**form, "csrf_token": foreign}).status_code == 400, (endpoint, "json")
    assert state(hostile) == before, "a refused POST changed something"


def test_csrf_token_of_the_anonymous_session_dies_at_login(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    before = csrf_token(client)
    assert login(client, "cal").status_code == 302
    response = client.post("/logout", data={"csrf_token": before})
    assert response.status_code == 400
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


# --- roles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cal", "ada"])
def test_only_legal_decides_a_review(hostile: HostileSite, app, name: str) -> None:  # type: ignore[no-untyped-def]
    before = state(hostile)
    client = signed_in(app, name)
    token = csrf_token(client, f"/reviews/{hostile.review_id}")
    form = {"status": "accepted", "note": "escalated", "csrf_token": token, "role": "legal"}
    assert client.post(f"/reviews/{hostile.review_id}", data=form).status_code == 403
    assert state(hostile) == before


@pytest.mark.parametrize("name", ["cal", "ada"])
def test_only_legal_decides_a_whole_change(hostile: HostileSite, app, name: str) -> None:  # type: ignore[no-untyped-def]
    before = state(hostile)
    client = signed_in(app, name)
    page = client.get(f"/changes/{hostile.change_id}").get_data(as_text=True)
    assert f"/changes/{hostile.change_id}/reviews" not in page  # no form offered
    token = csrf_token(client, f"/changes/{hostile.change_id}")
    form = {"status": "accepted", "note": "all", "csrf_token": token, "role": "legal"}
    assert client.post(f"/changes/{hostile.change_id}/reviews", data=form).status_code == 403
    assert state(hostile) == before


@pytest.mark.parametrize("name", ["cal", "lea"])
def test_only_admin_edits_channels(hostile: HostileSite, app, name: str) -> None:  # type: ignore[no-untyped-def]
    before = state(hostile)
    client = signed_in(app, name)
    token = csrf_token(client, "/services/twitter")
    form = {"state": "closed", "owner": "escalated", "admins": "", "csrf_token": token, "role": "admin"}
    assert client.post("/services/twitter/channel", data=form).status_code == 403
    assert client.post("/services/youtube/channel", data=form).status_code == 403
    assert state(hostile) == before


def test_anonymous_posts_go_to_login(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    before = state(hostile)
    client = app.test_client()
    token = csrf_token(client)  # a valid token of the anonymous session: only the missing login stops it
    for url, form in [(f"/reviews/{hostile.review_id}", {"status": "accepted"}),
                      ("/services/twitter/channel", {"state": "closed", "owner": "anon"})]:
        response = client.post(url, data={**form, "csrf_token": token, "role": "admin"})
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path == "/login", url
    assert state(hostile) == before


def test_no_form_field_changes_a_role(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    before = state(hostile)
    escalate = {"role": "admin", "user_id": str(hostile.user_ids["ada"]), "is_admin": "1", "roles": "admin"}
    client = app.test_client()
    form = {"name": "cal", "password": PASSWORDS["cal"], "csrf_token": csrf_token(client), **escalate}
    assert client.post("/login", data=form).status_code == 302
    with client.session_transaction() as session:
        assert session["role"] == "comms" and session["user_id"] == hostile.user_ids["cal"]
    token = csrf_token(client, "/")
    channel = {"state": "closed", "owner": "x", "csrf_token": token, **escalate}
    assert client.post("/services/twitter/channel", data=channel).status_code == 403
    decision = {"status": "accepted", "csrf_token": token, **escalate}
    assert client.post(f"/reviews/{hostile.review_id}", data=decision).status_code == 403
    assert client.post("/logout", data={"csrf_token": token, **escalate}).status_code == 302
    assert state(hostile) == before  # no role, review or channel changed


def test_a_forged_session_cookie_is_ignored(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    forger = make_app(hostile.site.url, SECRET_KEY="attacker-" + "x" * 40)
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    cookie = serializer.dumps({"user_id": hostile.user_ids["ada"], "role": "admin"})
    client = app.test_client()
    client.set_cookie("tosmonitor_session", cookie)
    assert client.get("/").status_code == 302
    assert client.get("/api/services").status_code == 401


# --- open redirects ------------------------------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
    "///evil.example",
    "/\t/evil.example",
    " //evil.example",
    "http://localhost@evil.example/",
    "data:text/html,<script>alert(1)</script>",
]


def assert_local(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert location.startswith("/") or parts.netloc == "localhost", location
    assert not location.startswith("//") and "\\" not in location, location
    assert not any(ord(c) < 33 for c in location), location


@pytest.mark.parametrize("target", EVIL)
def test_login_never_redirects_off_site(app, target: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = login(client, "cal", target)
    assert response.status_code == 302
    assert_local(response.headers["Location"])
    client = app.test_client()  # the target in the query string, as login_required sends it
    page = client.get("/login", query_string={"next": target})
    hidden = BeautifulSoup(page.get_data(as_text=True), "lxml").find("input", attrs={"name": "next"})
    assert hidden is None, hidden  # the form does not carry the foreign target on
    form = {"name": "cal", "password": PASSWORDS["cal"], "csrf_token": csrf_token(client)}
    response = client.post("/login", query_string={"next": target}, data=form)
    assert response.status_code == 302
    assert_local(response.headers["Location"])


def test_other_redirects_stay_on_site(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    legal = signed_in(app, "lea")
    token = csrf_token(legal, "/")
    for target in EVIL:
        response = legal.post(f"/reviews/{hostile.review_id}",
                              data={"status": "needs_action", "note": "", "csrf_token": token, "next": target})
        assert response.status_code == 302
        assert_local(response.headers["Location"])
        lookup = legal.get("/lookup", query_string={"service": target})
        assert lookup.status_code == 302
        assert_local(lookup.headers["Location"])
    assert login(app.test_client(), "cal", "/lookup/twitter").headers["Location"] == "/lookup/twitter"


# --- session fixation ----------------------------------------------------------------------------------


def session_cookie(client) -> str | None:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("tosmonitor_session")
    return cookie.value if cookie else None


def test_login_issues_a_new_session(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    csrf_token(client)
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    before = session_cookie(client)
    assert before
    assert login(client, "lea").status_code == 302
    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session and session["user_id"] == hostile.user_ids["lea"]
    victim_before = app.test_client()
    victim_before.set_cookie("tosmonitor_session", before)  # the attacker still holds the planted cookie
    assert victim_before.get("/reviews").status_code == 302
    assert victim_before.get("/api/reviews").status_code == 401


def test_pre_login_session_is_not_honoured_after_logout(hostile: HostileSite, app) -> None:  # type: ignore[no-untyped-def]
    attacker = app.test_client()
    csrf_token(attacker)
    planted = session_cookie(attacker)
    victim = app.test_client()
    victim.set_cookie("tosmonitor_session", planted)
    assert login(victim, "lea").status_code == 302
    assert victim.get("/api/reviews").status_code == 200
    assert victim.post("/logout", data={"csrf_token": csrf_token(victim, "/")}).status_code == 302
    for client in (victim, attacker):
        assert client.get("/api/reviews").status_code == 401
        assert client.get(f"/reviews/{hostile.review_id}").status_code == 302
    replay = app.test_client()
    replay.set_cookie("tosmonitor_session", planted)
    assert replay.get("/api/reviews?status=all").status_code == 401


def test_a_signed_in_cookie_is_dead_after_logout(app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "lea")
    stolen = session_cookie(client)
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("tosmonitor_session", stolen)
    assert replay.get("/api/reviews").status_code == 401
