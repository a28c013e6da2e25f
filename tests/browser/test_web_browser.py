"""End to end in headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser).

Real crawls of recorded real YouTube terms through the replay server make a flagged change; the web
UI runs as ``tosmonitor serve`` in its own process. Legal signs in, opens the flagged change from the
review queue, decides it, and sees the decision in the lookup page; comms sees no decision form.
axe-core (npm, ``node_modules/axe-core``) checks every page visited, in Finnish and English, and the
test fails on serious or critical violations. A screenshot of the lookup page is saved to
``docs/screenshots/lookup.png`` when ``TOSMONITOR_SCREENSHOTS=1``.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_BROWSER, Cli, cli_env, missing_optional_part
from tosmonitor.replay import ReplayServer, recorded_documents

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORDS = {"lea": ("legal", "legal-pass-1"), "cal": ("comms", "comms-pass-1"), "ada": ("admin", "admin-pass-1")}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def browser_parts() -> None:
    """Chromium and axe-core are optional locally; with TOSMONITOR_REQUIRE_BROWSER=1 (CI) they must be there."""
    if not CHROMIUM.exists():
        missing_optional_part("needs Debian's chromium at /usr/bin/chromium", required=REQUIRE_BROWSER)
    if not AXE.exists():
        missing_optional_part("needs axe-core: run `npm ci` at the repository root", required=REQUIRE_BROWSER)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database built by real crawls, and ``tosmonitor serve`` on it; yields the base URL."""
    tmp = tmp_path_factory.mktemp("browser")
    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == ("youtube", "Terms of Service"))
    url = f"sqlite:///{tmp / 'browser.db'}"
    port = free_port()
    with ReplayServer(documents=[document]) as replay:
        declarations = replay.write_declarations(tmp / "declarations")
        cli = Cli(cli_env(url, tmp, declarations, TOSMONITOR_SECRET_KEY="browser-test-" + "s" * 40,
                          TOSMONITOR_BASE_URL=f"http://127.0.0.1:{port}"), tmp)
        assert cli("init").returncode == 0
        for index in (11, 12):  # version 12 rewrote the content licence and other high-topic clauses
            replay.show(document, index)
            crawled = cli("crawl", "youtube")
            assert crawled.returncode == 0, crawled.stderr
    history = json.loads(cli("history", "youtube", "--json").stdout)
    assert len(history) == 2 and history[1]["change"]["severity"] == "high"
    for name, (role, password) in PASSWORDS.items():
        added = cli("user", "add", name, "--role", role, input=password + "\n")
        assert added.returncode == 0, added.stderr
    process = cli.popen("serve", "--host", "127.0.0.1", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"tosmonitor serve did not start: {process.stderr.read()}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser):  # type: ignore[no-untyped-def]
    # bypass_csp: the app's Content-Security-Policy forbids scripts, axe-core is injected by the test
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="fi-FI")
    return context.new_page()


def check_accessibility(page) -> None:  # type: ignore[no-untyped-def]
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert result["passes"], "axe-core ran no checks"
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}:\n" + "\n".join(bad)


