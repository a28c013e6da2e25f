"""Effective and last-updated dates, on real sentences from the recorded versions (and Finnish wording)."""

from __future__ import annotations

from datetime import date

import pytest

from tosmonitor.dates import extract_dates, not_yet_in_force
from tosmonitor.resources import data_dir

CASES = [
    # real sentences, copied from data/recorded versions
    ("**Effective:**\xa0May 18, 2023\n\n[Archive of Previous Terms]", date(2023, 5, 18), None),
    ("Effective July 1, 2026. Last Revised May 26, 2026", date(2026, 7, 1), date(2026, 5, 26)),
    ("Effective 5 January 2022 | [Archived versions](https://policies.google.com/terms/archive)",
     date(2022, 1, 5), None),
    ("Effective Date: 1 January 2025", date(2025, 1, 1), None),
    ("[Effective on November 3, 2025](https://www.linkedin.com/help/linkedin/answer/a1341216)", date(2025, 11, 3),
     None),
    ("#### Effective as of January 5, 2022 ([view previous version](https://www.youtube.com/t/terms?archive=20210601))",
     date(2022, 1, 5), None),
    ("*   _Last Updated: April 10, 2026_", None, date(2026, 4, 10)),
    ("**These Terms of Use went into effect on June 7, 2023. Previous versions of the terms:**", date(2023, 6, 7),
     None),
    ("This version of the Terms of Service will go into effect on January 15, 2026. Until then, the current terms",
     date(2026, 1, 15), None),
    ("**_We're updating our Terms of Service. The updates go into effect on 5 July 2023. Read new terms",
     date(2023, 7, 5), None),
    # other versions' dates are not this version's
    ("[Terms of Use (2012)](https://foundation.wikimedia.org/w/index.php?oldid=82013): effective from May 24, 2012, "
     "until June 16, 2014**", None, None),
    ("Effective until January 15, 2026", None, None),
    ("If you do not agree, the rest of the Terms will remain in effect.", None, None),
    # Finnish wording (Finnish services' terms; none are in data/recorded)
    ("Päivitetty 1.2.2024", None, date(2024, 2, 1)),
    ("Käyttöehdot ovat voimassa 1.1.2025 alkaen.", date(2025, 1, 1), None),
    ("Nämä ehdot tulevat voimaan 15.3.2025.", date(2025, 3, 15), None),
    ("Viimeksi päivitetty 12. helmikuuta 2024", None, date(2024, 2, 12)),
    ("Ehdot ovat voimassa 1. toukokuuta 2024 alkaen, muutettu viimeksi 3.4.2024", date(2024, 5, 1),
     date(2024, 4, 3)),
    # cues in capitals; a character that lower-cases to two ("İ") before them must not shift the windows
    ("LAST UPDATED: MARCH 3, 2025. EFFECTIVE DATE: APRIL 1, 2025", date(2025, 4, 1), date(2025, 3, 3)),
    ("İİİİ İstanbul " * 20 + "Effective: May 18, 2023", date(2023, 5, 18), None),
]


@pytest.mark.parametrize(("text", "effective", "updated"), CASES)
def test_sentences(text: str, effective: date | None, updated: date | None) -> None:
    assert extract_dates(text) == (effective, updated)


def recorded(pattern: str) -> str:
    return next((data_dir() / "recorded").glob(pattern)).read_text(encoding="utf-8")


def test_whole_real_versions() -> None:
    # Reddit states both; X announces the coming terms above the ones in force: the latest date wins
    assert extract_dates(recorded("reddit/Terms of Service/2026-07-02*.md")) == (date(2026, 7, 1), date(2026, 5, 26))
    assert extract_dates(recorded("twitter/Terms of Service/2025-12-17*.md"))[0] == date(2026, 1, 15)
    # Wikipedia lists archived versions "effective from … until …": only its own date counts
    assert extract_dates(recorded("wikipedia/Terms of Service/2026-07-17*.md"))[0] == date(2023, 6, 7)
    assert extract_dates(recorded("wordpress/Terms of Service/2026-04-11*.md")) == (None, date(2026, 4, 10))


def test_every_recorded_version_gives_plausible_dates() -> None:
    for path in (data_dir() / "recorded").glob("*/*/*.md"):
        observed = date.fromisoformat(path.stem[:10])
        effective, updated = extract_dates(path.read_text(encoding="utf-8"))
        if updated is not None:
            assert updated <= observed, path
        if effective is not None:  # announced at most a few months ahead
            assert (effective - observed).days < 200, path


def test_not_yet_in_force() -> None:
    assert not_yet_in_force("2026-01-15", today=date(2025, 12, 17))
    assert not not_yet_in_force(date(2026, 1, 15), today=date(2026, 1, 15))
    assert not not_yet_in_force(None)


def test_module_doc_examples_parse() -> None:
    import tosmonitor.dates as module

    assert "Voimassa 1.1.2025 alkaen" in (module.__doc__ or "")
    assert extract_dates("Voimassa 1.1.2025 alkaen") == (date(2025, 1, 1), None)


def test_cue_windows_find_exactly_what_a_full_scan_finds() -> None:
    """The speed-up (patterns tried only around lower-case literal cues) changes no result on any recorded
    version nor on the example sentences above."""
    from tosmonitor import dates
    from tosmonitor.resources import data_dir

    texts = [path.read_text(encoding="utf-8") for path in sorted((data_dir() / "recorded").rglob("*.md"))]
    for text in texts + [case[0] for case in CASES]:
        lowered = dates._lowered(text)
        assert len(lowered) == len(text)
        for pattern in (dates._EFFECTIVE, dates._EFFECTIVE_FI_AFTER, dates._UPDATED):
            full = [(m.start(), m.group()) for m in pattern.finditer(text)]
            windowed = [(m.start(), m.group()) for m in dates._candidate_matches(pattern, text, lowered)]
            assert windowed == full, (text[:60], pattern.pattern[:40])
