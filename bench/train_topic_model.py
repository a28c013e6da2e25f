"""Train the topic model (``tosmonitor/rules/model.json``) and measure it honestly.

Usage::

    python bench/train_topic_model.py [--labels ../shared/labels/dev.jsonl] [--cv] [--out PATH]

Needs scikit-learn (training only: ``pip install -e '.[train]'``); the shipped model is plain
JSON read by :mod:`tosmonitor.topic_model` without scikit-learn.

* Training rows: ONLY ``source == "claudette_multilingual"`` (CC BY 4.0, Galassi et al. 2024,
  nlp-unibo/Multilingual-Unfair-Clause-Detection), per language (en, de, it, pl; the rows' gold
  ``lang``, while the tagger routes by :func:`tosmonitor.langdetect.detect`, which uses the same
  codes). ``claudette_2019`` and ``tosdr_points`` rows (licence unclear) are never trained on;
  they are evaluated on.
* Model: per topic a logistic regression over TF-IDF (sublinear tf, l2) of word unigrams and
  bigrams (``MIN_DF`` per language), class_weight balanced, liblinear, fixed C — deterministic.
  Weights are written densely (one per kept feature, 0 below 0.01).
* Thresholds: ``confirm`` (a rule candidate is kept when p >= confirm) and ``recover`` (a topic no
  rule matched is added when p >= recover) are chosen on out-of-fold probabilities of the training
  rows (GroupKFold by company), maximising F1 of the combined decision.
* ``--cv``: nested evaluation. Outer GroupKFold by company over the whole dev set; for each outer
  fold the model and thresholds are built from the training companies only (thresholds from an
  inner GroupKFold) and the combined tagger is scored on the held-out companies' rows of every
  source. Prints P/R/F1 per topic and language for rules alone and rules + model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tosmonitor.langdetect import detect  # noqa: E402
from tosmonitor.topic_model import MODEL_PATH, TopicModel, features  # noqa: E402
from tosmonitor.topics import TOPICS, rule_matches  # noqa: E402

LANGS = ("en", "de", "it", "pl")
TRAIN_SOURCE = "claudette_multilingual"
# arbitration and privacy_included are left to the rules: with 15-40 positives from a handful of
# companies per language the model lowered their F1 in the nested CV (see docs/decisions/0002).
MODEL_TOPICS = (
    "jurisdiction",
    "governing_law",
    "unilateral_change",
    "unilateral_termination",
    "limitation_of_liability",
    "content_removal",
    "contract_by_using",
)
# the high-severity topics' targets ask more of recall (0.95) than of precision (0.85): their
# thresholds maximise F2 instead of F1
RECALL_FIRST = ("jurisdiction", "governing_law")
# per language, topics left to the rules: in the nested CV (docs/decisions/0002, Revision 3) the
# model scored below the rules alone for these on the whole dev set and on the it/pl held-out half
RULES_ONLY = {"it": ("unilateral_termination",), "pl": ("content_removal",)}
C = 4.0
MIN_DF = {"en": 2, "de": 2, "it": 2, "pl": 2}
N_FOLDS = 5
GRID = [round(0.02 * i, 2) for i in range(1, 50)]
CLAUDETTE_UNANNOTATED = {"content_licence", "content_ownership", "ai_training", "data_location"}


def analyzer(text: str) -> list[str]:
    return features(text.lower())


def group_of(row: dict) -> str:
    return str(row.get("group") or row.get("company") or row.get("document")).lower()


def fit_lang(rows: list[dict], lang: str, thresholds: dict[str, tuple[float, float]] | None = None) -> dict:
    """Fit one language's models on ``rows``; thresholds from inner group CV unless given."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [r["text"] for r in rows]
    import numpy as np

    vect = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=MIN_DF[lang], norm="l2", dtype=np.float64)
    x = vect.fit_transform(texts)
    feats = vect.get_feature_names_out().tolist()
    spec = {"features": feats, "idf": [round(float(v), 6) for v in vect.idf_], "topics": {}}
    if thresholds is None:
        thresholds = choose_thresholds(rows, lang)
    for topic in MODEL_TOPICS:
        if topic in RULES_ONLY.get(lang, ()):
            continue
        y = [topic in r.get("labels", []) for r in rows]
        if sum(y) < 3:
            continue
        clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000)
        clf.fit(x, y)
        coef = clf.coef_[0]
        weights = [round(float(w), 4) if abs(w) >= 0.01 else 0 for w in coef]
        confirm, recover = thresholds.get(topic, (0.5, 1.01))
        spec["topics"][topic] = {
            "intercept": round(float(clf.intercept_[0]), 6),
            "weights": weights,
            "confirm": confirm,
            "recover": recover,
        }
    # drop features no topic uses, re-index
    used = [i for i in range(len(feats)) if any(t["weights"][i] for t in spec["topics"].values())]
    spec["features"] = [feats[i] for i in used]
    spec["idf"] = [spec["idf"][i] for i in used]
    for t in spec["topics"].values():
        t["weights"] = [t["weights"][i] for i in used]
    return spec


