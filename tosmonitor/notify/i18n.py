"""Finnish and English strings of the emails and the feed: one catalog per language, Finnish first.

Document types keep Open Terms Archive's English names in the database; here they get their Finnish
names. Topic labels are the short forms used in subjects ("lisenssi sisältöön"); the long definitions
live with the topic rules (:data:`tosmonitor.topics.TOPICS`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LANGS = ("fi", "en")
TIMEZONE = ZoneInfo("Europe/Helsinki")

# OTA document type -> (Finnish name, Finnish verb "changed" agreeing in number)
DOCUMENT_TYPES_FI: dict[str, tuple[str, str]] = {
    "Terms of Service": ("Käyttöehdot", "muuttuivat"),
    "Privacy Policy": ("Tietosuojakäytäntö", "muuttui"),
    "Community Guidelines": ("Yhteisön säännöt", "muuttuivat"),
    "Copyright Claims Policy": ("Tekijänoikeuskäytäntö", "muuttui"),
    "Commercial Terms": ("Kaupalliset ehdot", "muuttuivat"),
    "Developer Terms": ("Kehittäjäehdot", "muuttuivat"),
    "Acceptable Use Policy": ("Hyväksyttävän käytön käytäntö", "muuttui"),
    "Cookies Policy": ("Evästekäytäntö", "muuttui"),
    "Data Processing Agreement": ("Tietojenkäsittelysopimus", "muuttui"),
    "Trackers Policy": ("Seurantakäytäntö", "muuttui"),
    "Imprint": ("Julkaisijatiedot", "muuttuivat"),
    "Live Policy": ("Livelähetysten käytäntö", "muuttui"),
    "Parent Organization Terms": ("Emoyhtiön ehdot", "muuttuivat"),
    "User Consent Policy": ("Käyttäjän suostumuskäytäntö", "muuttui"),
    "Seller Warranty": ("Myyjän takuu", "muuttui"),
    "Law Enforcement Guidelines": ("Viranomaisohjeet", "muuttuivat"),
}

TOPIC_LABELS: dict[str, tuple[str, str]] = {  # topic -> (English, Finnish) short label
    "content_licence": ("licence to content", "lisenssi sisältöön"),
    "content_ownership": ("content ownership", "sisällön omistus"),
    "ai_training": ("AI training", "tekoälyn koulutus"),
    "jurisdiction": ("courts", "tuomioistuin"),
    "governing_law": ("governing law", "sovellettava laki"),
    "arbitration": ("arbitration", "välimiesmenettely"),
    "data_location": ("data location", "tietojen sijainti"),
    "unilateral_change": ("unilateral changes", "yksipuoliset muutokset"),
    "unilateral_termination": ("unilateral termination", "yksipuolinen irtisanominen"),
    "limitation_of_liability": ("limitation of liability", "vastuunrajoitus"),
    "content_removal": ("content removal", "sisällön poistaminen"),
    "contract_by_using": ("acceptance by use", "hyväksyntä käyttämällä"),
    "privacy_included": ("privacy policy included", "tietosuojakäytäntö osana ehtoja"),
}

CATALOG: dict[str, dict[str, str]] = {
    "fi": {
        "changed": "muuttui",
        "alert_intro": "Palvelun {service} asiakirja {document} on muuttunut tavalla, joka koskee kaupungin "
        "oikeuksia aineistoonsa tai sovellettavaa lakia ja tuomioistuinta. Tarkista muutos ja kirjaa päätös.",
        "review_link": "Tarkista ja kirjaa päätös",
        "why_flagged": "Miksi merkitty",
        "statements": "Muutos lyhyesti",
        "topics": "Aiheet",
        "severity_high": "korkea",  # the web UI's labels: one word per severity everywhere
        "severity_medium": "keskitaso",
        "severity_low": "matala",
        "kind_added": "lisätty",
        "kind_removed": "poistettu",
        "kind_modified": "muutettu",
        "kind_moved": "siirretty",
        "version_step": "versio {old} ({old_date}) → versio {new} ({new_date})",
        "other_changes": "Lisäksi {count} muuta muutettua kohtaa ilman merkittäviä aiheita.",
        "source": "Lähde",
        "channel": "Kaupungin kanava",
        "digest_title": "Käyttöehtojen viikkokooste",
        "digest_period": "Ajalta {start} – {end}",
        "digest_empty": "Ei muutoksia seurattujen palvelujen ehdoissa tällä jaksolla.",
        "digest_subject": "Viikkokooste {start}–{end}: {summary}",
        "digest_summary_empty": "ei muutoksia",
        "digest_summary": "{count} muutosta, joista {high}",
        # numerals over one take the singular partitive: "3 merkittävää", "1 merkittävä"
        "high_none": "ei yhtään merkittävää",
        "high_one": "1 merkittävä",
        "high_many": "{count} merkittävää",
        "digest_summary_one": "1 muutos",
        "digest_high": "Merkittävät muutokset",
        "digest_other": "Muut muutokset",
        "digest_failing": "Seuranta ei toimi",
        "failing_since": "{document}: haku epäonnistunut {duration} ajan ({kind}: {message})",
        "failing_intro": "Näiden asiakirjojen muutoksia ei nähdä ennen kuin haku taas onnistuu.",
        "no_failing": "Kaikki seuratut dokumentit haettiin onnistuneesti.",
        "clause_counts": "{added} lisätty, {removed} poistettu, {modified} muutettu, {moved} siirretty",
        "more_clauses": "… ja {count} muuta kohtaa: katso muutos kokonaisuudessaan.",
        "open_change": "Avaa muutos",
        "footer": "Tämän viestin lähetti tosmonitor, Alajärven kaupungin käyttöehtoseuranta.",
        "days": "{n} vrk",
        "hours": "{n} h",
        "technical": "tekninen päivitys (poiminta muuttui, ei ehdot)",
        "feed_title": "Käyttöehtojen muutokset",
        "feed_subtitle": "Alajärven kaupungin kanavien palvelujen käyttöehtojen muutokset",
        "no_topics": "ei merkittäviä aiheita",
        "legend": "Merkinnät: [-poistettu-] {+lisätty+}",
    },
    "en": {
        "changed": "changed",
        "alert_intro": "The {document} of {service} changed in a way that touches the town's rights over its "
        "material or the law and courts that apply. Please review the change and record a decision.",
        "review_link": "Review and record a decision",
        "why_flagged": "Why flagged",
        "statements": "In short",
        "topics": "Topics",
        "severity_high": "high",
        "severity_medium": "medium",
        "severity_low": "low",
        "kind_added": "added",
        "kind_removed": "removed",
        "kind_modified": "modified",
        "kind_moved": "moved",
        "version_step": "version {old} ({old_date}) → version {new} ({new_date})",
        "other_changes": "Also {count} other changed clauses without high-severity topics.",
        "source": "Source",
        "channel": "Town's channel",
        "digest_title": "Weekly terms digest",
        "digest_period": "Period {start} – {end}",
        "digest_empty": "No changes in the terms of the watched services in this period.",
        "digest_subject": "Weekly digest {start}–{end}: {summary}",
        "digest_summary_empty": "no changes",
        "digest_summary": "{count} changes, {high}",
        "high_none": "none high",
        "high_one": "1 high",
        "high_many": "{count} high",
        "digest_summary_one": "1 change",
        "digest_high": "High-severity changes",
        "digest_other": "Other changes",
        "digest_failing": "Watch not working",
        "failing_since": "{document}: failing for {duration} ({kind}: {message})",
        "failing_intro": "Changes to these documents cannot be seen until fetching works again.",
        "no_failing": "Every watched document was fetched successfully.",
        "clause_counts": "{added} added, {removed} removed, {modified} modified, {moved} moved",
        "more_clauses": "… and {count} more clauses: see the whole change.",
        "open_change": "Open the change",
        "footer": "Sent by tosmonitor, the terms-of-service watch of the town of Alajärvi.",
        "days": "{n} days",
        "hours": "{n} h",
        "technical": "technical upgrade (extraction changed, not the terms)",
        "feed_title": "Terms of service changes",
        "feed_subtitle": "Changes to the terms of the services the town of Alajärvi uses",
        "no_topics": "no high-severity topics",
        "legend": "Markers: [-removed-] {+added+}",
    },
}


def high_count(lang: str, count: int) -> str:
    """"3 merkittävää" / "1 merkittävä" / "ei yhtään merkittävää" (and the English forms)."""
    if count == 0:
        return t(lang, "high_none")
    return t(lang, "high_one") if count == 1 else t(lang, "high_many", count=count)


def t(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` with ``values`` filled in."""
    text = CATALOG[lang][key]
    return text.format(**values) if values else text


