"""Declarations with executeClientScripts are rendered in Debian's Chromium through scrapy-playwright."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_BROWSER, Cli, cli_env, missing_optional_part
from tests.responders import TERMS, page
from tosmonitor.replay import ReplayServer

CHROMIUM = "/usr/bin/chromium"

SCRIPTED_PAGE = """<!DOCTYPE html><html><head><title>Terms</title></head><body><main id="app"></main>
<script>
const terms = %s;
document.getElementById("app").innerHTML =
  "<article class='terms'><h1>Terms of Service</h1>" + terms.map(p => "<p>" + p + "</p>").join("") + "</article>";
</script></body></html>"""


@pytest.fixture
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        missing_optional_part("Debian's chromium is not installed", required=REQUIRE_BROWSER)
    return CHROMIUM


def test_client_side_rendered_terms_need_and_get_a_browser(
    tmp_path: Path, database_url: str, replay_server: ReplayServer, chromium: str
) -> None:
    replay_server.routes["/app"] = page(SCRIPTED_PAGE % json.dumps(TERMS))
    declarations = tmp_path / "declarations"
    declarations.mkdir()
    for service, scripted in (("rendered", True), ("plain", False)):
        terms = {"fetch": replay_server.url("/app"), "select": "main article", "executeClientScripts": scripted}
        (declarations / f"{service}.json").write_text(
            json.dumps({"name": service, "terms": {"Terms of Service": terms}})
        )
    cli = Cli(cli_env(database_url, tmp_path, declarations, TOSMONITOR_CHROMIUM_PATH=chromium), tmp_path)
    assert cli("init").returncode == 0
    result = cli("crawl")
    assert result.returncode == 0, result.stderr
    channels = {s["service"]: s["documents"][0] for s in json.loads(cli("channels", "--json").stdout)}
    assert channels["rendered"]["last_check"]["outcome"] == "new_version"
    assert channels["plain"]["last_check"]["failure_kind"] == "selector_missing"
    diffless = cli("history", "rendered", "--json")
    assert json.loads(diffless.stdout)[0]["chars"] > 300


def test_browser_fetch_failures_are_named_like_plain_ones(tmp_path: Path, database_url: str, chromium: str) -> None:
    """An unresolvable host through Chromium is a `dns` failure with a one-line message, as without a
    browser (Playwright adds a multi-line "Call log" to its errors)."""
    declarations = tmp_path / "declarations"
    declarations.mkdir()
    for service, scripted in (("rendered", True), ("plain", False)):
        terms = {"fetch": "https://terms.example.invalid/tos", "select": "main", "executeClientScripts": scripted}
        (declarations / f"{service}.json").write_text(
            json.dumps({"name": service, "terms": {"Terms of Service": terms}})
        )
    cli = Cli(cli_env(database_url, tmp_path, declarations, TOSMONITOR_CHROMIUM_PATH=chromium), tmp_path)
    assert cli("init").returncode == 0
    assert cli("crawl").returncode == 0
    checks = {s["service"]: s["documents"][0]["last_check"] for s in json.loads(cli("channels", "--json").stdout)}
    for service, check in checks.items():
        assert check["outcome"] == "failed" and check["failure_kind"] == "dns", (service, check)
        assert "\n" not in check["message"] and check["message"].startswith("host name not found fetching"), check