def sign_in(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    check_accessibility(page)
    page.get_by_label("Käyttäjätunnus").fill(name)
    page.get_by_label("Salasana").fill(PASSWORDS[name][1])
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/"


def test_legal_decides_a_flagged_change_and_lookup_shows_it(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    sign_in(page, server, "lea")
    check_accessibility(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    # a flagged clause that is in force now: its decision must show in the lookup
    in_force = {c["text"] for t in page.request.get(f"{server}/api/services/youtube/lookup").json()["topics"]
                for c in t["clauses"]}
    reviews = page.request.get(f"{server}/api/reviews").json()
    assert reviews and reviews[0]["severity"] == "high"
    target = next(r for r in reviews if r["severity"] == "high" and r["new"] in in_force)

    page.get_by_role("link", name="Tarkastusjono").click()
    check_accessibility(page)
    page.locator(f"a[href$='#clause-{target['id']}'], a[href='/reviews/{target['id']}']").first.wait_for()
    change_link = page.locator("tr", has=page.locator(f"a[href='/reviews/{target['id']}']")).locator(
        "a[href^='/changes/']")
    change_link.click()
    page.wait_for_load_state()
    assert "/changes/" in page.url
    check_accessibility(page)
    assert page.locator("ins").count() > 0 and page.locator("mark").count() > 0

    form = page.locator(f"form[action='/reviews/{target['id']}']")
    form.get_by_label("vaatii toimia").check()
    form.get_by_label("Huomautus").fill("Selvitettävä: lisenssi kaupungin sisältöön")
    form.get_by_role("button", name="Tallenna päätös").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() == "Päätös tallennettu."

    page.goto(f"{server}/lookup")
    check_accessibility(page)
    page.get_by_label("Palvelu").select_option("youtube")
    page.get_by_role("button", name="Näytä").click()
    page.wait_for_load_state()
    assert page.url.endswith("/lookup/youtube")
    check_accessibility(page)
    decided = page.locator(".clause-in-force", has_text="Selvitettävä: lisenssi kaupungin sisältöön")
    assert decided.count() >= 1
    assert "vaatii toimia" in decided.first.inner_text()
    if os.environ.get("TOSMONITOR_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        page.screenshot(path=str(shots / "lookup.png"))
        page.locator("section[id^='topic-']").first.screenshot(path=str(shots / "lookup-topic.png"))

    page.emulate_media(media="print")
    assert page.locator("header nav").is_hidden() and page.locator("form.logout").is_hidden()
    assert page.locator("h1").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    page.emulate_media(media="screen")

    for path in ["/services/youtube", "/reviews?status=all", f"/reviews/{target['id']}"]:
        page.goto(server + path)
        check_accessibility(page)
    page.get_by_role("link", name="Palvelut ja kanavat").click()
    page.locator("a[href^='/documents/']").first.click()
    page.wait_for_load_state()
    check_accessibility(page)
    page.get_by_role("button", name="Vertaa").click()
    page.wait_for_load_state()
    assert "/compare" in page.url
    check_accessibility(page)

    page.get_by_role("link", name="In English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{server}/lookup/youtube")
    assert page.locator("h1").inner_text() == "Youtube: terms in force"
    check_accessibility(page)
    page.context.close()


def test_comms_browses_but_cannot_decide(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    sign_in(page, server, "cal")
    review = page.request.get(f"{server}/api/reviews?status=all").json()[0]
    page.goto(f"{server}/reviews/{review['id']}")
    assert page.locator("form.decide").count() == 0
    assert "Tarkastukset ratkaisee käyttäjä, jolla on lakiasioiden rooli." in page.locator("main").inner_text()
    page.goto(f"{server}/changes/{review['change']}")
    assert page.locator("form.decide").count() == 0
    check_accessibility(page)
    # a forged POST from this signed-in comms user: the token is valid, the role is not
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"{server}/reviews/{review['id']}",
                                 form={"status": "accepted", "csrf_token": token})
    assert response.status == 403
    response = page.request.post(f"{server}/reviews/{review['id']}", form={"status": "accepted"})
    assert response.status == 400
    page.goto(f"{server}/services/youtube")
    assert page.locator("select[name=state]").count() == 0
    page.context.close()


def test_legal_decides_a_whole_change_in_the_browser(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    sign_in(page, server, "lea")
    open_reviews = page.request.get(f"{server}/api/reviews").json()
    change = max({r["change"] for r in open_reviews}, key=lambda c: sum(r["change"] == c for r in open_reviews))
    count = sum(r["change"] == change for r in open_reviews)
    page.goto(f"{server}/lookup/youtube")
    page.locator(f"a[href='/changes/{change}']").click()  # the lookup lists open reviews by change
    page.wait_for_load_state()
    check_accessibility(page)
    # a flagged clause: its severity badge is coloured, its text stays the page's text colour
    clause, body, badge = page.evaluate("""() => {
        const section = document.querySelector('section.change.severity-high');
        const colour = element => getComputedStyle(element).color;
        const part = selector => colour(section.querySelector(selector));
        return [part('.clause'), colour(document.body), part('.severity')];
    }""")
    assert clause == body != badge
    form = page.locator(f"form[action='/changes/{change}/reviews']")
    form.get_by_label("siirretty eteenpäin").check()
    form.get_by_label("Huomautus").fill("Koko muutos tietosuojavastaavalle")
    form.get_by_role("button", name=f"Tallenna kaikille {count} avoimelle tarkastukselle").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() == f"{count} avointa tarkastusta ratkaistu."
    assert page.locator(f"form[action='/changes/{change}/reviews']").count() == 0
    assert not [r for r in page.request.get(f"{server}/api/reviews").json() if r["change"] == change]
    escalated = [r for r in page.request.get(f"{server}/api/reviews?status=escalated").json() if r["change"] == change]
    assert len(escalated) == count and {r["note"] for r in escalated} == {"Koko muutos tietosuojavastaavalle"}
    page.context.close()


def test_admin_edits_the_channel_in_the_browser(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    sign_in(page, server, "ada")
    page.goto(f"{server}/services/youtube")
    check_accessibility(page)
    page.get_by_label("Tila").select_option("candidate")
    page.get_by_label("Omistaja", exact=True).fill("Viestintä")
    page.get_by_label("Omistajan sähköposti").fill("viestinta@alajarvi.example")
    page.get_by_label("Ylläpitäjät (yksi nimi riville)").fill("Maija Esimerkki\nMatti Meikäläinen")
    page.get_by_role("button", name="Tallenna kanava").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() == "Kanava tallennettu."
    assert "Muokattu tässä käyttöliittymässä: ada" in page.locator("main").inner_text()
    check_accessibility(page)
    page.goto(f"{server}/lookup/youtube")
    assert "harkinnassa" in page.locator("#channel-h + p").inner_text()
    assert page.locator(".checklist li.done").count() == 1  # two named admins
    page.context.close()


def test_pages_fit_a_phone_screen(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """At 390 px no page scrolls sideways: wide tables scroll inside themselves, long URLs wrap."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fi-FI", bypass_csp=True)
    page = context.new_page()
    sign_in(page, server, "lea")
    change = page.request.get(f"{server}/api/reviews?status=all").json()[0]["change"]
    document = page.request.get(f"{server}/api/services").json()[0]["documents"][0]
    paths = ["/", "/services/youtube", "/reviews?status=all", f"/changes/{change}", "/lookup/youtube"]
    assert document["versions"] >= 2
    for path in paths:
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    context.close()
