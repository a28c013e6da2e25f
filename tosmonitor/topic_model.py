"""A small linear model per topic and language that confirms, vetoes or recovers rule candidates.

The weights are plain data (``tosmonitor/rules/model.json``), rebuilt deterministically by
``bench/train_topic_model.py`` from the CC BY 4.0 rows of the CLAUDETTE multilingual corpus. The
model is logistic regression over TF-IDF of word unigrams and bigrams; inference here is numpy
only (no scikit-learn): features -> sublinear tf x idf -> l2 norm -> dot -> sigmoid.

The rules stay the explanation layer: :func:`tosmonitor.topics.tag` reports the rule spans; for a
topic the model recovers without a rule match, the explanation is the spans of the n-grams that
pushed the score up most (:meth:`TopicModel.evidence`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).resolve().parent / "rules" / "model.json"

# words of 1+ letters/digits; apostrophes inside words kept ("don't"); lower-cased input
_TOKEN = re.compile(r"\w+(?:'\w+)?")


def tokens(lowered: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(lowered))


def features(lowered: str) -> list[str]:
    """Word unigrams and bigrams of lower-cased text (the training analyzer, too)."""
    words = _TOKEN.findall(lowered)
    out = list(words)
    out.extend(f"{a} {b}" for a, b in pairwise(words))
    return out


class TopicModel:
    """Per-language linear models loaded from the JSON written by the training script."""

    def __init__(self, data: dict[str, Any]):
        import numpy as np

        self.meta = {k: v for k, v in data.items() if k != "languages"}
        self.langs: dict[str, dict[str, Any]] = {}
        for lang, spec in data["languages"].items():
            names = tuple(spec["topics"])
            weights = np.zeros((len(spec["features"]), len(names)))
            for k, t in enumerate(spec["topics"].values()):
                if isinstance(t["weights"], dict):  # sparse {"feature index": weight}
                    for i, w in t["weights"].items():
                        weights[int(i), k] = w
                else:  # dense: one weight per feature, 0 where unused
                    weights[:, k] = t["weights"]
            self.langs[lang] = {
                "vocab": {f: i for i, f in enumerate(spec["features"])},
                "idf": np.asarray(spec["idf"], dtype=float),
                "weights": weights,
                "intercepts": np.asarray([t["intercept"] for t in spec["topics"].values()]),
                "names": names,
                "thresholds": {n: (t["confirm"], t["recover"]) for n, t in spec["topics"].items()},
                "topic_weights": {
                    n: {i: w for i, w in enumerate(weights[:, k].tolist()) if w} for k, n in enumerate(names)
                },
            }
            self.langs[lang]["prior"] = self._probabilities(self.langs[lang], {})

    def topics(self, lang: str) -> tuple[str, ...]:
        spec = self.langs.get(lang)
        return spec["names"] if spec else ()

    def probabilities(self, lowered: str, lang: str) -> dict[str, float]:
        """Probability per topic of lower-cased text: TF-IDF (sublinear tf, l2) . weights + intercept.

        The same arithmetic, in the same order, as :meth:`probabilities_reference`; only the
        feature counting is done in C (``map``/``Counter``), a text without a known n-gram reuses
        the intercept-only probabilities, and the logarithm is skipped when every count is 1.
        """
        spec = self.langs[lang]
        words = _TOKEN.findall(lowered)
        # in-vocabulary feature indices counted in first-occurrence order (unigrams, then bigrams)
        counts = Counter(map(spec["vocab"].get, [*words, *map(" ".join, pairwise(words))]))
        counts.pop(None, None)
        if not counts:
            return dict(spec["prior"])
        return self._probabilities(spec, counts)

    def probabilities_reference(self, lowered: str, lang: str) -> dict[str, float]:
        """The plain implementation of :meth:`probabilities` (the tests compare the two)."""
        spec = self.langs[lang]
        vocab = spec["vocab"]
        counts: dict[int, int] = {}
        for f in features(lowered):
            i = vocab.get(f)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        return self._probabilities(spec, counts, plain=True)

    @staticmethod
    def _probabilities(spec: dict[str, Any], counts: dict[int, int], plain: bool = False) -> dict[str, float]:
        import numpy as np

        z = spec["intercepts"]
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            if not plain and max(counts.values()) == 1:
                # every sublinear tf is 1.0 + log(1) == 1.0 exactly: the product is idf itself
                vals = spec["idf"][idx]
            else:
                tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
                vals = (1.0 + np.log(tf)) * spec["idf"][idx]
            vals /= np.sqrt(vals @ vals)
            z = z + vals @ spec["weights"][idx]
        probs = 1.0 / (1.0 + np.exp(-z))
        return dict(zip(spec["names"], probs.tolist(), strict=True))

    def thresholds(self, topic: str, lang: str) -> tuple[float, float]:
        """``(confirm, recover)``: the probability a rule candidate needs to be kept, and the one
        a sentence without a rule match needs to be tagged by the model alone."""
        return self.langs[lang]["thresholds"][topic]

    def evidence(self, text: str, lowered: str, lang: str, topic: str, limit: int = 3) -> list[tuple[int, int, str]]:
        """Spans of the (at most ``limit``) n-grams of ``text`` with the largest positive weight."""
        spec = self.langs[lang]
        vocab = spec["vocab"]
        weights = spec["topic_weights"][topic]
        toks = tokens(lowered)
        cands: list[tuple[float, int, int]] = []
        for k, m in enumerate(toks):
            grams = [(m.group(), m.start(), m.end())]
            if k + 1 < len(toks):
                n = toks[k + 1]
                grams.append((f"{m.group()} {n.group()}", m.start(), n.end()))
            for gram, s, e in grams:
                i = vocab.get(gram)
                w = weights.get(i) if i is not None else None
                if w is not None and w > 0:
                    cands.append((w, s, e))
        cands.sort(key=lambda c: -c[0])
        spans: list[tuple[int, int, str]] = []
        for _, s, e in cands:
            if any(s < e2 and s2 < e for s2, e2, _ in spans):
                continue
            spans.append((s, e, text[s:e]))
            if len(spans) >= limit:
                break
        return sorted(spans)


@cache
def load(path: Path = MODEL_PATH) -> TopicModel | None:
    """The shipped model, or ``None`` when the file is absent (rules only)."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return TopicModel(json.load(fh))
