"""Plain statements of what changed in a clause, for the topics the town's guideline singles out.

>>> [s.text_en for s in plain_statements(
...     "These Terms are governed by the laws of Ireland.",
...     "These Terms are governed by the laws of the State of California.",
...     ["governing_law"])]
['governing law: Ireland → California']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tosmonitor.langdetect import detect
from tosmonitor.topics import place_name, places

#: ``elsewhere(topic)``: the other version's clauses tagged with ``topic`` (see :func:`plain_statements`)
Elsewhere = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class Statement:
    topic: str
    kind: str
    old: str | None
    new: str | None
    text_en: str
    text_fi: str

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)

    def text(self, lang: str) -> str:
        return self.text_fi if lang == "fi" else self.text_en


_LABELS = {
    "jurisdiction": ("courts", "tuomioistuimet"),
    "governing_law": ("governing law", "sovellettava laki"),
    "data_location": ("data location", "tietojen sijainti"),
    "content_licence": ("licence to your content", "lisenssi sisältöösi"),
    "arbitration": ("disputes", "riidat"),
    "ai_training": ("AI training", "tekoälyn koulutus"),
    "content_ownership": ("ownership of your content", "sisältösi omistus"),
}

# licence attributes: name -> (English word, Finnish word, pattern)
_ATTRIBUTES: dict[str, tuple[str, str, re.Pattern[str]]] = {
    name: (en, fi, re.compile(pat, re.IGNORECASE))
    for name, en, fi, pat in [
        (
            "worldwide",
            "worldwide",
            "maailmanlaajuinen",
            r"\bworld-?wide\b|\bthroughout the world\b|\banywhere in the world\b|\bmaailmanlaajui\w*",
        ),
        (
            "royalty_free",
            "royalty-free",
            "maksuton",
            r"\broyalty[- ]free\b|\bfree of charge\b|\bwithout (?:any )?(?:compensation|payment)\b"
            r"|\brojaltivapa\w*|\bmaksuto\w*|\bkorvauksetto\w*|\bilman (?:erillistä )?korvausta\b",
        ),
        (
            "sublicensable",
            "sublicensable",
            "alilisensoitava",
            r"(?<!non-)(?<!non )\bsub-?licens(?:able|eable)\b|\bright to sublicense\b|(?<!ei-)\balilisensoi\w*",
        ),
        (
            "transferable",
            "transferable",
            "siirrettävä",
            r"(?<!non-)(?<!non )\b(?:transferable|assignable)\b|(?<!ei-)(?<!ei )\bsiirrettäv\w*",
        ),
        ("perpetual", "perpetual", "pysyvä", r"\bperpetual\b|\bpysyvä\w*|\bikuis\w*"),
        ("irrevocable", "irrevocable", "peruuttamaton", r"\birrevocable\b|\bperuuttamat\w*"),
        (
            "survives_deletion",
            "survives deletion or account closure",
            "voimassa poiston tai tilin sulkemisen jälkeen",
            r"\bsurviv\w*\b[^.]{0,80}\b(?:delet|remov|clos|terminat)\w*|\b(?:even )?after you (?:delete|remove|close)"
            r"|\bcontinue\w*\b[^.]{0,60}\bafter\b[^.]{0,40}\b(?:delet|remov|clos|terminat)\w*"
            r"|\b(?:poistamisen|poiston|sulkemisen|päättymisen) jälkeen\b|\bvaikka (?:poistaisit|sulkisit)\b",
        ),
        (
            "all_services",
            "for all present and future services",
            "kaikissa nykyisissä ja tulevissa palveluissa",
            r"\b(?:present|existing|current) and future (?:services|products)\b|\bnow known or (?:later|hereafter)"
            r"|\bnykyisi\w* ja tulevi\w*",
        ),
    ]
}

_ARBITRATION = re.compile(r"\barbitrat\w*|\bvälimie\w*|\bvälitysmenettel\w*", re.IGNORECASE)
_CLASS_WAIVER = re.compile(
    r"\bclass[- ]action\w*|\bclass (?:or|and) representative\b|\bclass arbitration\b|\bryhmäkan\w*|\bjoukkokan\w*",
    re.IGNORECASE,
)
_AI = re.compile(
    r"\bartificial intelligence\b|\bmachine[- ]learning\b|\bai\b|\b(?:train|training)\b[^.]{0,60}\bmodels?\b"
    r"|\btekoäl\w*|\bkoneoppi\w*|\bkielimall\w*",
    re.IGNORECASE,
)
_NEGATED_AI = re.compile(
    r"\b(?:do not|don't|will not|won't|never|not)\b[^.]{0,40}\b(?:use|train)\w*|\bemme\b[^.]{0,30}\bkäytä\b|\bei käytetä\b",  # noqa: E501
    re.IGNORECASE,
)
_USER_OWNS = re.compile(
    r"\byou (?:retain|keep|own|continue to own)\b|\bno claim of ownership\b|\b(?:not|never)\b[^.]{0,20}\bclaim\w*\b[^.]{0,20}\bownership\b"  # noqa: E501
    r"|\bsäilytät\b|\bomistat\b|\bsäily\w*\b[^.]{0,30}\b(?:sinulla|käyttäjällä)\b|\bemme vaadi\b[^.]{0,30}\bomistus",
    re.IGNORECASE,
)
_PROVIDER_OWNS = re.compile(
    r"\b(?:becomes?|shall be|will be|are|is) (?:the )?(?:sole |exclusive )?property of\b|\bwe own\b"
    r"|\bassign\w*\b[^.]{0,40}\b(?:right, title|ownership)|\bsiirty\w*\b[^.]{0,40}\bomistuk\w*|\bomaisuutta\b",
    re.IGNORECASE,
)


def _statement(
    topic: str, kind: str, old: str | None, new: str | None, en: str, fi: str
) -> Statement:
    label_en, label_fi = _LABELS[topic]
    return Statement(topic, kind, old, new, f"{label_en}: {en}", f"{label_fi}: {fi}")


def _join(names: list[str], lang: str) -> str:
    return ", ".join(place_name(n, lang) for n in names)


def _places_statement(topic: str, old: str | None, new: str | None, elsewhere: Elsewhere) -> list[Statement]:
    before = places(old) if old else []
    after = places(new) if new else []
    if (old is None or new is None) and (before or after):  # a whole clause: the other version's places stay
        stated = {place for text in elsewhere(topic) for place in places(text)}
        before, after = [p for p in before if p not in stated], [p for p in after if p not in stated]
    if before == after or (not before and not after):
        return []
    old_s, new_s = _join(before, "en") or None, _join(after, "en") or None
    if before and after:
        return [
            _statement(
                topic,
                "places_changed",
                old_s,
                new_s,
                f"{old_s} → {new_s}",
                f"{_join(before, 'fi')} → {_join(after, 'fi')}",
            )
        ]
    if after:
        return [
            _statement(
                topic, "places_added", None, new_s, f"now {new_s}", f"nyt {_join(after, 'fi')}"
            )
        ]
    return [
        _statement(
            topic,
            "places_removed",
            old_s,
            None,
            f"no longer {old_s}",
            f"ei enää {_join(before, 'fi')}",
        )
    ]


def licence_attributes(text: str | None) -> list[str]:
    """Names of the licence attributes (see ``_ATTRIBUTES``) present in ``text``."""
    if not text:
        return []
    return [name for name, (_, _, rx) in _ATTRIBUTES.items() if rx.search(text)]


def _licence_statements(old: str | None, new: str | None, elsewhere: Elsewhere) -> list[Statement]:
    before, after = set(licence_attributes(old)), set(licence_attributes(new))
    if (old is None or new is None) and (before or after):
        stated = {name for text in elsewhere("content_licence") for name in licence_attributes(text)}
        before, after = before - stated, after - stated
    out = []
    for name, (en, fi, _) in _ATTRIBUTES.items():
        if name in after and name not in before:
            out.append(
                _statement(
                    "content_licence", "attribute_added", None, name, f"now {en}", f"nyt {fi}"
                )
            )
        elif name in before and name not in after:
            out.append(
                _statement(
                    "content_licence",
                    "attribute_removed",
                    name,
                    None,
                    f"no longer {en}",
                    f"ei enää {fi}",
                )
            )
    return out


def _flag_statements(
    topic: str,
    rx: re.Pattern[str],
    old: str | None,
    new: str | None,
    what_en: str,
    what_fi: str | tuple[str, str],
    kind: str,
    elsewhere: Elsewhere,
    negation: re.Pattern[str] | None = None,
) -> list[Statement]:
    def has(text: str | None) -> bool:
        return bool(text and rx.search(text) and not (negation and negation.search(text)))

    before, after = has(old), has(new)
    if (old is None or new is None) and before != after and any(has(text) for text in elsewhere(topic)):
        return []
    # Finnish negates the verb: "nyt käytetään …" / "ei enää käytetä …" (a pair where a noun won't do)
    now_fi, no_longer_fi = what_fi if isinstance(what_fi, tuple) else (f"nyt {what_fi}", f"ei enää {what_fi}")
    if after and not before:
        return [_statement(topic, f"now_{kind}", None, kind, f"now {what_en}", now_fi)]
    if before and not after:
        return [_statement(topic, f"no_longer_{kind}", kind, None, f"no longer {what_en}", no_longer_fi)]
    return []


def _owner(text: str | None) -> str | None:
    if not text:
        return None
    if _PROVIDER_OWNS.search(text):
        return "provider"
    if _USER_OWNS.search(text):
        return "user"
    return None


def _ownership_statements(old: str | None, new: str | None, elsewhere: Elsewhere) -> list[Statement]:
    before, after = _owner(old), _owner(new)
    if before == after or after is None:
        return []
    if old is None and after in {_owner(text) for text in elsewhere("content_ownership")}:
        return []
    names = {
        "user": ("you", "sinä"),
        "provider": ("the provider", "palveluntarjoaja"),
        None: ("—", "—"),
    }
    return [
        _statement(
            "content_ownership",
            "ownership_changed",
            before,
            after,
            f"{names[before][0]} → {names[after][0]}",
            f"{names[before][1]} → {names[after][1]}",
        )
    ]


def _nowhere(_topic: str) -> Sequence[str]:
    return ()


def plain_statements(
    old: str | None, new: str | None, topics: Iterable[str], elsewhere: Elsewhere = _nowhere
) -> list[Statement]:
    """Compare an old and new clause on the high topics and say plainly what changed.

    ``old`` is ``None`` for an added clause and ``new`` is ``None`` for a removed one. Only the
    given ``topics`` are compared (usually the union of both clauses' tags). Covers places in
    jurisdiction / governing-law / data-location clauses, licence attributes, binding
    arbitration and class-action waivers, AI training, and ownership flips.

    ``elsewhere(topic)`` gives the clauses of the *other* version tagged with ``topic`` (the new
    version's for a removed clause, the old version's for an added one). What they state is no change
    of the terms: a removed clause whose licence was royalty-free does not make the terms "no longer
    royalty-free" while another licence clause still says so (a page that carried two copies of its
    terms, then one), and an added clause naming Ireland does not make them "now Ireland" when an old
    clause already did. A modified clause is compared with its own old text only.
    """
    wanted = set(topics)
    out: list[Statement] = []
    for topic in ("governing_law", "jurisdiction", "data_location"):
        if topic in wanted:
            out.extend(_places_statement(topic, old, new, elsewhere))
    if "content_licence" in wanted:
        out.extend(_licence_statements(old, new, elsewhere))
    if "arbitration" in wanted:
        out.extend(
            _flag_statements(
                "arbitration",
                _ARBITRATION,
                old,
                new,
                "binding arbitration",
                "sitova välimiesmenettely",
                "arbitration",
                elsewhere,
            )
        )
        out.extend(
            _flag_statements(
                "arbitration",
                _CLASS_WAIVER,
                old,
                new,
                "class-action waiver",
                "luopuminen ryhmäkanteesta",
                "class_action_waiver",
                elsewhere,
            )
        )
    if "ai_training" in wanted:
        out.extend(
            _flag_statements(
                "ai_training",
                _AI,
                old,
                new,
                "used for AI training",
                ("nyt käytetään tekoälyn koulutukseen", "ei enää käytetä tekoälyn koulutukseen"),
                "ai_training",
                elsewhere,
                _NEGATED_AI,
            )
        )
    if "content_ownership" in wanted:
        out.extend(_ownership_statements(old, new, elsewhere))
    return out


__all__ = ["Statement", "detect", "licence_attributes", "plain_statements"]


def unique_statements(statements: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored statements of a whole change, each once, in order (two removed clauses may both say
    "licence: no longer royalty-free")."""
    seen: set[str] = set()
    unique = []
    for statement in statements:
        key = json.dumps(statement, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(statement)
    return unique
