"""Replay a real version history through extract + diff + tag + store, in-process, on one core.

Usage (repository root, project venv active)::

    python bench/replay_throughput.py [--document wikipedia/Terms of Service] [--all] [--corpus]
                                      [--repeat 3] [--profile] [--quick]

Default: the longest recorded history (``wikipedia / Terms of Service``, 30 real versions).  Each version
is rendered into the replay server's HTML page (with per-request noise; rendering is NOT timed), then
fed to :func:`tosmonitor.recording.record_fetch` exactly as the crawl pipeline does (interstitial check,
HTML -> Markdown extraction, snapshot, version, clause diff, topic tags, statements, one SQLite
transaction per version).  ``--all`` replays every recorded document (262 versions); ``--corpus``
replays every document of ``../shared/corpus/versions`` (615 versions, 579 consecutive pairs).

Printed: versions/s (wall and CPU), the split between extraction and diff+tag, median and [min–max] over
``--repeat`` repetitions, each on a fresh database.  ``--profile`` adds a cProfile of one repetition (top
functions by own time and cumulative time within tosmonitor).
after the core fixes proposed in RESULTS.md (monkeypatched at run time; no core file is edited),
interleaved, and checks that the recorded versions and checks are identical.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import itertools
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SHARED_CORPUS, page_bytes, print_machine, summary
from tosmonitor.replay import RecordedDocument, recorded_documents

BASE = "http://127.0.0.1:8000"


@dataclass
class Feed:
    """One document's pages to replay: (HTML bytes, the Markdown source) per version, oldest first."""

    document: RecordedDocument
    pages: list[bytes]


def corpus_documents(root: Path = SHARED_CORPUS) -> list[RecordedDocument]:
    documents = []
    for type_dir in sorted(p for p in (root / "versions").glob("*/*") if p.is_dir()):
        versions = tuple(sorted(type_dir.glob("*.md")))
        if versions:
            service = re.sub(r"[^a-z0-9]+", "-", type_dir.parent.name.lower()).strip("-")
            documents.append(RecordedDocument(service, type_dir.name, versions))
    return documents


def feeds(documents: Sequence[RecordedDocument]) -> list[Feed]:
    return [
        Feed(d, [page_bytes(v, f"{d.service_id} {d.doc_type}", i + 1) for i, v in enumerate(d.versions)])
        for d in documents
    ]


class Pipeline:
    """A fresh SQLite database with declarations for ``documents`` (``select: main article``)."""

    def __init__(self, directory: Path, documents: Sequence[RecordedDocument]) -> None:
        import json

        from tosmonitor.crawling import load_checked_declarations
        from tosmonitor.store import make_engine, transaction, upgrade
        from tosmonitor.store.repository import sync_declarations

        declarations = directory / "declarations"
        declarations.mkdir(parents=True)
        services: dict[str, dict[str, object]] = {}
        for d in documents:
            services.setdefault(d.service_id, {})[d.doc_type] = {
                "fetch": f"{BASE}{d.path}",
                "select": ["main article"],
                "remove": [".share-buttons"],
            }
        for service_id, terms in services.items():
            (declarations / f"{service_id}.json").write_text(json.dumps({"name": service_id, "terms": terms}))
        self.db_path = directory / "tosmonitor.db"
        self.engine = make_engine(f"sqlite:///{self.db_path}")
        upgrade(self.engine)
        self.declarations = load_checked_declarations(declarations)
        with transaction(self.engine) as session:
            sync_declarations(session, self.declarations.values())
        self.clock = datetime(2020, 1, 1, tzinfo=UTC)

    def record(self, document: RecordedDocument, page: bytes) -> str:
        """One fetched page through the pipeline's own function, one transaction; the outcome."""
        from tosmonitor.fetching import FetchedPage, FetchResult
        from tosmonitor.recording import record_fetch
        from tosmonitor.store import transaction

        self.clock += timedelta(hours=1)
        result = FetchResult(document.service_id, document.doc_type, self.clock)
        result.pages.append(FetchedPage(f"{BASE}{document.path}", 200, "text/html", page, self.clock))
        with transaction(self.engine) as session:
            outcome = record_fetch(session, self.declarations[document.service_id], result)
        return f"failed:{outcome.failure_kind}" if outcome.outcome == "failed" else outcome.outcome

    def close(self) -> None:
        self.engine.dispose()


