"""Unchanged re-check (``tosmonitor crawl`` when nothing changed) vs a bare Scrapy fetch of the same pages.

Usage (repository root, project venv active)::

    python bench/recheck_vs_scrapy.py [--repeat 5] [--quick] [--documents N]

The recorded documents (newest versions) are served as in ``crawl_vs_urlwatch.py`` (one loopback address
per service).  tosmonitor's database is primed with one crawl (not timed); then, per repetition, in
alternating order:

* ``tosmonitor crawl`` -- every page fetched, extracted, compared: all checks ``unchanged``;
* a bare Scrapy spider (this file, ``--bare-spider``) in its own process, with the same Scrapy settings
  tosmonitor uses (asyncio reactor, 8 concurrent requests, 1 per host, no delay, no retries, no
  AutoThrottle), that only downloads the same URLs and counts the bytes.

Both are whole processes (interpreter start, imports, reactor): wall time, CPU and peak RSS, median and
[min–max].  Target: tosmonitor <= 1.2x the bare fetch.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare_spider(url_file: str) -> None:
    """The reference: a minimal Scrapy crawl of the URLs, nothing else."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.loads(Path(url_file).read_text())
    fetched = {"pages": 0, "bytes": 0}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):  # type: ignore[no-untyped-def]
            fetched["pages"] += 1
            fetched["bytes"] += len(response.body)

    process = CrawlerProcess(
        {
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "CONCURRENT_REQUESTS": 8,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "RETRY_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "USER_AGENT": "bench-bare-scrapy",
        }
    )
    process.crawl(Bare)
    process.start()
    print(json.dumps(fetched))


def main() -> None:
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
    )
    from tosmonitor.replay import recorded_documents

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 repetitions")
    parser.add_argument("--documents", type=int, default=0)
    add_baseline_argument(parser)
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat

    documents = synthetic_documents(args.documents) if args.documents else recorded_documents()
    servers = start_servers(documents, hosts=min(250, len({d.service_id for d in documents})))
    servers.show_all(None)
    print_machine()
    print(f"# {len(documents)} documents, {len(servers.servers)} servers on loopback addresses, {repeat} repetitions")
    results: dict[str, list[Run]] = {"tosmonitor re-check": [], "bare scrapy fetch": []}
    if args.baseline:
        results["baseline re-check"] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-recheck-") as tmp:
            home = Path(tmp)
            declarations = servers.write_declarations(home / "declarations")
            url_file = home / "urls.json"
            url_file.write_text(json.dumps([servers.url(d) for d in documents]))
            envs = {}
            for name in results:
                if name.startswith("bare"):
                    continue
                tool_home = home / name.split()[0]
                tool_home.mkdir()
                code = args.baseline if name.startswith("baseline") else None
                env = tosmonitor_env(f"sqlite:///{tool_home / 'tosmonitor.db'}", tool_home, declarations, code=code)
                init_database(env, tool_home)
                primed = measure(tosmonitor_cmd("crawl"), env, tool_home)
                if primed.returncode != 0:
                    raise SystemExit(primed.stderr[-2000:])
                envs[name] = (env, tool_home)
            bare_cmd = [sys.executable, str(Path(__file__).resolve()), "--bare-spider", str(url_file)]
            order = tuple(results)
            for rep in range(repeat):
                for name in order if rep % 2 == 0 else order[::-1]:
                    if name.startswith("bare"):
                        run = measure(bare_cmd, None, home)
                    else:
                        run = measure(tosmonitor_cmd("crawl"), *envs[name])
                    if run.returncode != 0:
                        raise SystemExit(f"{name} failed: {run.stderr[-2000:]}")
                    if name.startswith("bare") and json.loads(run.stdout)["pages"] != len(documents):
                        raise SystemExit(f"bare spider fetched {run.stdout}")
                    results[name].append(run)
                    print(
                        f"  rep {rep} {name:<20} {run.wall:6.2f}s  CPU {run.cpu:5.2f}s  {run.rss_mb:6.1f}MiB",
                        flush=True,
                    )
            import sqlite3

            with sqlite3.connect(home / "tosmonitor" / "tosmonitor.db") as db:
                outcomes = dict(db.execute('select outcome, count(*) from "check" group by outcome').fetchall())
    finally:
        servers.stop()
    print(f"# tosmonitor checks: {outcomes} (1 priming crawl + {repeat} re-checks)")
    print(f"{'run':<22} {'wall s median [min–max]':>26} {'CPU s':>8} {'peak RSS MiB':>24}")
    for name, runs in results.items():
        print(
            f"{name:<22} {summary([r.wall for r in runs]):>26} {median([r.cpu for r in runs]):>8.2f} "
            f"{summary([r.rss_mb for r in runs], '', 1):>24}"
        )
    ratio = median([r.wall for r in results["tosmonitor re-check"]]) / median(
        [r.wall for r in results["bare scrapy fetch"]]
    )
    print(f"tosmonitor re-check / bare scrapy fetch: {ratio:.2f}x wall (target <= 1.2x)")
    if args.baseline:
        before = median([r.wall for r in results["baseline re-check"]])
        bare = median([r.wall for r in results["bare scrapy fetch"]])
        print(f"baseline ({args.baseline}) re-check / bare scrapy fetch: {before / bare:.2f}x wall")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bare-spider":
        bare_spider(sys.argv[2])
    else:
        main()
