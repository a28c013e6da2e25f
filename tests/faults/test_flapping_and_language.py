"""Pages that alternate between variants (A/B tests, language negotiation) do not make a version every run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, cli_env
from tests.responders import TERMS, TERMS_FI, page, terms_page
from tosmonitor.replay import ReplayServer

VARIANT_A = terms_page(TERMS)
VARIANT_B = terms_page(
    [*TERMS[:3], "We may change these terms at any time, and we will tell you by e-mail.", *TERMS[4:]]
)


def setup_cli(tmp_path: Path, database_url: str, server: ReplayServer) -> Cli:
    declarations = tmp_path / "declarations"
    declarations.mkdir()
    terms = {"Terms of Service": {"fetch": server.url("/tos"), "select": "main article"}}
    (declarations / "example.json").write_text(json.dumps({"name": "Example", "terms": terms}))
    cli = Cli(cli_env(database_url, tmp_path, declarations), tmp_path)
    assert cli("init").returncode == 0
    return cli


def crawl_with(cli: Cli, server: ReplayServer, body: str) -> dict:
    server.routes["/tos"] = page(body)
    result = cli("crawl")
    assert result.returncode == 0, result.stderr
    document = json.loads(cli("channels", "--json").stdout)[0]["documents"][0]
    return document


def test_ab_variants_are_flapping_not_new_versions(
    tmp_path: Path, database_url: str, replay_server: ReplayServer
) -> None:
    cli = setup_cli(tmp_path, database_url, replay_server)
    outcomes = []
    for body in (VARIANT_A, VARIANT_B, VARIANT_A, VARIANT_B, VARIANT_A):
        document = crawl_with(cli, replay_server, body)
        outcomes.append((document["last_check"]["outcome"], document["last_check"]["flapping"]))
    assert document["versions"] == 2
    assert outcomes == [
        ("new_version", False),
        ("new_version", False),
        ("unchanged", True),
        ("unchanged", False),
        ("unchanged", True),
    ]
    assert "shows version 1 again" in document["last_check"]["message"]


def test_language_flip_is_held_back_until_it_stays(
    tmp_path: Path, database_url: str, replay_server: ReplayServer
) -> None:
    cli = setup_cli(tmp_path, database_url, replay_server)
    english, finnish = terms_page(TERMS), terms_page(TERMS_FI)
    assert crawl_with(cli, replay_server, english)["versions"] == 1
    for body in (finnish, english, finnish):  # language negotiation flipping: never a version
        document = crawl_with(cli, replay_server, body)
        assert document["versions"] == 1
    assert document["last_check"]["failure_kind"] == "language_changed"
    assert "'fi'" in document["last_check"]["message"]
    document = crawl_with(cli, replay_server, finnish)  # the same Finnish text twice in a row: real
    assert document["versions"] == 2
    assert document["last_check"]["outcome"] == "new_version"