def model_from(specs: dict[str, dict]) -> TopicModel:
    return TopicModel({"languages": specs})


def predict_probs(tm: TopicModel, rows: list[dict], lang: str) -> list[dict[str, float]]:
    return [tm.probabilities(r["text"].lower(), lang) for r in rows]


def best_thresholds(
    probs: list[dict[str, float]], rules: list[set[str]], golds: list[set[str]], topic: str
) -> tuple[float, float]:
    """Grid search of (confirm, recover) maximising F1 of: (rule and p >= c) or p >= r."""
    import numpy as np

    pv = np.array([p.get(topic, 0.0) for p in probs])
    ru = np.array([topic in r for r in rules])
    gold = np.array([topic in g for g in golds])
    best = (-1.0, 0.5, 1.01)
    for c in GRID:
        for r in [*[g for g in GRID if g >= c], 1.01]:
            pred = (ru & (pv >= c)) | (pv >= r)
            tp = int((pred & gold).sum())
            fp = int((pred & ~gold).sum())
            fn = int((gold & ~pred).sum())
            b2 = 4.0 if topic in RECALL_FIRST else 1.0
            f1 = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
            if f1 > best[0] + 1e-9:
                best = (f1, c, r)
    return best[1], best[2]


def choose_thresholds(rows: list[dict], lang: str) -> dict[str, tuple[float, float]]:
    from sklearn.model_selection import GroupKFold

    groups = [group_of(r) for r in rows]
    probs: list[dict[str, float]] = [{} for _ in rows]
    for tr, te in GroupKFold(n_splits=N_FOLDS).split(rows, groups=groups):
        spec = fit_lang([rows[i] for i in tr], lang, thresholds={})
        tm = model_from({lang: spec})
        for i, p in zip(te, predict_probs(tm, [rows[i] for i in te], lang), strict=True):
            probs[i] = p
    rules = [set(rule_matches(r["text"], lang)) for r in rows]
    golds = [set(r.get("labels", [])) for r in rows]
    return {t: best_thresholds(probs, rules, golds, t) for t in MODEL_TOPICS}


def train_rows(rows: list[dict], lang: str) -> list[dict]:
    return [r for r in rows if r.get("source") == TRAIN_SOURCE and r.get("lang") == lang]


def build(rows: list[dict]) -> dict:
    specs = {}
    for lang in LANGS:
        tr = train_rows(rows, lang)
        specs[lang] = fit_lang(tr, lang)
        print(f"{lang}: {len(tr)} training rows, {len(specs[lang]['features'])} features", file=sys.stderr)
    return {
        "version": 1,
        "note": (
            "Logistic regression per topic over TF-IDF word 1-2-grams, trained by bench/train_topic_model.py on "
            "the CLAUDETTE multilingual corpus (Galassi et al. 2024, nlp-unibo/Multilingual-Unfair-Clause-Detection "
            "@ 04d9878b, CC BY 4.0) — derived data, attribution required. Thresholds: confirm = probability a rule "
            "candidate needs; recover = probability for a tag without a rule match."
        ),
        "C": C,
        "min_df": MIN_DF,
        "languages": specs,
    }


