"""Small deterministic language identification for clauses of terms documents.

Counts frequent function words per language (plus a few language-specific letters and Finnish
case endings). No model download, no randomness: the same text always gives the same answer.
Languages: en, fi, sv, de, it, pl, fr, es, nl. Returns ``"und"`` when no evidence is found.
"""

from __future__ import annotations

import re
from collections import Counter

_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "you",
            "your",
            "we",
            "our",
            "or",
            "in",
            "is",
            "any",
            "this",
            "be",
            "with",
            "for",
            "that",
            "are",
            "by",
            "not",
            "will",
            "may",
            "shall",
            "such",
            "these",
            "from",
            "as",
            "on",
            "it",
            "us",
            "have",
            "has",
            "which",
            "if",
            "all",
            "its",
            "their",
        ]
    ),
    "fi": frozenset(
        [
            "ja",
            "on",
            "tai",
            "että",
            "ei",
            "se",
            "joka",
            "jos",
            "sinun",
            "me",
            "olet",
            "kanssa",
            "mukaan",
            "näitä",
            "nämä",
            "näiden",
            "voimme",
            "meidän",
            "sinulla",
            "sekä",
            "myös",
            "kuin",
            "tämä",
            "tässä",
            "niin",
            "ole",
            "ovat",
            "olla",
            "eikä",
            "jotka",
            "kun",
            "voi",
            "tulee",
            "mitään",
            "kaikki",
            "tämän",
            "hän",
            "käyttäjä",
            "käyttäjän",
            "palvelun",
            "palvelua",
            "palveluun",
            "ehtojen",
            "käyttöehdot",
            "käyttöehtoja",
            "emme",
            "et",
            "sinä",
            "meille",
            "meitä",
            "jonka",
            "joita",
            "mikäli",
        ]
    ),
    "sv": frozenset(
        [
            "och",
            "att",
            "det",
            "som",
            "en",
            "av",
            "för",
            "med",
            "till",
            "inte",
            "på",
            "är",
            "om",
            "vi",
            "du",
            "eller",
            "dina",
            "din",
            "oss",
            "våra",
            "vår",
            "detta",
            "dessa",
            "har",
            "kan",
            "ska",
            "skall",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "oder",
            "von",
            "zu",
            "sie",
            "wir",
            "ist",
            "nicht",
            "mit",
            "für",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einer",
            "auf",
            "bei",
            "ihre",
            "ihr",
            "ihnen",
            "uns",
            "unsere",
            "wird",
            "werden",
            "sind",
            "durch",
            "diese",
            "dieser",
            "als",
            "auch",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "la",
            "di",
            "e",
            "che",
            "per",
            "non",
            "un",
            "una",
            "dei",
            "delle",
            "del",
            "della",
            "con",
            "sono",
            "gli",
            "le",
            "si",
            "lo",
            "al",
            "alla",
            "ai",
            "questi",
            "queste",
            "nostro",
            "nostri",
            "tuo",
            "tuoi",
            "sul",
            "nel",
            "nella",
            "da",
            # more Italian function words: clauses with few of the above were taken for es/en
            "è",
            "ogni",
            "qualsiasi",
            "può",
            "potrà",
            "essere",
            "sarà",
            "questo",
            "questa",
            "nostra",
            "nostre",
            "nei",
            "degli",
            "dalla",
            "dal",
            "dai",
            "agli",
            "sua",
            "suo",
            "anche",
            "più",
            "nessun",
            "nessuna",
            "qualora",
            "nonché",
            "tale",
            "tali",
            "utente",
            "l'utente",
            "dell'utente",
            "all'utente",
            "ed",
            "ad",
            "vostro",
            "vostra",
            "vostri",
            "vostre",
            "se",
        ]
    ),
    "pl": frozenset(
        [
            "i",
            "w",
            "z",
            "na",
            "do",
            "nie",
            "się",
            "że",
            "lub",
            "jest",
            "oraz",
            "przez",
            "dla",
            "od",
            "po",
            "jak",
            "ze",
            "są",
            "to",
            "być",
            "może",
            "które",
            "który",
            "której",
            "nas",
            "nasze",
            "twoje",
            "użytkownik",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "les",
            "des",
            "et",
            "ou",
            "vous",
            "nous",
            "est",
            "pour",
            "dans",
            "une",
            "sur",
            "pas",
            "que",
            "qui",
            "vos",
            "votre",
            "nos",
            "notre",
            "du",
            "au",
            "aux",
            "ces",
            "cette",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "los",
            "las",
            "y",
            "o",
            "usted",
            "nosotros",
            "es",
            "para",
            "en",
            "una",
            "por",
            "que",
            "su",
            "sus",
            "nuestro",
            "nuestros",
            "del",
            "con",
            "al",
            "estos",
            "estas",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "en",
            "van",
            "een",
            "je",
            "jij",
            "u",
            "wij",
            "ons",
            "onze",
            "uw",
            "is",
            "niet",
            "op",
            "te",
            "met",
            "voor",
            "dat",
            "deze",
            "zijn",
            "worden",
            "door",
            "of",
        ]
    ),
}