def document_name(doc_type: str, lang: str) -> str:
    """A document type's name in ``lang`` (OTA's English name when no Finnish one is known)."""
    if lang == "fi" and doc_type in DOCUMENT_TYPES_FI:
        return DOCUMENT_TYPES_FI[doc_type][0]
    return doc_type


def document_changed(doc_type: str, lang: str) -> str:
    """'Käyttöehdot muuttuivat' / 'Terms of Service changed'."""
    if lang == "fi":
        name, verb = DOCUMENT_TYPES_FI.get(doc_type, (doc_type, "muuttui"))
        return f"{name} {verb}"
    return f"{doc_type} changed"


def topic_label(topic: str, lang: str) -> str:
    en, fi = TOPIC_LABELS.get(topic, (topic.replace("_", " "), topic.replace("_", " ")))
    return fi if lang == "fi" else en


def local_date(moment: datetime) -> str:
    """The date in Helsinki time, ISO order (2026-04-11): unambiguous in both languages."""
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d")


def local_time(moment: datetime) -> str:
    """Helsinki time with its zone (2026-11-27 21:46 EET), as the web pages show times."""
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M %Z")


def duration(seconds: float, lang: str) -> str:
    """'3 vrk' / '3 days' for a day or more, else hours (at least 1)."""
    days = int(seconds // 86400)
    if days >= 1:
        return t(lang, "days", n=days)
    return t(lang, "hours", n=max(1, int(seconds // 3600)))
