"""Time ``diff_texts`` on the largest real version pairs, with each word-diff backend.

Usage (from the repository root, venv active)::

    python bench/diff_speed.py [CORPUS] [--repeat N]

CORPUS defaults to ``../shared/corpus`` relative to the repository root. Picks the largest
consecutive version pair (by combined size) over all services and documents, plus TikTok's
Community Guidelines 2024-06-29 -> 2024-07-10 and Facebook's Privacy Policy 2025-05-28 ->
2025-06-16 (heaviest word diffs) when present, and prints the best of N runs in ms for each
backend side by side, checking that both give identical results. The "split+align" column is the
part common to both backends.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from tosmonitor import diffing
from tosmonitor.clauses import align, split_clauses

REPO = Path(__file__).resolve().parent.parent
TIKTOK = ("TikTok", "Community Guidelines", "2024-06-29T18-15-21Z.md", "2024-07-10T06-16-09Z.md")
# Not asked for, but the heaviest word-diff load in the corpus (long, much-edited table rows).
FACEBOOK = ("Facebook", "Privacy Policy", "2025-05-28T00-30-56Z.md", "2025-06-16T12-31-49Z.md")


def _pairs(corpus: Path) -> list[tuple[str, Path, Path]]:
    """The largest consecutive version pair, and the TikTok pair if present."""
    versions = corpus / "versions"
    best: tuple[int, Path, Path] | None = None
    for document in sorted(p for p in versions.glob("*/*") if p.is_dir()):
        files = sorted(document.glob("*.md"))
        for old, new in pairwise(files):
            size = old.stat().st_size + new.stat().st_size
            if best is None or size > best[0]:
                best = (size, old, new)
    pairs = []
    if best is not None:
        pairs.append(("largest pair", best[1], best[2]))
    for label, (service, document, old_name, new_name) in (
        ("TikTok CG 06-29 -> 07-10", TIKTOK),
        ("Facebook PP 25-05 -> 25-06", FACEBOOK),
    ):
        named = (versions / service / document / old_name, versions / service / document / new_name)
        if all(p.exists() for p in named) and (best is None or named != best[1:]):
            pairs.append((label, *named))
    return pairs


def _best_ms(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    backends: dict[str, Callable[[str, str], list[diffing.Op]]] = {
        "diff-match-patch": diffing._diff_encoded_dmp,
        "fast-diff-match-patch": diffing._diff_encoded_fast,
    }
    shipped = diffing._diff_encoded

    pairs = _pairs(args.corpus)
    if not pairs:
        raise SystemExit(f"no versions under {args.corpus / 'versions'}")
    header = f"{'pair':<26} {'KB':>5} {'clauses':>11} {'split+align':>11}"
    print(header + "".join(f" {name:>22}" for name in backends) + "  identical  changes")
    for label, old_path, new_path in pairs:
        old, new = old_path.read_text(encoding="utf-8"), new_path.read_text(encoding="utf-8")
        old_clauses, new_clauses = split_clauses(old), split_clauses(new)
        base_ms = _best_ms(
            lambda o=old, n=new: align(split_clauses(o), split_clauses(n)), args.repeat
        )
        figures, results = [], []
        for core in backends.values():
            diffing._diff_encoded = core
            try:
                figures.append(_best_ms(lambda o=old, n=new: diffing.diff_texts(o, n), args.repeat))
                results.append(diffing.render_json(diffing.diff_texts(old, new)))
            finally:
                diffing._diff_encoded = shipped
        identical = all(result == results[0] for result in results)
        stats = diffing.change_stats(diffing.diff_texts(old, new))
        size_kb = (len(old.encode()) + len(new.encode())) // 1024
        clauses = f"{len(old_clauses)}/{len(new_clauses)}"
        print(
            f"{label:<26} {size_kb:>5} {clauses:>11} {base_ms:>9.1f}ms"
            + "".join(f" {ms:>20.1f}ms" for ms in figures)
            + f"  {'yes' if identical else 'NO':>9}  "
            + " ".join(f"{kind}={count}" for kind, count in stats.items())
        )
        print(f"  {old_path.relative_to(args.corpus)} -> {new_path.name}")


if __name__ == "__main__":
    main()
