"""How the figures grow with history length (10, 100, 1000 versions) and with documents (10, 100, 1000).

Usage (repository root, project venv active; urlwatch in its own venv as for ``crawl_vs_urlwatch.py``)::

    python bench/scaling.py [--history 10,100,1000] [--documents 10,100,1000] [--quick] [--skip-history]
                            [--skip-documents] [--repeat 1]

History length (in-process, one core, SQLite): a history of N versions of ``wikipedia / Terms of Service``
is synthesised from its 30 real versions, ping-pong order (0..29, 28..0, 1..) so each consecutive pair is
a real consecutive pair, each page with a unique "Revision k" paragraph so every version is distinct (no
flapping).  Reported per N (CPU time): ms per ingested version over all N, over the last 10, and over the
10 versions of the FIRST ping-pong cycle that fed the same real pairs as those last 10 (same content,
short history: the difference is what history length costs); ms per unchanged re-check at the end (the
latest page fetched again, median of 20); the two SQL lookups of a check (latest version, version by
hash; median of 50); database bytes per version.

Documents (whole processes, loopback servers): N services ``svc0000``.. each with one document cycling
over the 11 real recorded documents (newest version), one loopback address per service up to 250
addresses; ``tosmonitor crawl`` cold + re-check and urlwatch cold + re-check, interleaved, ``--repeat``
times.  Reported: seconds, ms per document, peak RSS.
``--quick``: history 10,100 and documents 10,100.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median, print_machine, start_servers, summary, synthetic_documents
from bench.replay_throughput import Pipeline
from bench.storage_vs_git import synthetic_feed
from tosmonitor.replay import recorded_documents


def history_growth(lengths: list[int]) -> None:
    from tosmonitor.store import transaction
    from tosmonitor.store.repository import find_document, latest_version, version_by_hash

    document = next(d for d in recorded_documents() if (d.service_id, d.doc_type) == ("wikipedia", "Terms of Service"))
    cycle = 2 * len(document.versions) - 2
    print(
        f"{'versions':>8} {'ingest ms/version: all':>23} {'last 10':>8} {'same 10 pairs in 1st cycle':>27} "
        f"{'unchanged check ms':>19} {'SQL lookups ms':>15} {'DB bytes/version':>17}  outcomes"
    )
    for n in lengths:
        feed = synthetic_feed(document, n)
        with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
            pipeline = Pipeline(Path(tmp), [document])
            empty = pipeline.db_path.stat().st_size
            times, outcomes = [], {}
            for page in feed.pages:
                start = time.process_time()
                outcome = pipeline.record(document, page)
                times.append(time.process_time() - start)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            checks = []
            for _ in range(20):
                start = time.process_time()
                assert pipeline.record(document, feed.pages[-1]) == "unchanged"
                checks.append(time.process_time() - start)
            lookups = []
            with transaction(pipeline.engine) as session:
                doc = find_document(session, document.service_id, document.doc_type)
                for _ in range(50):
                    start = time.process_time()
                    latest = latest_version(session, doc.id)
                    version_by_hash(session, doc.id, latest.text_hash)
                    session.expunge_all()
                    lookups.append(time.process_time() - start)
                    doc = find_document(session, document.service_id, document.doc_type)
            pipeline.close()
            with sqlite3.connect(pipeline.db_path) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size = pipeline.db_path.stat().st_size - empty
        last = list(range(max(0, n - 10), n))
        # the first ping-pong cycle fed the same real pairs as the last 10 (same content, shorter history)
        same = [i % cycle for i in last]
        same_ms = 1000 * statistics.mean(times[i] for i in same)
        print(
            f"{n:>8} {1000 * sum(times) / n:>23.1f} {1000 * statistics.mean(times[i] for i in last):>8.1f} "
            f"{same_ms:>27.1f} {1000 * statistics.median(checks):>19.1f} {1000 * statistics.median(lookups):>15.2f} "
            f"{size / n:>17,.0f}  {outcomes}",
            flush=True,
        )


def documents_growth(counts: list[int], repeat: int) -> None:
    from bench.crawl_vs_urlwatch import run_tosmonitor, run_urlwatch

    print(
        f"{'documents':>9} {'tool':<11} {'cold s':>22} {'ms/doc':>7} {'re-check s':>22} {'ms/doc':>7}"
        f" {'peak RSS MiB':>12}"
    )
    for n in counts:
        documents = synthetic_documents(n)
        servers = start_servers(documents, hosts=min(250, n))
        servers.show_all(None)
        results: dict[str, list] = {"tosmonitor": [], "urlwatch": []}
        try:
            with tempfile.TemporaryDirectory(prefix="bench-docs-") as tmp:
                base = Path(tmp)
                declarations = servers.write_declarations(base / "declarations")
                jobs = servers.write_urlwatch_jobs(base / "urls.yaml")
                for rep in range(repeat):
                    work = base / f"rep{rep}"
                    work.mkdir()
                    for tool in ("tosmonitor", "urlwatch") if rep % 2 == 0 else ("urlwatch", "tosmonitor"):
                        pair = run_tosmonitor(work, declarations) if tool == "tosmonitor" else run_urlwatch(work, jobs)
                        results[tool].append(pair)
                    shutil.rmtree(work)
        finally:
            servers.stop()
        for tool, pairs in results.items():
            cold = [p[0].wall for p in pairs]
            again = [p[1].wall for p in pairs]
            rss = max(max(p[0].rss_mb, p[1].rss_mb) for p in pairs)
            print(
                f"{n:>9} {tool:<11} {summary(cold):>22} {1000 * median(cold) / n:>7.0f} {summary(again):>22} "
                f"{1000 * median(again) / n:>7.0f} {rss:>12.1f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", default="10,100,1000")
    parser.add_argument("--documents", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-history", action="store_true")
    parser.add_argument("--skip-documents", action="store_true")
    args = parser.parse_args()
    history = [10, 100] if args.quick else [int(x) for x in args.history.split(",")]
    documents = [10, 100] if args.quick else [int(x) for x in args.documents.split(",")]
    print_machine()
    if not args.skip_history:
        print("## history length (in-process, CPU time, SQLite)")
        history_growth(history)
    if not args.skip_documents:
        print(f"## documents (whole processes, wall time, {args.repeat} repetition(s), interleaved)")
        documents_growth(documents, args.repeat)


if __name__ == "__main__":
    main()