def replay_once(all_feeds: Sequence[Feed], directory: Path) -> tuple[float, float, int, dict[str, int]]:
    """(wall s, CPU s, versions fed, outcomes) of replaying every feed into a fresh database."""
    pipeline = Pipeline(directory, [f.document for f in all_feeds])
    outcomes: dict[str, int] = {}
    fed = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for feed in all_feeds:
        for page in feed.pages:
            outcome = pipeline.record(feed.document, page)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            fed += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pipeline.close()
    return wall, cpu, fed, outcomes


def split_stages(all_feeds: Sequence[Feed]) -> tuple[float, float]:
    """CPU seconds of extraction alone and of diff+tag alone (build_clause_changes) over the same feeds."""
    from tosmonitor.changes import build_clause_changes
    from tosmonitor.declarations import SourceDocument  # noqa: F401  (type of the source below)
    from tosmonitor.extract import ExtractError, extract_document

    pipeline = Pipeline(Path(tempfile.mkdtemp(prefix="bench-stages-")), [f.document for f in all_feeds])
    extract_cpu = diff_cpu = 0.0
    for feed in all_feeds:
        source = pipeline.declarations[feed.document.service_id].documents[feed.document.doc_type].sources[0]
        texts = []
        start = time.process_time()
        for page in feed.pages:
            # an ExtractError (e.g. an interstitial false positive) is a failed check in the replay too
            with contextlib.suppress(ExtractError):
                texts.append(extract_document([(page, "text/html", f"{BASE}{feed.document.path}", source)]))
        extract_cpu += time.process_time() - start
        start = time.process_time()
        for old, new in itertools.pairwise(texts):
            if old != new:
                build_clause_changes(old, new)
        diff_cpu += time.process_time() - start
    pipeline.close()
    return extract_cpu, diff_cpu


def profile(all_feeds: Sequence[Feed], top: int = 25) -> str:
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        profiler.enable()
        replay_once(all_feeds, Path(tmp))
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"tosmonitor/", top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--document", default="wikipedia/Terms of Service")
    parser.add_argument("--all", action="store_true", help="every recorded document (262 versions)")
    parser.add_argument("--corpus", action="store_true", help="every document of ../shared/corpus (615 versions)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 repetition")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    if args.corpus:
        documents, label = corpus_documents(), "shared corpus"
    elif args.all:
        documents, label = recorded_documents(), "all recorded documents"
    else:
        documents = [d for d in recorded_documents() if f"{d.service_id}/{d.doc_type}" == args.document]
        label = args.document
    if not documents:
        raise SystemExit(f"nothing to replay for {args.document!r}")
    all_feeds = feeds(documents)
    n = sum(len(f.pages) for f in all_feeds)
    print_machine()
    print(f"# replay {label}: {len(documents)} documents, {n} versions, {n - len(documents)} consecutive pairs")
    walls, cpus = [], []
    outcomes: dict[str, int] = {}
    for rep in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
            wall, cpu, fed, outcomes = replay_once(all_feeds, Path(tmp))
        walls.append(fed / wall)
        cpus.append(fed / cpu)
        print(f"  rep {rep}: {wall:6.2f}s wall {cpu:6.2f}s CPU  {fed / wall:6.1f} versions/s  {outcomes}", flush=True)
    extract_cpu, diff_cpu = split_stages(all_feeds)
    print(f"versions/s (wall)        {summary(walls, '', 1)}   target >= 50")
    print(f"versions/s (CPU, 1 core) {summary(cpus, '', 1)}")
    print(
        f"per version: extract {1000 * extract_cpu / n:.1f} ms CPU, "
        f"diff+tag {1000 * diff_cpu / max(1, n - len(documents)):.1f} ms CPU per changed pair; "
        f"rest (dates, language, hashing, reviews, SQL): total {1000 / statistics.median(cpus):.1f} ms"
    )
    if args.profile:
        print(profile(all_feeds))


if __name__ == "__main__":
    main()
