"""Storage per version: tosmonitor's SQLite database vs a ``git gc --aggressive``'ed repository of the same history.

Usage (repository root, project venv active, ``git`` on PATH)::

    python bench/storage_vs_git.py [--document wikipedia/Terms of Service] [--all] [--corpus] [--versions N]

The history is replayed through the pipeline (``bench/replay_throughput.py``'s ``Pipeline``: extract,
snapshot, version, change, check), and, side by side in the same run, committed to two git
repositories, one commit per version, then ``git gc --aggressive --prune=now``:

* ``git (versions)``: the extracted Markdown text only (what Open Terms Archive's versions repository holds);
* ``git (versions+snapshots)``: the Markdown and the fetched HTML page (OTA's two repositories together),
  which is what tosmonitor's database also holds (zlib'd snapshots + versions + clause changes + checks).

Figures: bytes per version (total / versions, the empty database's schema subtracted), the database's
growth per added version (least-squares slope of the file size, WAL checkpointed, after every version),
the database after ``VACUUM``, and the bytes per table (SQLite ``dbstat``).  ``--versions N`` synthesises an
N-version history by ping-ponging over the real versions (0..29, 28..0, 1..) with a unique "Revision k"
sentence added to the last paragraph, so every version is distinct and every pair a real consecutive pair.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_machine
from bench.replay_throughput import Feed, Pipeline, corpus_documents, feeds
from tosmonitor.replay import PAGE_TEMPLATE, RecordedDocument, recorded_documents


def ping_pong(n: int, length: int) -> list[int]:
    """Indices 0..length-1, back to 0, up again.. (``n`` of them): consecutive indices stay neighbours."""
    if length == 1:
        return [0] * n
    cycle = list(range(length)) + list(range(length - 2, 0, -1))
    return [cycle[i % len(cycle)] for i in range(n)]


def synthetic_feed(document: RecordedDocument, n: int) -> Feed:
    """``n`` distinct versions from the real ones: ping-pong order, plus a unique revision sentence."""
    import html

    import markdown

    bodies = [
        markdown.markdown(v.read_text(encoding="utf-8"), extensions=["tables", "sane_lists"]) for v in document.versions
    ]
    pages = []
    for k, index in enumerate(ping_pong(n, len(bodies))):
        body = bodies[index] + f"\n<p>Revision {k + 1} of these terms was published as number {k + 1}.</p>"
        pages.append(
            PAGE_TEMPLATE.format(
                title=html.escape(document.service_id),
                body=body,
                now=f"2020-01-01T00:00:{k % 60:02d}",
                visit=k + 1,
                token=f"{(k + 1) * 7919 % 100003:06d}",
            ).encode()
        )
    return Feed(document, pages)


def _checkpoint_size(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db_path.stat().st_size


def _table_bytes(db_path: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(db_path) as db:
            rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {name: size for name, size in rows}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def git_repository(directory: Path, history: Sequence[tuple[str, str, bytes]], *, snapshots: bool) -> int:
    """Bytes of ``.git`` after committing each (path, text, html) and ``git gc --aggressive``."""
    directory.mkdir(parents=True)
    _git(directory, "init", "-q")
    _git(directory, "config", "user.email", "bench@example.org")
    _git(directory, "config", "user.name", "bench")
    _git(directory, "config", "gc.auto", "0")
    for i, (name, text, page) in enumerate(history):
        target = directory / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        _git(directory, "add", target.name if target.parent == directory else str(target.relative_to(directory)))
        if snapshots:
            html_file = directory / f"{name}.html"
            html_file.write_bytes(page)
            _git(directory, "add", str(html_file.relative_to(directory)))
        _git(directory, "commit", "-q", "-m", f"version {i + 1}")
    _git(directory, "gc", "-q", "--aggressive", "--prune=now")
    return _dir_bytes(directory / ".git")


def _line_delta(old: str, new: str) -> bytes:
    """A line-level delta of ``new`` against ``old`` (copy ranges + inserted lines), zlib'd: what a
    delta-coded version column would store."""
    import difflib
    import json
    import zlib

    a, b = old.splitlines(True), new.splitlines(True)
    ops: list[object] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        ops.append([i1, i2] if tag == "equal" else b[j1:j2])
    return zlib.compress(json.dumps(ops).encode(), 9)


def what_if(history: Sequence[tuple[str, str, bytes]]) -> list[tuple[str, int]]:
    """Estimated bytes of the version texts and pages stored zlib'd, or delta-coded against the previous one."""
    import zlib

    previous: dict[str, tuple[str, str]] = {}
    texts_zlib = texts_delta = pages_delta = 0
    for name, text, page in history:
        html_text = page.decode("utf-8", "replace")
        texts_zlib += len(zlib.compress(text.encode(), 6))
        if name in previous:
            texts_delta += len(_line_delta(previous[name][0], text))
            pages_delta += len(_line_delta(previous[name][1], html_text))
        else:
            texts_delta += len(zlib.compress(text.encode(), 9))
            pages_delta += len(zlib.compress(page, 9))
        previous[name] = (text, html_text)
    return [
        ("what-if: version texts zlib'd", texts_zlib),
        ("what-if: version texts line-delta+zlib", texts_delta),
        ("what-if: texts+pages line-delta+zlib", texts_delta + pages_delta),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--document", default="wikipedia/Terms of Service")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--corpus", action="store_true")
    parser.add_argument("--versions", type=int, default=0, help="synthesise a history of N versions of --document")
    args = parser.parse_args()

    if args.corpus:
        all_feeds = feeds(corpus_documents())
    elif args.all:
        all_feeds = feeds(recorded_documents())
    else:
        documents = [d for d in recorded_documents() if f"{d.service_id}/{d.doc_type}" == args.document]
        if not documents:
            raise SystemExit(f"no recorded document {args.document!r}")
        all_feeds = [synthetic_feed(documents[0], args.versions)] if args.versions else feeds(documents)
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        base = Path(tmp)
        pipeline = Pipeline(base / "db", [f.document for f in all_feeds])
        empty = _checkpoint_size(pipeline.db_path)
        sizes: list[int] = []
        history: list[tuple[str, str, bytes]] = []
        for feed in all_feeds:
            name = f"{feed.document.service_id}/{feed.document.doc_type}"
            for page in feed.pages:
                if pipeline.record(feed.document, page) == "new_version":
                    with sqlite3.connect(pipeline.db_path) as db:
                        stored = db.execute("SELECT text FROM version ORDER BY id DESC LIMIT 1").fetchone()[0]
                    text = zlib.decompress(stored).decode("utf-8")  # stored zlib'd since migration 0003
                    history.append((name, text, page))
                sizes.append(_checkpoint_size(pipeline.db_path))
        pipeline.close()
        n = len(history)
        tables = _table_bytes(pipeline.db_path)
        db_final = sizes[-1]
        with sqlite3.connect(pipeline.db_path) as db:
            db.execute("VACUUM")
        vacuumed = pipeline.db_path.stat().st_size
        text_bytes = sum(len(t.encode()) for _, t, _ in history)
        html_bytes = sum(len(p) for _, _, p in history)
        git_text = git_repository(base / "git-versions", history, snapshots=False)
        git_both = git_repository(base / "git-both", history, snapshots=True)

    xs = list(range(1, len(sizes) + 1))
    mean_x, mean_y = sum(xs) / len(xs), sum(sizes) / len(sizes)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, sizes, strict=True)) / max(
        1, sum((x - mean_x) ** 2 for x in xs)
    )
    print(
        f"# {len(all_feeds)} document(s), {n} versions; raw Markdown {text_bytes / n:,.0f} B/version, "
        f"raw HTML page {html_bytes / n:,.0f} B/version; empty database (schema) {empty:,} B"
    )
    print(f"{'store':<40} {'total bytes':>14} {'bytes/version':>14}")
    rows = [
        ("tosmonitor SQLite (as written)", db_final - empty),
        ("tosmonitor SQLite after VACUUM", vacuumed - empty),
        ("git (versions) gc --aggressive", git_text),
        ("git (versions+snapshots) gc --aggr.", git_both),
    ]
    rows += what_if(history)
    for label, total in rows:
        print(f"{label:<40} {total:>14,} {total / n:>14,.0f}")
    print(f"SQLite file growth per version (least-squares slope): {slope:,.0f} B")
    if tables:
        print(
            "SQLite bytes per table/index (dbstat, before VACUUM): "
            + ", ".join(f"{k} {v:,}" for k, v in list(tables.items())[:8])
        )
    print(
        f"tosmonitor/git(versions+snapshots): {(vacuumed - empty) / git_both:.2f}x, "
        f"tosmonitor/git(versions): {(vacuumed - empty) / git_text:.2f}x  (target <= 1x)"
    )


if __name__ == "__main__":
    main()
