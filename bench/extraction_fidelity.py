"""How close is our extraction to Open Terms Archive's own, on the corpus's real snapshots?

For every snapshot in ``<corpus>/snapshots`` that has an OTA version made from it (``manifest.csv``
``snapshot_ref``), extract it with the corpus declaration in force at the snapshot's time and
compare with OTA's version. Both texts go through :func:`normalise_markdown`; similarity is
``difflib.SequenceMatcher(None, ours_lines, theirs_lines).ratio()`` on the *lists of lines*
(fast, and a changed line costs its whole line), plus the same ratio on the lists of
whitespace-separated words (finer: Buffer's text is a few very long table rows).

Usage: ``python bench/extraction_fidelity.py [CORPUS]`` (default ``../shared/corpus`` relative to
the repository root).
"""

from __future__ import annotations

import csv
import difflib
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tosmonitor import filters
from tosmonitor.declarations import ServiceDeclaration, load_service
from tosmonitor.extract import ExtractError, extract_document, normalise_markdown

REPO = Path(__file__).resolve().parent.parent


def _timestamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=UTC)


def _load(corpus: Path, service: str, tmp: Path) -> ServiceDeclaration:
    lower = service.lower()
    for suffix in (".json", ".history.json"):
        source = corpus / "declarations" / f"{service}{suffix}"
        if source.exists():
            shutil.copy(source, tmp / f"{lower}{suffix}")
    return load_service(tmp / f"{lower}.json", known_filters=filters.names())


def pairs(corpus: Path) -> list[tuple[str, str, str, Path, Path]]:
    """(service, document type, timestamp, snapshot path, OTA version path) for each pair."""
    rows = list(csv.DictReader((corpus / "manifest.csv").open(encoding="utf-8")))
    version_by_commit = {
        row["snapshot_ref"].rsplit("@", 1)[-1]: row
        for row in rows
        if row["kind"] == "version" and row["snapshot_ref"]
    }
    result = []
    for row in rows:
        if row["kind"] != "snapshot":
            continue
        version = version_by_commit.get(row["source_commit"])
        if version is None:
            continue
        result.append(
            (row["service"], row["document_type"], row["timestamp"], corpus / row["file"],
             corpus / version["file"])
        )
    return sorted(result)


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else (REPO / ".." / "shared" / "corpus")
    corpus = corpus.resolve()
    line_ratios: list[float] = []
    char_ratios: list[float] = []
    print(f"{'service':<8} {'document':<18} {'snapshot':<21} {'lines':>7} {'words':>7} {'ms':>6}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        services: dict[str, ServiceDeclaration] = {}
        for service, doc_type, stamp, snapshot, version in pairs(corpus):
            if service not in services:
                services[service] = _load(corpus, service, tmp)
            declaration = services[service].document_at(doc_type, _timestamp(stamp))
            content = snapshot.read_bytes()
            started = time.perf_counter()
            try:
                ours = extract_document(
                    [(content, "text/html", s.fetch, s) for s in declaration.sources]
                )
            except ExtractError as error:
                ours = ""
                print(f"  extraction failed: {error.kind}: {error.message}")
            elapsed = (time.perf_counter() - started) * 1000
            theirs = normalise_markdown(version.read_text(encoding="utf-8"))
            line_ratio = difflib.SequenceMatcher(
                None, ours.splitlines(), theirs.splitlines(), autojunk=False
            ).ratio()
            char_ratio = difflib.SequenceMatcher(
                None, ours.split(), theirs.split(), autojunk=False
            ).ratio()
            line_ratios.append(line_ratio)
            char_ratios.append(char_ratio)
            print(
                f"{service:<8} {doc_type:<18} {stamp:<21} {line_ratio:7.4f} {char_ratio:7.4f} "
                f"{elapsed:6.0f}"
            )
    if not line_ratios:
        print("no snapshot/version pairs found")
        return 1
    mean_lines = sum(line_ratios) / len(line_ratios)
    mean_chars = sum(char_ratios) / len(char_ratios)
    print(f"mean over {len(line_ratios)} pairs: lines {mean_lines:.4f}  words {mean_chars:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
