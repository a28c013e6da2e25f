"""The web UI through Flask's test client: every route for every role, CSRF, login, decisions, escaping.

The database is filled with real recorded versions (YouTube's and X's terms) by the recorder's own
``add_version``; X's terms get one more version with script and event-handler payloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tosmonitor.config import ConfigError
from tosmonitor.store import make_engine, transaction, upgrade
from tosmonitor.store.models import Change, ChangeClause, Channel, Document, Review
from tosmonitor.web import create_app, sample
from tosmonitor.web.auth import add_user, safe_next

PASSWORDS = {"lea": "legal-pass-1", "cal": "comms-pass-1", "ada": "admin-pass-1"}
ROLES = {"lea": "legal", "cal": "comms", "ada": "admin"}
HOSTILE = (
    "\n\n## Governing law <script>alert('h2')</script>\n\n"
    "These Terms are governed by the laws of the State of California <script>alert(1)</script> "
    "and \"onerror=alert(2) x=\" <img src=x onerror=alert(3)> apply.\n"
)


@dataclass
class Site:
    url: str
    change_id: int  # a flagged change of YouTube's Terms of Service
    review_id: int  # an open review in it
    hostile_change_id: int
    youtube_doc_id: int


def build_site(url: str, tmp: Path, youtube_versions: int = 6) -> Site:
    engine = make_engine(url)
    upgrade(engine)
    documents = sample.choose(["youtube", "twitter"])
    documents = [d for d in documents if d.doc_type == "Terms of Service"]
    sample.declare(engine, documents, tmp / "declarations")
    youtube = [d for d in documents if d.service_id == "youtube"]
    twitter = [d for d in documents if d.service_id == "twitter"]
    sample.add_recorded_versions(engine, youtube, limit=youtube_versions)
    last_twitter = twitter[0].versions[2].read_text(encoding="utf-8")
    sample.add_recorded_versions(engine, twitter, limit=3, texts={"twitter/Terms of Service": [last_twitter + HOSTILE]})
    sample.set_channel(engine, "youtube", "in use", "Viestintä", ["Maija Esimerkki", "Matti Meikäläinen"])
    with transaction(engine) as session:
        for name, password in PASSWORDS.items():
            add_user(session, name, ROLES[name], password)
        youtube_doc = session.scalar(select(Document).where(Document.service_id == "youtube"))
        review = session.scalar(
            select(Review).join(ChangeClause).join(Change)
            .where(Change.document_id == youtube_doc.id, Review.status == "open").order_by(Review.id)
        )
        twitter_doc = session.scalar(select(Document).where(Document.service_id == "twitter"))
        hostile = session.scalar(select(Change).where(Change.document_id == twitter_doc.id)
                                 .order_by(Change.id.desc()).limit(1))
        site = Site(url, review.clause.change_id, review.id, hostile.id, youtube_doc.id)
    engine.dispose()
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    tmp = tmp_path_factory.mktemp("web")
    return build_site(f"sqlite:///{tmp / 'web.db'}", tmp)


def make_app(url: str, **extra):  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-" + "k" * 40, **extra})


@pytest.fixture
def app(site: Site):  # type: ignore[no-untyped-def]
    return make_app(site.url)


def csrf_token(client, path: str = "/login") -> str:  # type: ignore[no-untyped-def]
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, name: str, next_path: str | None = None):  # type: ignore[no-untyped-def]
    data = {"name": name, "password": PASSWORDS[name], "csrf_token": csrf_token(client)}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data)


@pytest.fixture
def client_as(app) -> Iterator:  # type: ignore[no-untyped-def]
    def make(name: str | None):  # type: ignore[no-untyped-def]
        client = app.test_client()
        if name:
            assert login(client, name).status_code == 302
        return client

    yield make


def pages(site: Site) -> list[str]:
    return [
        "/",
        "/services/youtube",
        "/services/twitter",
        f"/documents/{site.youtube_doc_id}",
        f"/documents/{site.youtube_doc_id}/compare?from=1&to=3",
        f"/changes/{site.change_id}",
        f"/changes/{site.hostile_change_id}",
        "/reviews",
        "/reviews?status=all",
        f"/reviews/{site.review_id}",
        "/lookup",
        "/lookup/youtube",
        "/lookup/twitter",
    ]


def api_urls(site: Site) -> list[str]:
    return [
        "/api/services",
        "/api/services/youtube/history",
        "/api/services/youtube/lookup",
        f"/api/changes/{site.change_id}",
        "/api/reviews",
    ]


def test_anonymous_is_sent_to_login_and_api_gets_401(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as(None)
    for url in pages(site):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")
    for url in api_urls(site):
        assert client.get(url).status_code == 401, url
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("name", ["lea", "cal", "ada"])
def test_every_role_browses_every_page_and_api(site: Site, client_as, name: str) -> None:  # type: ignore[no-untyped-def]
    client = client_as(name)
    for url in pages(site):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert '<html lang="fi">' in html
        assert 'href="#main"' in html
    for url in api_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.is_json


def test_unknown_things_are_404(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("cal")
    for url in ["/services/nope", "/documents/99999", "/changes/99999", "/reviews/99999", "/lookup/nope"]:
        assert client.get(url).status_code == 404, url
    for url in ["/api/services/nope/history", "/api/services/nope/lookup", "/api/changes/99999"]:
        response = client.get(url)
        assert response.status_code == 404 and response.is_json, url


def test_feed_is_public_atom(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as(None).get("/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert b"<feed" in response.data and b"/changes/" in response.data


def test_post_without_csrf_token_is_refused(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    assert client_as(None).post("/login", data={"name": "lea", "password": PASSWORDS["lea"]}).status_code == 400
    legal = client_as("lea")
    response = legal.post(f"/reviews/{site.review_id}", data={"status": "accepted", "note": "x"})
    assert response.status_code == 400
    admin = client_as("ada")
    assert admin.post("/services/youtube/channel", data={"state": "closed", "owner": "x"}).status_code == 400
    assert admin.post("/logout").status_code == 400
    bad = {"status": "accepted", "csrf_token": "forged"}
    assert legal.post(f"/reviews/{site.review_id}", data=bad).status_code == 400


@pytest.mark.parametrize("name", ["cal", "ada"])
def test_only_legal_decides(site: Site, client_as, name: str) -> None:  # type: ignore[no-untyped-def]
    client = client_as(name)
    token = csrf_token(client, f"/reviews/{site.review_id}")
    page = client.get(f"/reviews/{site.review_id}").get_data(as_text=True)
    assert 'name="status"' not in page  # no decision form for them
    response = client.post(f"/reviews/{site.review_id}", data={"status": "accepted", "csrf_token": token})
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["cal", "lea"])
def test_only_admin_edits_channels(client_as, name: str) -> None:  # type: ignore[no-untyped-def]
    client = client_as(name)
    token = csrf_token(client, "/services/youtube")
    assert 'name="owner"' not in client.get("/services/youtube").get_data(as_text=True)
    data = {"state": "closed", "owner": "x", "csrf_token": token}
    assert client.post("/services/youtube/channel", data=data).status_code == 403


def test_admin_edits_a_channel(tmp_path: Path) -> None:
    site = build_site(f"sqlite:///{tmp_path / 'w.db'}", tmp_path, youtube_versions=2)
    app = make_app(site.url)
    client = app.test_client()
    login(client, "ada")
    token = csrf_token(client, "/services/twitter")
    data = {"state": "candidate", "owner": "Viestintä <b>", "admins": "Anna\nPekka\n", "csrf_token": token}
    response = client.post("/services/twitter/channel", data=data)
    assert response.status_code == 302
    assert client.post("/services/twitter/channel", data=dict(data, state="bogus")).status_code == 400
    engine = make_engine(site.url)
    with transaction(engine) as session:
        channel = session.scalar(select(Channel).where(Channel.service_id == "twitter"))
        assert (channel.state, channel.owner, channel.admins) == ("candidate", "Viestintä <b>", ["Anna", "Pekka"])
    page = client.get("/services/twitter").get_data(as_text=True)
    assert "Viestintä &lt;b&gt;" in page
    engine.dispose()


def test_a_channel_edited_in_the_web_outlives_init_until_the_file_changes(tmp_path: Path) -> None:
    """`tosmonitor init` re-reads channels.toml; an admin's later web edit (with the owner's e-mail, who gets
    the legal alerts) is kept while the file's entry stays as it was, and replaced, with a warning, once
    it changes: the later edit wins."""
    from tests.conftest import Cli, cli_env

    url = f"sqlite:///{tmp_path / 'w.db'}"
    build_site(url, tmp_path, youtube_versions=2)
    channels = tmp_path / "channels.toml"
    entry = '[[channel]]\nservice = "youtube"\nstate = "in use"\nowner = "Viestintä"\nowner_email = "v@alajarvi.fi"\n'
    channels.write_text(entry + 'admins = ["Maija", "Matti"]\n')
    cli = Cli(cli_env(url, tmp_path, tmp_path / "declarations", TOSMONITOR_CHANNELS=str(channels)), tmp_path)
    assert cli("init").returncode == 0

    client = make_app(url).test_client()
    login(client, "ada")
    form = {"state": "closed", "owner": "Kirjasto", "owner_email": "kirjasto@alajarvi.fi", "admins": "Liisa\nPekka",
            "csrf_token": csrf_token(client, "/services/youtube")}
    assert client.post("/services/youtube/channel", data=form).status_code == 302
    bad = client.post("/services/youtube/channel", data=dict(form, owner_email="not an address", owner="X"))
    assert bad.status_code == 302 and "ei kelpaa" in client.get("/services/youtube").get_data(as_text=True)

    def channel() -> tuple:  # type: ignore[type-arg]
        engine = make_engine(url)
        with transaction(engine) as session:
            row = session.scalar(select(Channel).where(Channel.service_id == "youtube"))
            found = (row.state, row.owner, row.owner_email, row.admins, row.edited_by)
        engine.dispose()
        return found

    edited = ("closed", "Kirjasto", "kirjasto@alajarvi.fi", ["Liisa", "Pekka"], "ada")
    assert channel() == edited
    again = cli("init")
    assert again.returncode == 0 and "as edited in the web UI: youtube" in again.stdout
    assert channel() == edited
    assert "ada" in client.get("/services/youtube?lang=en").get_data(as_text=True)
    channels.write_text(entry + 'admins = ["Maija", "Matti", "Anna"]\n')  # the file changes: it wins
    replaced = cli("init")
    assert replaced.returncode == 0
    assert "youtube: the channel edited in the web UI by ada on" in replaced.stderr
    assert channel() == ("in use", "Viestintä", "v@alajarvi.fi", ["Maija", "Matti", "Anna"], None)


def test_legal_decides_and_the_decision_shows_everywhere(database_url: str, tmp_path: Path) -> None:
    site = build_site(database_url, tmp_path, youtube_versions=3)
    client = make_app(database_url).test_client()
    login(client, "lea")
    token = csrf_token(client, f"/changes/{site.change_id}")
    response = client.post(f"/reviews/{site.review_id}", data={
        "status": "needs_action", "note": "Ask the provider <about> this", "csrf_token": token,
        "next": "https://evil.example/",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reviews/{site.review_id}"
    review = client.get("/api/reviews?status=all").get_json()
    decided = next(r for r in review if r["id"] == site.review_id)
    assert decided["status"] == "needs_action" and decided["reviewer"] == "lea" and decided["decided_at"]
    assert decided["note"] == "Ask the provider <about> this"
    page = client.get(f"/reviews/{site.review_id}").get_data(as_text=True)
    assert "Ask the provider &lt;about&gt; this" in page
    open_ids = [r["id"] for r in client.get("/api/reviews").get_json()]
    assert site.review_id not in open_ids
    assert client.post(f"/reviews/{site.review_id}", data={"status": "open", "csrf_token": token}).status_code == 400


def test_legal_decides_a_whole_change_and_lookup_groups_open_reviews(database_url: str, tmp_path: Path) -> None:
    site = build_site(database_url, tmp_path, youtube_versions=3)
    client = make_app(database_url).test_client()
    login(client, "lea")
    open_before = [r for r in client.get("/api/reviews").get_json() if r["change"] == site.change_id]
    assert len(open_before) >= 2
    lookup = BeautifulSoup(client.get("/lookup/youtube?lang=en").get_data(as_text=True), "html.parser")
    group = lookup.find("a", href=f"/changes/{site.change_id}").parent
    assert f"{len(open_before)} open reviews" in group.get_text()
    page = client.get(f"/changes/{site.change_id}?lang=en").get_data(as_text=True)
    assert f"Save for all {len(open_before)} open reviews" in page
    token = csrf_token(client, f"/changes/{site.change_id}")
    response = client.post(f"/changes/{site.change_id}/reviews",
                           data={"status": "accepted", "note": "Read <as> a whole", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/changes/{site.change_id}"
    after = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert f"{len(open_before)} open reviews decided." in after
    assert "Save for all" not in after  # nothing open: no form
    decided = {r["id"]: r for r in client.get("/api/reviews?status=accepted").get_json()}
    assert all(decided[r["id"]]["note"] == "Read <as> a whole" and decided[r["id"]]["reviewer"] == "lea"
               for r in open_before)
    refused = client.post(f"/changes/{site.change_id}/reviews", data={"status": "open", "csrf_token": token})
    assert refused.status_code == 400
    unnoted = client.post(f"/changes/{site.change_id}/reviews", data={"status": "accepted", "csrf_token": token})
    assert unnoted.status_code == 400  # a whole change is never settled without a note
    missing = client.post("/changes/999999/reviews", data={"status": "accepted", "note": "x", "csrf_token": token})
    assert missing.status_code == 404


def test_login_next_is_local_only_and_session_is_renewed(app) -> None:  # type: ignore[no-untyped-def]
    for target, expected in [
        ("/lookup/youtube", "/lookup/youtube"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        client = app.test_client()
        with client.session_transaction() as planted:
            planted["planted"] = "by an attacker"
            planted["user_id"] = 424242
        response = login(client, "cal", target)
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
        with client.session_transaction() as session:
            assert "planted" not in session
            assert session["role"] == "comms"
    assert safe_next("/a?b=c") == "/a?b=c" and safe_next("/\x00x") is None


def test_wrong_password_and_logout(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.post("/login", data={"name": "lea", "password": "wrong", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "Väärä käyttäjätunnus tai salasana" in response.get_data(as_text=True)
    response = client.post("/login", data={"name": "nobody", "password": "x", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    login(client, "lea")
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_session_of_a_changed_role_is_dropped(site: Site, app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, "cal")
    with client.session_transaction() as session:
        session["role"] = "legal"  # a cookie claiming another role than the database says
    assert client.get("/").status_code == 302


def test_secret_key_is_required_outside_testing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOSMONITOR_SECRET_KEY", raising=False)
    monkeypatch.delenv("TOSMONITOR_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="secret_key"):
        create_app({"DATABASE_URL": site.url})
    assert create_app({"DATABASE_URL": site.url, "DEBUG": True}).config["SECRET_KEY"]
    monkeypatch.setenv("TOSMONITOR_SECRET_KEY", "from-the-environment-" + "x" * 20)
    monkeypatch.setenv("TOSMONITOR_BASE_URL", "https://tos.example.fi")
    app = create_app({"DATABASE_URL": site.url})
    assert app.config["SECRET_KEY"].startswith("from-the-environment-")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(("lang", "kinds", "severities"), [
    ("fi", {"lisätty", "poistettu", "muutettu", "siirretty"}, {"korkea", "keskitaso"}),
    ("en", {"added", "removed", "modified", "moved"}, {"high", "medium"}),
])
def test_clause_headers_speak_the_page_language(site: Site, client_as, lang: str, kinds: set[str],
                                                severities: set[str]) -> None:  # type: ignore[no-untyped-def]
    from tosmonitor.notify.i18n import topic_label

    client = client_as("lea")
    for url in [f"/changes/{site.change_id}?lang={lang}", f"/reviews/{site.review_id}?lang={lang}",
                f"/documents/{site.youtube_doc_id}/compare?from=1&to=6&lang={lang}"]:
        soup = BeautifulSoup(client.get(url).get_data(as_text=True), "lxml")
        sections = soup.select("section.change")
        assert sections, url
        assert {li["lang"] for li in soup.select("ul.statements li")} <= {lang}, url  # the page's language only
        for section in sections:
            assert section.select_one(".kind").get_text() in kinds, url
            flagged = section.select_one(".severity")
            if flagged is not None:
                assert flagged.get_text() in severities, url
            for chip in section.select(".topic"):
                code = next(c[len("topic-"):] for c in chip["class"] if c.startswith("topic-"))
                assert chip.get_text() == topic_label(code, lang), url
            for mark in section.select("mark"):
                codes = [c[len("topic-"):] for c in mark["class"]]
                assert mark["title"] == ", ".join(topic_label(code, lang) for code in codes), url


def test_hostile_terms_text_renders_inert(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("lea")
    for url in [f"/changes/{site.hostile_change_id}", "/lookup/twitter", "/reviews?status=all",
                f"/documents/{site.youtube_doc_id}"]:
        html = client.get(url).get_data(as_text=True)
        soup = BeautifulSoup(html, "lxml")
        assert soup.find("script") is None, url
        assert soup.find("img") is None, url
        for element in soup.find_all(True):
            assert not [a for a in element.attrs if a.lower().startswith("on")], (url, element.name)
    html = client.get(f"/changes/{site.hostile_change_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;onerror=alert(2)" in html or "&quot;onerror=alert(2)" in html
    lookup = client.get("/api/services/twitter/lookup").get_json()
    texts = [c["text"] for t in lookup["topics"] for c in t["clauses"]]
    assert any("<script>alert(1)</script>" in text for text in texts)  # the API keeps the text as it is


def test_language_switch(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("cal")
    finnish = client.get("/").get_data(as_text=True)
    assert "Palvelut ja kanavat" in finnish
    assert "Käyttöehdot" in finnish and "Terms of Service" not in finnish  # document types translated too
    english = client.get("/lookup/youtube?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "tosmonitor_lang=en" in english.headers.get("Set-Cookie", "")
    assert "Services and channels" in client.get("/").get_data(as_text=True)  # the cookie remembers
    assert "Terms of Service" in client.get("/").get_data(as_text=True)
    assert "Palvelut ja kanavat" in client.get("/?lang=fi").get_data(as_text=True)
    assert '<html lang="fi">' in client.get("/?lang=xx").get_data(as_text=True)


def test_api_mirrors_the_cli_reports(site: Site, app, client_as) -> None:  # type: ignore[no-untyped-def]
    from tosmonitor.reports import channels_report, history_report, resolve_document
    from tosmonitor.store.db import session_factory

    client = client_as("cal")
    engine = make_engine(site.url)
    assert client.get("/api/services").get_json() == channels_report(engine)
    with session_factory(engine)() as session:
        expected = history_report(session, resolve_document(session, "youtube", None))
    assert client.get("/api/services/youtube/history").get_json() == expected
    change = client.get(f"/api/changes/{site.change_id}").get_json()
    assert {"service", "type", "from", "to", "clauses", "severity"} <= set(change)
    assert change["service"] == "youtube" and change["to"]["version"] == change["from"]["version"] + 1
    lookup = client.get("/api/services/youtube/lookup").get_json()
    assert {"service", "channel", "documents", "topics", "open_reviews", "checklist"} <= set(lookup)
    assert lookup["channel"]["admins"] == ["Maija Esimerkki", "Matti Meikäläinen"]
    assert next(i for i in lookup["checklist"] if i["key"] == "admins")["done"] is True
    engine.dispose()


def test_lookup_page_groups_clauses_by_topic_with_dates(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("ada")
    data = client.get("/api/services/youtube/lookup").get_json()
    assert data["topics"], "YouTube's terms have tagged clauses"
    assert data["topics"][0]["severity"] == "high"
    html = client.get("/lookup/youtube").get_data(as_text=True)
    soup = BeautifulSoup(html, "lxml")
    assert soup.find("h1").get_text().startswith("Youtube")
    for topic in data["topics"]:
        assert soup.find(id=f"topic-{topic['topic']}") is not None
    assert "@media print" in html
    assert "Johtoryhmä on antanut luvan" in html
    dates = {c["last_changed"][:10] for t in data["topics"] for c in t["clauses"]}
    assert len(dates) >= 2, "clauses in force were last changed in different versions"


def test_review_queue_pages_and_service_filter(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("lea")
    everything = client.get("/api/reviews?status=all").get_json()
    html = client.get("/reviews?status=all&service=twitter").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'href="/reviews/(\d+)"', html)]
    twitter = [r["id"] for r in everything if r["service"] == "twitter"]
    assert ids and set(ids) <= set(twitter)
    severities = [r["severity"] for r in client.get("/api/reviews").get_json()]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    if len(everything) > 50:
        second = client.get("/reviews?status=all&page=2").get_data(as_text=True)
        assert 'rel="prev"' in second
    assert client.get("/reviews?status=bogus").status_code == 400
    assert client.get("/reviews?service=nosuch").status_code == 404
    form = BeautifulSoup(html, "lxml").select_one("select#service")  # the filter is in the form
    assert form.select_one("option[selected]")["value"] == "twitter"
    assert {o["value"] for o in form.select("option")} == {"", "twitter", "youtube"}


@pytest.mark.parametrize(("query", "finnish"), [
    ("from=1&to=99", "Versiota 99 ei ole: asiakirjalla on versiot 1–6."),
    ("from=0", "Versiota 0 ei ole: asiakirjalla on versiot 1–6."),
    ("from=abc&to=2", "Versionumerot ovat kokonaislukuja."),
    ("from=2&to=2", "Valitse kaksi eri versiota."),
    ("from=6", "Valitse kaksi eri versiota."),
])
def test_compare_refuses_wrong_versions_in_the_page_language(site: Site, client_as, query: str,
                                                              finnish: str) -> None:  # type: ignore[no-untyped-def]
    client = client_as("cal")
    response = client.get(f"/documents/{site.youtube_doc_id}/compare?{query}&lang=fi")
    assert response.status_code == 400
    assert finnish in response.get_data(as_text=True)


def test_compare_takes_the_versions_in_either_order(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("cal")
    pages = []
    for query in ("from=1&to=3", "from=3&to=1"):
        soup = BeautifulSoup(client.get(f"/documents/{site.youtube_doc_id}/compare?{query}").data, "lxml")
        pages.append((soup.h1.get_text(), str(soup.select_one(".tos-changes"))))
    assert pages[0] == pages[1] and "<ins>" in pages[0][1]


def test_bad_requests_get_the_sites_own_error_page_in_finnish(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("cal")
    bad = client.get("/reviews?status=bogus&lang=fi")
    assert bad.status_code == 400 and "Pyyntöä ei ymmärretty" in bad.get_data(as_text=True)
    wrong_method = client.post("/lookup/youtube", data={})
    assert wrong_method.status_code == 405 and "Tämä osoite ei ota vastaan" in wrong_method.get_data(as_text=True)
    signed_out = client.post("/logout", data={"csrf_token": csrf_token(client, "/")}, follow_redirects=True)
    assert "Olet kirjautunut ulos." in signed_out.get_data(as_text=True)


def test_a_change_page_lists_its_flagged_clauses_high_first(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(client_as("cal").get(f"/changes/{site.change_id}?lang=fi").data, "lxml")
    listed = soup.select("ol.flagged li")
    sections = {f"#{block['id']}": block for block in soup.select("div.clause-block")}
    flagged = [b for b in sections.values() if b.select_one("section.severity-high, section.severity-medium")]
    assert len(listed) == len(flagged) > 1
    severities = [li.select_one(".severity")["class"][1] for li in listed]
    assert severities == sorted(severities, key=lambda s: s != "severity-high")  # high first
    for li in listed:  # every entry jumps to its clause
        assert li.a["href"] in sections


def test_history_shows_when_each_version_is_in_force(site: Site, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("cal")
    history = {e["version"]: e for e in client.get("/api/services/twitter/history").get_json()}
    engine = make_engine(site.url)
    with transaction(engine) as session:
        twitter = session.scalar(select(Document.id).where(Document.service_id == "twitter"))
    engine.dispose()
    soup = BeautifulSoup(client.get(f"/documents/{twitter}?lang=fi").data, "lxml")
    column = [th.get_text() for th in soup.select("table thead th")].index("Voimassa alkaen")
    shown = {int(row.th.get_text()): row.find_all(["th", "td"])[column].get_text() for row in soup.select("tbody tr")}
    assert any(e["effective_date"] for e in history.values())  # X's terms state "Effective: …"
    for number, entry in history.items():
        assert shown[number].startswith(entry["effective_date"] or "–"), number
