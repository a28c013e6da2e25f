"""Time the web UI's heaviest pages on a service with many versions: lookup, history, change.

Usage (from the repository root, venv active)::

    python bench/web.py [--versions 72] [--requests 100] [--db sqlite|URL]

Builds a fresh SQLite database (or uses the PostgreSQL URL given) with YouTube's Terms of Service:
its 24 recorded real versions, cycled with a revision line appended until ``--versions`` versions
exist (each step a real-sized change with real clause diffs, built by the recorder's own
``add_version``, reviews opened as the recorder does). Then requests each page through Flask's test
client (in-process, no network) pinned to one CPU core, and prints p50 / p95 / max in ms. The first
request of each page (template compilation, topic tagging cache) is reported separately as "cold".
Target: p95 <= 100 ms for each page.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select


def build(url: str, versions: int, tmp: Path) -> None:
    from tosmonitor.recording import add_version
    from tosmonitor.reviews import open_reviews_for_change
    from tosmonitor.store import make_engine, repository, transaction, upgrade
    from tosmonitor.web import sample
    from tosmonitor.web.auth import add_user

    engine = make_engine(url)
    upgrade(engine)
    documents = [d for d in sample.choose(["youtube"]) if d.doc_type == "Terms of Service"]
    sample.declare(engine, documents, tmp / "declarations")
    sample.set_channel(engine, "youtube", "in use", "Viestintä", ["Maija Esimerkki", "Matti Meikäläinen"])
    real = [(p.read_text(encoding="utf-8"), sample.recorded_time(p)) for p in documents[0].versions]
    added = 0
    cycle = 0
    while added < versions:
        for text, when in real:
            if added >= versions:
                break
            if cycle:
                text += f"\n\nRevision {cycle} of this benchmark.\n"
                when = when.replace(year=when.year + 10 * cycle)
            with transaction(engine) as session:
                document = repository.find_document(session, "youtube", "Terms of Service")
                version = add_version(session, document, text, when, snapshot_ids=[], source="bench")
                change = repository.change_into(session, version.id)
                if change is not None:
                    open_reviews_for_change(session, change)
            added += 1
        cycle += 1
    with transaction(engine) as session:
        add_user(session, "bench", "legal", "bench-password")
    engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=72)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    tmp = Path(tempfile.mkdtemp(prefix="tosmonitor-bench-web-"))
    url = f"sqlite:///{tmp / 'bench.db'}" if args.db == "sqlite" else args.db
    started = time.perf_counter()
    build(url, args.versions, tmp)
    print(f"built {args.versions} versions in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")

    from tosmonitor.store import make_engine
    from tosmonitor.store.db import session_factory
    from tosmonitor.store.models import Change, ChangeClause, Document, Review
    from tosmonitor.web import create_app

    engine = make_engine(url)
    with session_factory(engine)() as session:
        document = session.scalar(select(Document).where(Document.service_id == "youtube"))
        latest = session.scalar(select(Change).where(Change.document_id == document.id)
                                .order_by(Change.id.desc()).limit(1))
        heaviest_id = session.scalar(select(ChangeClause.change_id).group_by(ChangeClause.change_id)
                                     .order_by(func.count().desc()).limit(1))
        heaviest_clauses = session.scalar(select(func.count()).where(ChangeClause.change_id == heaviest_id))
        reviews = session.scalar(select(func.count()).select_from(Review))
    engine.dispose()
    print(f"{reviews} reviews; heaviest change #{heaviest_id} has {heaviest_clauses} changed clauses")

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40, "TESTING": True})
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    login = {"name": "bench", "password": "bench-password", "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    pages = {
        "lookup": "/lookup/youtube",
        "history": f"/documents/{document.id}",
        "change (latest)": f"/changes/{latest.id}",
        "change (heaviest)": f"/changes/{heaviest_id}",
        "review queue": "/reviews",
        "api lookup": "/api/services/youtube/lookup",
    }
    print(f"{'page':<20} {'cold':>8} {'p50':>8} {'p95':>8} {'max':>8}  (ms, {args.requests} requests, one core)")
    for name, path in pages.items():
        start = time.perf_counter()
        response = client.get(path)
        cold = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name:<20} {cold:8.1f} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} "
              f"{max(times):8.1f}  {len(response.data) // 1024} KiB")


if __name__ == "__main__":
    main()
