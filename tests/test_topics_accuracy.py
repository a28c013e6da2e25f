"""Accuracy floors of the tagger on the Finnish and Swedish labelled sets (regression guard, not a benchmark).

The floors sit a few points under what the rules reach today (bench/topics_eval.py prints the full
tables); a rule edit that loses more than that on any set fails here. The held-out halves of
fi_blind.jsonl and sv_blind.jsonl have their own floors: they are the estimates for unseen text
(tests/data/README.md).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tosmonitor.topics import tag

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _held_out(row: dict) -> bool:
    key = urlparse(row["url"]).netloc if row.get("url") else row["id"]
    return int(hashlib.md5(key.encode()).hexdigest(), 16) % 2 == 1


def _micro(rows: list[dict]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for row in rows:
        got, gold = set(tag(row["text"]).topics), set(row["labels"])
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


@pytest.mark.parametrize(
    ("name", "select", "floor"),
    [
        ("fi_labels.jsonl", None, 0.92),
        ("fi_blind.jsonl", None, 0.78),
        ("fi_blind.jsonl", _held_out, 0.72),
        ("fi_blind2.jsonl", None, 0.86),
        ("sv_blind.jsonl", None, 0.68),
        ("sv_blind.jsonl", _held_out, 0.58),
    ],
    ids=["fi_labels", "fi_blind", "fi_blind-held-out", "fi_blind2", "sv_blind", "sv_blind-held-out"],
)
def test_micro_f1_floor(name, select, floor):
    rows = [r for r in _rows(name) if select is None or select(r)]
    precision, recall, f1 = _micro(rows)
    assert f1 >= floor, f"{name}: micro P {precision:.3f} R {recall:.3f} F1 {f1:.3f} < {floor}"


def test_blind_sets_are_in_their_language_and_labelled_with_known_topics():
    from tosmonitor.topics import TOPICS

    for name, lang in (("fi_blind.jsonl", "fi"), ("fi_blind2.jsonl", "fi"), ("sv_blind.jsonl", "sv")):
        rows = _rows(name)
        assert len({r["id"] for r in rows}) == len(rows)
        assert all(set(r["labels"]) <= set(TOPICS) for r in rows)
        detected = sum(tag(r["text"]).lang == lang for r in rows)
        assert detected >= 0.97 * len(rows), (name, detected, len(rows))
