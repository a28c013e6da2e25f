"""Replay a real recorded history through real crawls: each real text change is exactly one version.

The pages are the bundled Open Terms Archive versions of X's (Twitter's) Terms of Service rendered
into full HTML pages whose navigation, cookie banner and footer change on every request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import Cli, cli_env
from tosmonitor.replay import ReplayServer, recorded_documents, render_page

REPLAYED = ("twitter", "Terms of Service")
STEPS = 12


def words_of_page(markdown_text: str) -> list[str]:
    """The words and link targets in the terms part of the page: an oracle independent of our extractor."""
    main = BeautifulSoup(render_page(markdown_text, "t", 1), "lxml").select_one("main")
    return re.findall(r"\w+", main.get_text(" ")) + [a.get("href", "") for a in main.find_all("a")]


def test_real_history_each_text_change_is_one_version(tmp_path: Path, database_url: str) -> None:
    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == REPLAYED)
    versions = document.versions[:STEPS]
    assert len(versions) >= 10
    server = ReplayServer(documents=[document]).start()
    try:
        declarations = server.write_declarations(tmp_path / "declarations")
        cli = Cli(cli_env(database_url, tmp_path, declarations), tmp_path)
        assert cli("init").returncode == 0
        expected_versions = 0
        previous_words: list[str] | None = None
        for index, path in enumerate(versions):
            server.show(document, index)
            words = words_of_page(path.read_text(encoding="utf-8"))
            if words != previous_words:
                expected_versions += 1
            previous_words = words
            crawled = cli("crawl", "twitter")
            assert crawled.returncode == 0, crawled.stderr
            refetch = cli("crawl", "twitter")  # same terms, new page noise: nothing new
            assert refetch.returncode == 0, refetch.stderr
            history = json.loads(cli("history", "twitter", "--type", "Terms of Service", "--json").stdout)
            assert len(history) == expected_versions, f"after recorded version {index} ({path.name})"
        channels = json.loads(cli("channels", "--json").stdout)
        doc = channels[0]["documents"][0]
        assert doc["versions"] == expected_versions
        assert doc["last_check"]["outcome"] == "unchanged"
    finally:
        server.stop()
    assert expected_versions >= 8
    assert history[0]["change"] is None
    assert all(entry["change"] is not None for entry in history[1:])
    assert all(
        set(entry["change"]) >= {"added", "removed", "modified", "moved", "topics", "severity"} for entry in history[1:]
    )
    last = json.loads(cli("diff", "twitter", "--type", "Terms of Service", "--format", "json").stdout)
    assert last["to"]["version"] == expected_versions
    assert last["from"]["version"] == expected_versions - 1
    picked = json.loads(cli("diff", "twitter", "--from", "2", "--format", "json").stdout)
    assert (picked["from"]["version"], picked["to"]["version"]) == (2, expected_versions)  # --to: the latest
    picked = json.loads(cli("diff", "twitter", "--to", "2", "--format", "json").stdout)
    assert (picked["from"]["version"], picked["to"]["version"]) == (1, 2)
    for wrong, reason in [
        (["--from", "0"], "cannot diff --from 0: no such version"),
        (["--to", "0"], "cannot diff --to 0: no such version"),
        (["--to", str(expected_versions + 1)], f"cannot diff --to {expected_versions + 1}: no such version"),
        (["--from", "3", "--to", "2"], "cannot diff 3 → 2: --from must be older than --to"),
        (["--from", str(expected_versions)], f"cannot diff {expected_versions} → {expected_versions}"),
    ]:
        refused = cli("diff", "twitter", *wrong)
        assert refused.returncode == 1 and reason in refused.stderr, (wrong, refused.stderr)
    for clause in last["clauses"]:
        if clause["kind"] == "modified":
            assert "".join(t for op, t in clause["diff"] if op <= 0) == clause["old"]
            assert "".join(t for op, t in clause["diff"] if op >= 0) == clause["new"]