# ---------------------------------------------------------------- evaluation


def reliable_negative(row: dict, topic: str) -> bool:
    if row.get("negatives_reliable") is False:
        return False
    return not (str(row.get("source", "")).startswith("claudette") and topic in CLAUDETTE_UNANNOTATED)


def count(counts, row: dict, got: set[str]) -> None:
    gold = set(row.get("labels", []))
    for topic in TOPICS:
        for key in ((row.get("lang", "?"), topic), ("all", topic)):
            c = counts[key]
            if topic in gold and topic in got:
                c[0] += 1
            elif topic in got and reliable_negative(row, topic):
                c[1] += 1
            elif topic in gold:
                c[2] += 1


def table(counts, title: str) -> None:
    print(f"\n### {title}\n")
    print("| lang | topic | gold | tp | fp | fn | P | R | F1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for lang in sorted({k[0] for k in counts}):
        for topic in TOPICS:
            tp, fp, fn = counts.get((lang, topic), (0, 0, 0))
            if not tp + fp + fn:
                continue
            p = tp / (tp + fp) if tp + fp else float("nan")
            r = tp / (tp + fn) if tp + fn else float("nan")
            f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            print(f"| {lang} | {topic} | {tp + fn} | {tp} | {fp} | {fn} | {p:.3f} | {r:.3f} | {f:.3f} |")


def cross_validate(rows: list[dict], score_groups: set[str] | None = None) -> None:
    """Nested CV; ``score_groups`` restricts the scored held-out rows to those companies."""
    from sklearn.model_selection import GroupKFold

    groups = [group_of(r) for r in rows]
    langs = [detect(r["text"]) for r in rows]
    rules = [rule_matches(r["text"], lg) for r, lg in zip(rows, langs, strict=True)]
    rule_counts: dict = defaultdict(lambda: [0, 0, 0])
    comb_counts: dict = defaultdict(lambda: [0, 0, 0])
    for fold, (tr, te) in enumerate(GroupKFold(n_splits=N_FOLDS).split(rows, groups=groups)):
        train = [rows[i] for i in tr]
        specs = {lang: fit_lang(train_rows(train, lang), lang) for lang in LANGS}
        tm = model_from(specs)
        held = sorted({groups[i] for i in te})
        print(f"fold {fold}: held-out companies {', '.join(held)}", file=sys.stderr)
        for i in te:
            if score_groups and groups[i] not in score_groups:
                continue
            row, lg, ru = rows[i], langs[i], rules[i]
            count(rule_counts, row, set(ru))
            got = set(ru)
            if lg in tm.langs:
                probs = tm.probabilities(row["text"].lower(), lg)
                for topic, p in probs.items():
                    confirm, recover = tm.thresholds(topic, lg)
                    if topic in got and p < confirm:
                        got.discard(topic)
                    elif topic not in got and p >= recover:
                        got.add(topic)
            count(comb_counts, row, got)
    table(rule_counts, "rules alone (same held-out rows)")
    table(comb_counts, f"rules + model, nested {N_FOLDS}-fold GroupKFold by company")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", type=Path, default=ROOT.parent / "shared" / "labels" / "dev.jsonl")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--cv", action="store_true", help="nested group cross-validation instead of training")
    ap.add_argument(
        "--score-groups",
        default="",
        help="with --cv: score only the held-out rows of these companies (comma-separated; training unchanged)",
    )
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.labels.open(encoding="utf-8") if line.strip()]
    if args.cv:
        cross_validate(rows, {g.strip().lower() for g in args.score_groups.split(",") if g.strip()})
        return 0
    data = build(rows)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
