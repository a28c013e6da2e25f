"""Shared helpers of the benchmarks in ``bench/`` (run on demand, never part of the test suite).

* :class:`LoopbackReplayServer` -- :class:`tosmonitor.replay.ReplayServer` bound to any loopback address
  (``127.0.0.X``), with the Markdown->HTML rendering of each recorded version cached so the server's
  own CPU cost (shared by both tools under test, on the same 2 cores) stays small.  Every request
  still gets fresh page noise (timestamp, visit counter, token) outside ``<main>``.
* :func:`start_servers` -- one server per service, each on its own loopback address, so that neither
  Scrapy nor urlwatch serialises requests per host.
* :func:`measure` -- wall time, user+sys CPU (``os.wait4``) and peak RSS (GNU ``time -f %M``) of one child process.
* :func:`machine_info`, :func:`summary` (median and spread of repeated runs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from itertools import count
from pathlib import Path

from tosmonitor.replay import (
    RecordedDocument,
    ReplayServer,
    markdown_body,
    recorded_documents,
    wrap_page,
    write_declarations,
)

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
URLWATCH_VENV = Path(os.environ.get("URLWATCH_VENV", "/tmp/urlwatch-venv"))

_BODY_CACHE: dict[Path, str] = {}
_BODY_LOCK = threading.Lock()


def rendered_body(version: Path) -> str:
    """``markdown.markdown`` of a recorded version, as :func:`tosmonitor.replay.render_page` does it (cached)."""
    with _BODY_LOCK:
        body = _BODY_CACHE.get(version)
    if body is None:
        body = markdown_body(version.read_text(encoding="utf-8"))
        with _BODY_LOCK:
            _BODY_CACHE[version] = body
    return body


def page_bytes(version: Path, title: str, visit: int) -> bytes:
    """The same bytes as ``render_page(version text, title, visit)``, with the Markdown step cached."""
    return wrap_page(rendered_body(version), title, visit)


@dataclass
class LoopbackReplayServer(ReplayServer):
    """A :class:`ReplayServer` on ``host`` (any 127.0.0.0/8 address), rendering cached."""

    host: str = "127.0.0.1"
    _by_path: dict[str, RecordedDocument] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._visits = count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((self.host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        for document in self.documents:
            self.positions.setdefault(document.path, 0)
            self._by_path[document.path] = document

    def _serve_document(self, handler, document: RecordedDocument) -> None:  # type: ignore[no-untyped-def]
        version = document.versions[self.positions[document.path]]
        body = page_bytes(version, f"{document.service_id} {document.doc_type}", next(self._visits))
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _handler_class(self):  # type: ignore[no-untyped-def]
        base = super()._handler_class()
        server = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                document = server._by_path.get(path)
                if document is None:
                    super().do_GET()
                    return
                server._serve_document(self, document)

        return Handler


def loopback_host(index: int) -> str:
    """The ``index``-th loopback address from 127.0.1.1 on (all of 127.0.0.0/8 is local on Linux)."""
    index += 1
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


@dataclass
class ServerSet:
    servers: list[LoopbackReplayServer]
    documents: list[RecordedDocument]

    def url(self, document: RecordedDocument) -> str:
        for server in self.servers:
            if document.path in server._by_path:
                return server.url(document.path)
        raise KeyError(document.path)

    def show(self, document: RecordedDocument, index: int) -> None:
        for server in self.servers:
            if document.path in server._by_path:
                server.show(document, index)

    def show_all(self, index: int | None) -> None:
        """Every document at version ``index`` (clamped), or at its last one when ``None``."""
        for document in self.documents:
            last = len(document.versions) - 1
            self.show(document, last if index is None else min(index, last))

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def write_declarations(self, directory: Path) -> Path:
        """Declarations like :meth:`ReplayServer.write_declarations`: ``select: main article``."""
        return write_declarations(self.documents, self.url, directory)

    def write_urlwatch_jobs(self, path: Path) -> Path:
        """urlwatch jobs with the same URLs and equivalent selection: ``css: main article``, then html2text.

        html2text method ``pyhtml2text``: the Python html2text module, Markdown like tosmonitor's.
        """
        jobs = [
            {
                "name": f"{d.service_id} / {d.doc_type}",
                "url": self.url(d),
                "filter": [{"css": "main article"}, {"html2text": {"method": "pyhtml2text"}}],
            }
            for d in self.documents
        ]
        # JSON is valid YAML: one document per job, no PyYAML needed in the project's venv.
        path.write_text("\n---\n".join(json.dumps(job) for job in jobs) + "\n", encoding="utf-8")
        return path


def start_servers(documents: Sequence[RecordedDocument], *, hosts: int | None = None) -> ServerSet:
    """One server per service on its own loopback address (or ``hosts`` servers, services round-robin)."""
    by_service: dict[str, list[RecordedDocument]] = {}
    for document in documents:
        by_service.setdefault(document.service_id, []).append(document)
    groups = list(by_service.values())
    if hosts is not None and hosts < len(groups):
        merged: list[list[RecordedDocument]] = [[] for _ in range(hosts)]
        for i, group in enumerate(groups):
            merged[i % hosts].extend(group)
        groups = merged
    servers = [
        LoopbackReplayServer(documents=list(group), host=loopback_host(i)).start() for i, group in enumerate(groups)
    ]
    for document in documents:  # warm the rendering cache: the servers' CPU is not what we measure
        for version in document.versions:
            rendered_body(version)
    return ServerSet(servers, list(documents))


def synthetic_documents(n: int, base: Sequence[RecordedDocument] | None = None) -> list[RecordedDocument]:
    """``n`` documents of services ``svc0000``.. cycling over the real recorded documents."""
    base = list(base or recorded_documents())
    return [
        RecordedDocument(f"svc{i:04d}", base[i % len(base)].doc_type, base[i % len(base)].versions) for i in range(n)
    ]


# ---------------------------------------------------------------- measuring child processes


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds of the child
    rss_mb: float  # peak resident set size of the child, MiB
    returncode: int
    stdout: str
    stderr: str


GNU_TIME = Path("/usr/bin/time")


def measure(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` to completion: wall time, CPU and peak RSS of that very process.

    Peak RSS comes from GNU ``/usr/bin/time -f %M`` when present: ``ru_maxrss`` of a child forked from
    this (large) bench process starts at the parent's RSS at fork time, so ``os.wait4`` alone
    over-reports small children; ``time`` is small, and its own child's figure is exact.
    """
    stem = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.monotonic_ns()}"
    rss_file = Path(f"{stem}.rss")
    wrapped = [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *cmd] if GNU_TIME.exists() else list(cmd)
    with open(f"{stem}.out", "w+") as out, open(f"{stem}.err", "w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    os.unlink(f"{stem}.out")
    os.unlink(f"{stem}.err")
    rss_kib = float(usage.ru_maxrss)
    if rss_file.exists():
        lines = [line for line in rss_file.read_text().split("\n") if line.strip()]
        rss_kib = float(lines[-1]) if lines and lines[-1].strip().isdigit() else rss_kib
        rss_file.unlink()
    return Run(wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024, process.returncode, stdout, stderr)


def tosmonitor_env(
    database_url: str, home: Path, declarations: Path, *, code: Path | None = None, **extra: str
) -> dict[str, str]:
    """The environment the tests' ``cli_env`` builds: no delay, 5 s timeout, no retries, no channels.

    ``code``: run the ``tosmonitor`` package found in that directory (a ``git worktree`` of an older
    commit, for before/after figures measured in one run) instead of the installed one.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOSMONITOR_")}
    if code is not None:
        env["PYTHONPATH"] = str(code.resolve())
    channels = home / "channels.toml"
    if not channels.exists():
        channels.write_text("# no channels in this benchmark\n", encoding="utf-8")
    env.update(
        TOSMONITOR_HOME=str(home),
        TOSMONITOR_DATABASE_URL=database_url,
        TOSMONITOR_DECLARATIONS=str(declarations),
        TOSMONITOR_CHANNELS=str(channels),
        TOSMONITOR_DOWNLOAD_DELAY="0",
        TOSMONITOR_DOWNLOAD_TIMEOUT="10",
        TOSMONITOR_RETRY_TIMES="0",
    )
    env.update(extra)
    return env


def add_baseline_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also run the tosmonitor in DIR (e.g. `git worktree add /tmp/before <commit>`), interleaved",
    )


def tosmonitor_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tosmonitor", *args]


def urlwatch_cmd(home: Path, jobs: Path) -> list[str]:
    """urlwatch from its own virtualenv (never the project's), with its files under ``home``."""
    config = home / "urlwatch.yaml"
    if not config.exists():
        # Only the stdout reporter, without colours; its output goes to a file we discard.
        config.write_text(
            "display: {new: true, error: true, unchanged: false}\n"
            "report:\n  text: {details: true, footer: false, line_length: 75, minimal: false}\n"
            "  stdout: {enabled: true, color: false}\n"
            "  html: {diff: unified}\n  markdown: {details: true, footer: false, minimal: false}\n"
            "  email: {enabled: false}\n",
            encoding="utf-8",
        )
    executable = URLWATCH_VENV / "bin" / "urlwatch"
    if not executable.exists():
        raise SystemExit(
            f"urlwatch not found at {executable}: python3 -m venv {URLWATCH_VENV} && "
            f"{URLWATCH_VENV}/bin/pip install urlwatch html2text cssselect lxml  (or set URLWATCH_VENV)"
        )
    return [str(executable), "--urls", str(jobs), "--config", str(config), "--cache", str(home / "cache.db")]


# ---------------------------------------------------------------- reporting


def summary(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """``median [min–max]`` of repeated measurements."""
    if not values:
        return "-"
    med = statistics.median(values)
    return f"{med:.{digits}f}{unit} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine_info() -> dict[str, str]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
    }
    try:
        import scrapy
        import sqlalchemy

        info["scrapy"] = scrapy.__version__
        info["sqlalchemy"] = sqlalchemy.__version__
    except ImportError:
        pass
    return info


def print_machine() -> None:
    print("# " + ", ".join(f"{k}={v}" for k, v in machine_info().items()))


def init_database(env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(tosmonitor_cmd("init"), env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"tosmonitor init failed: {done.stderr}")
