"""Evaluate the topic tagger on labelled JSON Lines and measure its speed.

Usage::

    python bench/topics_eval.py [LABELS.jsonl ...] [--show-errors TOPIC] [--lang auto|en|fi]
                                [--rules-only] [--reference]

Defaults: ``../shared/labels/dev.jsonl`` (when present), ``tests/data/fi_labels.jsonl`` (labelled by the
rules' author), ``tests/data/fi_blind.jsonl`` and ``tests/data/fi_blind2.jsonl`` (labelled blind to the rules;
see tests/data/README.md) and the Swedish ``tests/data/sv_blind.jsonl``; fi_blind and sv_blind are also
reported by half, development and held-out.
Each line needs ``text`` and ``labels``; optional ``lang`` (for the per-language table),
``source`` and ``negatives_reliable``. A row counts as a negative for a topic only where its
labels are reliable for that topic: ToS;DR rows (``negatives_reliable: false``) are positives
only, and CLAUDETTE rows are never negatives for content_licence / content_ownership (CLAUDETTE
did not annotate them). Runs the same function as ``tosmonitor classify`` (``--rules-only``: without
the topic model; ``--reference``: the unoptimised reference path ``tag(..., fast=False)``, same results,
for a before/after speed comparison). Note: the shipped model was trained on the claudette_multilingual rows of dev, so
its figures on those rows are resubstitution; honest figures come from
``python bench/train_topic_model.py --cv`` (nested group k-fold by company).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tosmonitor.topics import TOPICS, tag  # noqa: E402

CLAUDETTE_UNANNOTATED = {"content_licence", "content_ownership", "ai_training", "data_location"}
DEFAULTS = [
    ROOT.parent / "shared" / "labels" / "dev.jsonl",
    ROOT / "tests" / "data" / "fi_labels.jsonl",
    ROOT / "tests" / "data" / "fi_blind.jsonl",
    ROOT / "tests" / "data" / "fi_blind2.jsonl",
    ROOT / "tests" / "data" / "sv_blind.jsonl",
]


def reliable_negative(row: dict, topic: str) -> bool:
    if row.get("negatives_reliable") is False:
        return False
    return not (
        str(row.get("source", "")).startswith("claudette") and topic in CLAUDETTE_UNANNOTATED
    )


def blind_half(row: dict) -> str:
    """``"development"`` or ``"held-out"``: the split of fi_blind.jsonl / sv_blind.jsonl by source site.

    Rows of one site (a written row: its id) fall on the same side (md5 of the host, even =
    development). Rules were written reading only the development halves (and fi_blind2.jsonl); the
    held-out halves' sentences are not read while writing rules (tests/data/README.md).
    """
    key = urlparse(row["url"]).netloc if row.get("url") else row["id"]
    return "development" if int(hashlib.md5(key.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def evaluate(rows: list[dict], lang: str = "auto", model: bool = True, fast: bool = True):
    counts = defaultdict(lambda: [0, 0, 0])  # (group, topic) -> tp, fp, fn
    errors = defaultdict(list)
    # one-off work (model JSON, rule compilation, literal gates) is not tagging speed
    for warm_lang in ("en", "fi", "de", "und"):
        tag("warm up", warm_lang, model=model, fast=fast)
    start = time.perf_counter()
    predictions = [tag(r["text"], lang, model=model, fast=fast) for r in rows]
    elapsed = time.perf_counter() - start
    for row, pred in zip(rows, predictions, strict=True):
        gold = set(row.get("labels", []))
        got = set(pred.topics)
        groups = [row.get("lang", "?"), *([f"{row.get('lang', '?')} {row['half']}"] if "half" in row else [])]
        for topic in TOPICS:
            for key in (*((g, topic) for g in groups), ("all", topic)):
                if topic in gold and topic in got:
                    counts[key][0] += 1
                elif topic in got and reliable_negative(row, topic):
                    counts[key][1] += 1
                    if key[0] == "all":
                        errors[("fp", topic)].append((row, pred))
                elif topic in gold:
                    counts[key][2] += 1
                    if key[0] == "all":
                        errors[("fn", topic)].append((row, pred))
    return counts, errors, len(rows) / elapsed if elapsed else float("inf"), elapsed


def fmt(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if p + r else float("nan")
    return f"{tp + fn:5d} {tp:5d} {fp:5d} {fn:5d}  {p:6.3f} {r:6.3f} {f:6.3f}"


def report(name: str, counts, groups) -> None:
    print(f"\n## {name}")
    for group in groups:
        print(f"\n### lang={group}\n")
        print(
            f"{'topic':26s} {'gold':>5s} {'tp':>5s} {'fp':>5s} {'fn':>5s}  {'prec':>6s} {'rec':>6s} {'f1':>6s}"
        )
        for topic in TOPICS:
            tp, fp, fn = counts.get((group, topic), (0, 0, 0))
            if tp + fp + fn:
                print(f"{topic:26s} {fmt(tp, fp, fn)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--lang", default="auto")
    ap.add_argument("--show-errors", metavar="TOPIC", help="print false positives/negatives")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--rules-only", action="store_true", help="tag without the topic model")
    ap.add_argument("--reference", action="store_true", help="the unoptimised reference path (same results)")
    args = ap.parse_args(argv)
    files = args.files or [p for p in DEFAULTS if p.exists()]
    total_rows = 0
    total_time = 0.0
    for path in files:
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        if path.name in ("fi_blind.jsonl", "sv_blind.jsonl"):
            for row in rows:
                row["half"] = blind_half(row)
        counts, errors, rate, elapsed = evaluate(rows, args.lang, model=not args.rules_only, fast=not args.reference)
        total_rows += len(rows)
        total_time += elapsed
        groups = ["all", *sorted({g for g, _ in counts if g != "all"})]
        report(f"{path} ({len(rows)} sentences, {rate:,.0f} sentences/s)", counts, groups)
        if args.show_errors:
            for kind in ("fn", "fp"):
                items = errors.get((kind, args.show_errors), [])
                print(f"\n-- {kind} {args.show_errors}: {len(items)}")
                for row, pred in items[: args.limit]:
                    why = pred.matches.get(args.show_errors, [])
                    print(
                        f"  [{row.get('lang')}] {row['text'][:260]!r} labels={row.get('labels')} why={why[:3]}"
                    )
    if total_time:
        print(
            f"\nspeed: {total_rows} sentences in {total_time:.2f} s = {total_rows / total_time:,.0f} sentences/s (one core)"  # noqa: E501
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
