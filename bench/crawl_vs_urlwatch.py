"""Crawl of the bundled recorded documents: ``tosmonitor crawl`` vs urlwatch, side by side, interleaved.

Usage (repository root, project venv active; urlwatch in its OWN venv, default /tmp/urlwatch-venv)::

    python3 -m venv /tmp/urlwatch-venv && /tmp/urlwatch-venv/bin/pip install urlwatch html2text cssselect lxml
    python bench/crawl_vs_urlwatch.py [--repeat 5] [--quick] [--documents N]

Every recorded document of ``data/recorded`` (11 documents, 9 services; the newest version of each)
is served by a :class:`bench.common.LoopbackReplayServer`, one server per service on its own loopback
address (127.0.1.X), so neither tool serialises requests per host.  Both tools get the same URLs and
equivalent selection: tosmonitor's declaration ``select: main article`` -> Markdown; urlwatch's job
``filter: [css: main article, html2text: {method: pyhtml2text}]``.

Per repetition, in alternating order (tosmonitor first on even repetitions, urlwatch first on odd):

* cold: a fresh database (``tosmonitor init`` beforehand, not timed) / a fresh urlwatch cache;
* re-check: the same tool again with the same versions served (only page noise differs).

Each figure is the wall time and the peak RSS of the tool's process (``os.wait4``); median and
[min–max] over the repetitions.  ``--documents N`` serves N documents (services svc0000.., cycling over
the real ones; each service on its own address up to 250 addresses, then round-robin).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Run,
    add_baseline_argument,
    init_database,
    measure,
    median,
    print_machine,
    start_servers,
    summary,
    synthetic_documents,
    tosmonitor_cmd,
    tosmonitor_env,
    urlwatch_cmd,
)
from tosmonitor.replay import recorded_documents


def run_tosmonitor(work: Path, declarations: Path, code: Path | None = None) -> tuple[Run, Run]:
    home = work / ("baseline" if code else "tosmonitor")
    home.mkdir()
    env = tosmonitor_env(f"sqlite:///{home / 'tosmonitor.db'}", home, declarations, code=code)
    init_database(env, home)
    cold = measure(tosmonitor_cmd("crawl"), env, home)
    again = measure(tosmonitor_cmd("crawl"), env, home)
    for run in (cold, again):
        if run.returncode != 0:
            raise SystemExit(f"tosmonitor crawl failed: {run.stderr[-2000:]}")
    return cold, again


def run_urlwatch(work: Path, jobs: Path) -> tuple[Run, Run]:
    home = work / "urlwatch"
    home.mkdir()
    cold = measure(urlwatch_cmd(home, jobs), None, home)
    again = measure(urlwatch_cmd(home, jobs), None, home)
    for run in (cold, again):
        if run.returncode != 0 or "ERROR" in run.stdout:
            raise SystemExit(f"urlwatch failed: {run.stdout[-2000:]} {run.stderr[-2000:]}")
    return cold, again


def check_outcomes(work: Path, expected: int) -> str:
    """Versions recorded by tosmonitor (must be one per document) -- a sanity check, not timed."""
    import sqlite3

    with sqlite3.connect(work / "tosmonitor" / "tosmonitor.db") as db:
        versions = db.execute("select count(*) from version").fetchone()[0]
        checks = dict(db.execute('select outcome, count(*) from "check" group by outcome').fetchall())
    if versions != expected:
        raise SystemExit(f"tosmonitor recorded {versions} versions for {expected} documents: {checks}")
    return f"{versions} versions, checks {checks}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 repetitions")
    parser.add_argument("--documents", type=int, default=0, help="N synthetic documents instead of the 11 real ones")
    add_baseline_argument(parser)
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat

    documents = synthetic_documents(args.documents) if args.documents else recorded_documents()
    servers = start_servers(documents, hosts=min(250, len({d.service_id for d in documents})))
    servers.show_all(None)
    results: dict[str, list[Run]] = {
        "tosmonitor cold": [],
        "tosmonitor re-check": [],
        "urlwatch cold": [],
        "urlwatch re-check": [],
    }
    tools = ("tosmonitor", "urlwatch", "baseline") if args.baseline else ("tosmonitor", "urlwatch")
    for tool in tools[2:]:
        results[f"{tool} cold"], results[f"{tool} re-check"] = [], []
    print_machine()
    print(f"# {len(documents)} documents, {len(servers.servers)} servers on loopback addresses, {repeat} repetitions")
    note = ""
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            base = Path(tmp)
            declarations = servers.write_declarations(base / "declarations")
            jobs = servers.write_urlwatch_jobs(base / "urls.yaml")
            for rep in range(repeat):
                work = base / f"rep{rep}"
                work.mkdir()
                for tool in tools if rep % 2 == 0 else tools[::-1]:
                    if tool == "urlwatch":
                        cold, again = run_urlwatch(work, jobs)
                    else:
                        cold, again = run_tosmonitor(work, declarations, args.baseline if tool == "baseline" else None)
                    results[f"{tool} cold"].append(cold)
                    results[f"{tool} re-check"].append(again)
                    print(
                        f"  rep {rep} {tool:<10} cold {cold.wall:6.2f}s {cold.rss_mb:6.1f}MiB   "
                        f"re-check {again.wall:6.2f}s {again.rss_mb:6.1f}MiB",
                        flush=True,
                    )
                note = check_outcomes(work, len(documents))
                shutil.rmtree(work)
    finally:
        servers.stop()
    print(f"# tosmonitor sanity: {note}")
    print(f"{'run':<22} {'wall s median [min–max]':>26} {'CPU s':>8} {'peak RSS MiB':>24}")
    for name, runs in results.items():
        print(
            f"{name:<22} {summary([r.wall for r in runs]):>26} {median([r.cpu for r in runs]):>8.2f} "
            f"{summary([r.rss_mb for r in runs], '', 1):>24}"
        )
    for phase in ("cold", "re-check"):
        ratio = median([r.wall for r in results[f"tosmonitor {phase}"]]) / median(
            [r.wall for r in results[f"urlwatch {phase}"]]
        )
        print(f"tosmonitor/urlwatch {phase}: {ratio:.2f}x wall (target <= 0.5x)")
        if args.baseline:
            before = median([r.wall for r in results[f"baseline {phase}"]])
            reference = median([r.wall for r in results[f"urlwatch {phase}"]])
            print(f"baseline ({args.baseline})/urlwatch {phase}: {before / reference:.2f}x wall")


if __name__ == "__main__":
    main()
