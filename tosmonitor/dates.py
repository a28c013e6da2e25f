"""Effective and last-updated dates announced in a terms text, in English and Finnish wording.

``extract_dates(text)`` returns ``(effective, updated)``, each a :class:`datetime.date` or ``None``:

- effective: "Effective: May 18, 2023", "Effective Date: 1 January 2025", "Effective as of January 5, 2022",
  "[Effective on November 3, 2025](…)", "These terms take effect on …", "… come into force on …",
  "Voimassa 1.1.2025 alkaen", "Nämä ehdot tulevat voimaan 1.3.2025", "Voimaantulopäivä: …";
- updated: "Last updated: July 5, 2022", "Last Revised May 26, 2026", "Last modified …",
  "Päivitetty 1.2.2024", "Viimeksi päivitetty 12. helmikuuta 2024", "Muutettu viimeksi …".

Dates of other versions are ignored: "effective from May 24, 2012 until June 16, 2014" (an archived
version) and "Effective until January 15, 2026" (the version being replaced).  When a page announces
several effective dates (the terms in force and the coming ones), the latest is returned, so a date in
the future means an announced change not yet in force (see :func:`not_yet_in_force`).
"""

from __future__ import annotations

import re
from datetime import date

MONTHS_EN = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
MONTHS_FI = {
    "tammikuuta": 1, "helmikuuta": 2, "maaliskuuta": 3, "huhtikuuta": 4, "toukokuuta": 5, "kesäkuuta": 6,
    "heinäkuuta": 7, "elokuuta": 8, "syyskuuta": 9, "lokakuuta": 10, "marraskuuta": 11, "joulukuuta": 12,
}
_EN = "|".join(sorted(MONTHS_EN, key=len, reverse=True))
_FI = "|".join(MONTHS_FI)

# One date, in any of the written forms; named groups tell which.
DATE = (
    rf"(?:(?P<m1>{_EN})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"  # May 18, 2023
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<m2>{_EN}|{_FI})\.?,?\s+(?P<y2>\d{{4}})"  # 1 January 2025
    r"|(?P<d3>\d{1,2})\.\s?(?P<m3>\d{1,2})\.\s?(?P<y3>\d{4})"  # 1.2.2024
    r"|(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2})"  # 2024-02-01
    r"|(?P<m5>\d{1,2})/(?P<d5>\d{1,2})/(?P<y5>\d{4}))"  # 05/18/2023 (US)
)
# Markdown decoration and small words allowed between a cue and its date.
_GAP = r"[\s*_\[\]():|-]*"

EFFECTIVE_CUES = [
    r"(?<![^\W_])effective(?:\s+date)?(?:\s+(?:as\s+of|on|from|starting))?",
    r"(?<![^\W_])(?:take|takes|took|taking)\s+effect(?:\s+(?:on|as\s+of|from))?",
    r"(?<![^\W_])(?:come|comes|came|go|goes|went|entered|enter|enters)\s+into\s+(?:force|effect)(?:\s+(?:on|as\s+of))?",
    r"(?<![^\W_])in\s+(?:force|effect)\s+(?:as\s+of|from|since)",
    r"(?<![^\W_])voimaantulopäivä:?",
    r"(?<![^\W_])voimassa(?:\s+(?:alkaen|lähtien))?",
    r"(?<![^\W_])(?:tulevat|tulee|tuli|tulivat)\s+voimaan",
    r"(?<![^\W_])voimaan",
]
UPDATED_CUES = [
    r"(?<![^\W_])last\s+(?:updated|revised|modified|changed|amended)(?:\s+(?:on|as\s+of))?",
    r"(?<![^\W_])(?:updated|revised)\s+(?:on|as\s+of)",
    r"(?<![^\W_])(?:viimeksi\s+)?päivitetty(?:\s+viimeksi)?",
    r"(?<![^\W_])(?:viimeksi\s+)?muutettu(?:\s+viimeksi)?",
    r"(?<![^\W_])päivitys",
]
# A date named by these is not this version's: an archived version's period or the outgoing version.
NOT_THIS_VERSION = re.compile(r"^[,\s*_]*(?:until|through|–|-)\s", re.IGNORECASE)