_TOKEN = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_FI_ENDINGS = (
    *("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä"),
    *("ksi", "nsa", "nsä", "mme", "tte", "aan", "ään", "ineen"),
)
_PL_CHARS = re.compile(r"[ąęłśźżćń]")
_DE_CHARS = re.compile(r"[ßü]")
_SV_CHARS = re.compile(r"å")

LANGUAGES = tuple(_WORDS)
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _WORDS.items():
    for _word in _words:
        _WORD_LANGS[_word] = (*_WORD_LANGS.get(_word, ()), _lang)


def detect(text: str) -> str:
    """Return the ISO 639-1 code of ``text``'s language, or ``"und"`` when unknown.

    >>> detect("These terms are governed by the laws of Ireland.")
    'en'
    >>> detect("Näihin ehtoihin sovelletaan Suomen lakia.")
    'fi'
    """
    return _detect_lowered(text.lower())


def _detect_lowered(lowered: str) -> str:
    """:func:`detect` of already lower-cased text.

    Counts each distinct token once (times its frequency): the scores are sums of whole and half
    numbers, exact in floating point, so they equal :func:`detect_reference`'s token-by-token sums.
    """
    scores = dict.fromkeys(_WORDS, 0.0)
    get = _WORD_LANGS.get
    fi_endings = 0
    for token, n in Counter(_TOKEN.findall(lowered)).items():
        langs = get(token)
        if langs is not None:
            for lang in langs:
                scores[lang] += n
        if len(token) > 4 and token.endswith(_FI_ENDINGS):
            fi_endings += n
    scores["fi"] += 0.5 * fi_endings
    if "ä" in lowered or "ö" in lowered:
        scores["fi"] += 0.5
        scores["sv"] += 0.5
        scores["de"] += 0.5
    if _PL_CHARS.search(lowered):
        scores["pl"] += 2.0 * len(_PL_CHARS.findall(lowered))
    if "ß" in lowered or "ü" in lowered:
        scores["de"] += 1.0 * len(_DE_CHARS.findall(lowered))
    if "å" in lowered:
        scores["sv"] += 1.0 * len(_SV_CHARS.findall(lowered))
    top = max(scores.values())
    if top <= 0:
        return "und"
    # the first language (scores are in LANGUAGES order) with the top score, as in detect_reference
    return next(lang for lang, score in scores.items() if score == top)


def detect_reference(text: str) -> str:
    """The plain token-by-token implementation of :func:`detect` (the tests compare the two)."""
    lowered = text.lower()
    scores = dict.fromkeys(_WORDS, 0.0)
    get = _WORD_LANGS.get
    fi_endings = 0
    for token in _TOKEN.findall(lowered):
        langs = get(token)
        if langs is not None:
            for lang in langs:
                scores[lang] += 1.0
        if len(token) > 4 and token.endswith(_FI_ENDINGS):
            fi_endings += 1
    scores["fi"] += 0.5 * fi_endings
    if "ä" in lowered or "ö" in lowered:
        scores["fi"] += 0.5
        scores["sv"] += 0.5
        scores["de"] += 0.5
    scores["pl"] += 2.0 * len(_PL_CHARS.findall(lowered))
    scores["de"] += 1.0 * len(_DE_CHARS.findall(lowered))
    scores["sv"] += 1.0 * len(_SV_CHARS.findall(lowered))
    best = max(LANGUAGES, key=lambda lang: (scores[lang], -LANGUAGES.index(lang)))
    return best if scores[best] > 0 else "und"