_EFFECTIVE = re.compile(rf"(?:{'|'.join(EFFECTIVE_CUES)})\s*:?{_GAP}(?:{DATE})", re.IGNORECASE)
_EFFECTIVE_FI_AFTER = re.compile(rf"(?:{DATE}){_GAP}(?:alkaen|lähtien)", re.IGNORECASE)
_UPDATED = re.compile(rf"(?:{'|'.join(UPDATED_CUES)})\s*:?{_GAP}(?:{DATE})", re.IGNORECASE)
# Cheap literal cues: the full patterns are only tried where one of these occurs (a page of 50 KB
# would otherwise be scanned position by position for a date).  The cues are lower-case literals
# searched in the lower-cased text: a case-insensitive alternation is several times slower.
_CUES = {
    _EFFECTIVE: re.compile(r"effect|force|voima"),
    _EFFECTIVE_FI_AFTER: re.compile(r"alkaen|lähtien"),
    _UPDATED: re.compile(r"updated|revised|modified|changed|amended|päivit|muutettu"),
}
_WINDOW = 80


def _to_date(match: re.Match[str]) -> date | None:
    g = match.groupdict()
    try:
        if g["y1"]:
            return date(int(g["y1"]), MONTHS_EN[g["m1"].lower()], int(g["d1"]))
        if g["y2"]:
            month = g["m2"].lower()
            return date(int(g["y2"]), MONTHS_EN.get(month) or MONTHS_FI[month], int(g["d2"]))
        if g["y3"]:
            return date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
        if g["y4"]:
            return date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
        if g["y5"]:
            return date(int(g["y5"]), int(g["m5"]), int(g["d5"]))
    except (ValueError, KeyError):
        return None
    return None


def _lowered(text: str) -> str:
    """``text`` lower-cased, position for position (the cues' offsets are the text's)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters (e.g. "İ") lower-case to two: blank them first
        odd = {ord(c): " " for c in set(text) if len(c.lower()) != 1}
        lowered = text.translate(odd).lower()
    return lowered


def _candidate_matches(pattern: re.Pattern[str], text: str, lowered: str) -> list[re.Match[str]]:
    """``pattern.finditer(text)``, but only over the windows around the pattern's literal cues."""
    matches: dict[int, re.Match[str]] = {}
    searched_until = -1
    for cue in _CUES[pattern].finditer(lowered):
        start = max(cue.start() - _WINDOW, searched_until)
        end = min(cue.end() + _WINDOW, len(text))
        for match in pattern.finditer(text, start, end):
            matches.setdefault(match.start(), match)
        searched_until = max(searched_until, end - _WINDOW)
    return [matches[position] for position in sorted(matches)]


def _dates(pattern: re.Pattern[str], text: str, lowered: str | None = None) -> list[date]:
    found = []
    for match in _candidate_matches(pattern, text, _lowered(text) if lowered is None else lowered):
        if NOT_THIS_VERSION.match(text[match.end():match.end() + 12]):
            continue
        value = _to_date(match)
        if value is not None and 1990 <= value.year <= 2100:
            found.append(value)
    return found


def effective_dates(text: str, lowered: str | None = None) -> list[date]:
    """Every effective date the text announces for itself, in text order."""
    lowered = _lowered(text) if lowered is None else lowered
    return _dates(_EFFECTIVE, text, lowered) + _dates(_EFFECTIVE_FI_AFTER, text, lowered)


def updated_dates(text: str, lowered: str | None = None) -> list[date]:
    """Every last-updated date the text states, in text order."""
    return _dates(_UPDATED, text, lowered)


def extract_dates(text: str) -> tuple[date | None, date | None]:
    """``(effective, updated)`` of a version's text: the latest announced effective date and the latest
    last-updated date, each ``None`` when the text states none."""
    lowered = _lowered(text)
    effective = effective_dates(text, lowered)
    updated = updated_dates(text, lowered)
    return (max(effective) if effective else None, max(updated) if updated else None)


def not_yet_in_force(effective: str | date | None, today: date | None = None) -> bool:
    """True when an effective date (ISO string or date) lies after ``today``: an announced change."""
    if effective is None:
        return False
    value = date.fromisoformat(effective) if isinstance(effective, str) else effective
    return value > (today or date.today())
