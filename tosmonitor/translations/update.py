"""Regenerate the catalogs: ``python -m tosmonitor.translations.update`` (after ``pybabel extract``).

Reads ``messages.pot`` and writes ``fi`` and ``en`` ``messages.po``, keeping the Finnish translations
of :data:`FI` (message ids are English, so English needs none; a plural message is keyed by its
singular and translated by a (singular, plural) pair). A message without a Finnish
translation is listed and makes the command exit 1; ``tests/test_web_i18n.py`` checks the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent

FI: dict[str, str | tuple[str, str]] = {
    "Edited in this web UI by %(name)s, %(when)s. `tosmonitor init` keeps this edit until the service's entry "
    "in channels.toml changes.":
        "Muokattu tässä käyttöliittymässä: %(name)s, %(when)s. `tosmonitor init` säilyttää muokkauksen, kunnes "
        "palvelun kohta channels.toml-tiedostossa muuttuu.",
    "Owner's e-mail (gets the service's legal alerts)":
        "Omistajan sähköposti (saa palvelun juridiset hälytykset)",
    "The owner's e-mail address is not valid; nothing was saved.":
        "Omistajan sähköpostiosoite ei kelpaa; mitään ei tallennettu.",
    "The request was not understood: a value in the address or the form is not valid.":
        "Pyyntöä ei ymmärretty: osoitteen tai lomakkeen arvo ei kelpaa.",
    "This address does not take that kind of request.": "Tämä osoite ei ota vastaan tällaista pyyntöä.",
    "Note (required: it is saved with every review)": "Huomautus (pakollinen: se tallennetaan jokaiseen tarkastukseen)",
    "You are signed out.": "Olet kirjautunut ulos.",
    "Flagged clauses (%(count)s), high first": "Merkityt lausekkeet (%(count)s), korkeat ensin",
    "only links or formatting changed": "vain linkit tai muotoilu muuttuivat",
    "added, removed, modified and moved clauses": "lisätyt, poistetut, muutetut ja siirretyt lausekkeet",
    "Version numbers are whole numbers.": "Versionumerot ovat kokonaislukuja.",
    "Version %(n)s does not exist: this document has versions 1 to %(last)s.":
        "Versiota %(n)s ei ole: asiakirjalla on versiot 1–%(last)s.",
    "Choose two different versions.": "Valitse kaksi eri versiota.",
    "Decide all open reviews of this change": "Ratkaise kaikki tämän muutoksen avoimet tarkastukset",
    "This change has %(num)s open review. The decision and note below are saved for it; decided reviews "
    "keep their decision.": (
        "Tässä muutoksessa on %(num)s avoin tarkastus. Alla valittu päätös ja huomautus tallennetaan sille; "
        "jo ratkaistut tarkastukset pitävät päätöksensä.",
        "Tässä muutoksessa on %(num)s avointa tarkastusta. Alla valittu päätös ja huomautus tallennetaan "
        "jokaiselle; jo ratkaistut tarkastukset pitävät päätöksensä.",
    ),
    "Save for %(num)s open review": (
        "Tallenna %(num)s avoimelle tarkastukselle",
        "Tallenna kaikille %(num)s avoimelle tarkastukselle",
    ),
    "%(num)s open review": ("%(num)s avoin tarkastus", "%(num)s avointa tarkastusta"),
    "%(num)s open review decided.": ("%(num)s avoin tarkastus ratkaistu.", "%(num)s avointa tarkastusta ratkaistu."),
    "Decision": "Päätös",
    "Note": "Huomautus",
    "Save decision": "Tallenna päätös",
    "by %(name)s, %(when)s": "päätti %(name)s, %(when)s",
    "carried over from an earlier version": "siirretty aiemmasta versiosta",
    "Terms monitor": "Käyttöehtoseuranta",
    "Skip to content": "Siirry sisältöön",
    "Town of Alajärvi": "Alajärven kaupunki",
    "Main": "Päävalikko",
    "Services and channels": "Palvelut ja kanavat",
    "Lookup": "Ehtokooste",
    "Review queue": "Tarkastusjono",
    "Sign out": "Kirjaudu ulos",
    "tosmonitor follows the terms of service of the town's channels.":
        "tosmonitor seuraa kaupungin kanavien palveluiden käyttöehtoja.",
    "version %(n)s": "versio %(n)s",
    "Fetched %(when)s; compared with version %(n)s.": "Haettu %(when)s; verrattu versioon %(n)s.",
    "History": "Historia",
    "%(added)s added, %(removed)s removed, %(modified)s modified, %(moved)s moved clauses.":
        "Lausekkeita lisätty %(added)s, poistettu %(removed)s, muutettu %(modified)s, siirretty %(moved)s.",
    "Technical upgrade: the extraction changed, not necessarily the terms.":
        "Tekninen päivitys: tekstin poiminta muuttui, ei välttämättä ehdot.",
    "Inserted words are underlined on green, deleted words struck through on red; the phrases that made a "
    "clause flagged are highlighted.":
        "Lisätyt sanat on alleviivattu vihreällä, poistetut yliviivattu punaisella; korostetut ilmaukset "
        "ovat syy lausekkeen merkitsemiseen.",
    "This clause moved; its text did not change.": "Lauseke siirtyi; sen teksti ei muuttunut.",
    "Review": "Tarkastus",
    "No clause changed.": "Yksikään lauseke ei muuttunut.",
    "Version %(old)s (%(old_when)s) compared with version %(new)s (%(new_when)s).":
        "Versiota %(old)s (%(old_when)s) verrataan versioon %(new)s (%(new_when)s).",
    "Back to the history": "Takaisin historiaan",
    "No differences.": "Ei eroja.",
    "Error %(code)s": "Virhe %(code)s",
    "Compare two versions": "Vertaa kahta versiota",
    "Older version": "Vanhempi versio",
    "Newer version": "Uudempi versio",
    "Compare": "Vertaa",
    "Versions, newest first": "Versiot, uusin ensin",
    "Version": "Versio",
    "Fetched": "Haettu",
    "Change": "Muutos",
    "Summary": "Yhteenveto",
    "technical upgrade": "tekninen päivitys",
    "first version": "ensimmäinen versio",
    "Sign in": "Kirjaudu sisään",
    "User name": "Käyttäjätunnus",
    "Password": "Salasana",
    "%(service)s: terms in force": "%(service)s: voimassa olevat ehdot",
    "Brief for the management group, printed %(when)s.": "Kooste johtoryhmälle, tulostettu %(when)s.",
    "The town's channel": "Kaupungin kanava",
    "owner": "omistaja",
    "administrators": "ylläpitäjät",
    "The town has no channel on this service yet.": "Kaupungilla ei vielä ole kanavaa tässä palvelussa.",
    "Documents": "Asiakirjat",
    "version %(n)s, fetched %(when)s": "versio %(n)s, haettu %(when)s",
    "not fetched yet": "ei vielä haettu",
    "Checklist for opening a channel": "Tarkistuslista kanavan avaamiseen",
    "not yet: fewer than two named administrators": "ei vielä: alle kaksi nimettyä ylläpitäjää",
    "Open reviews": "Avoimet tarkastukset",
    "No open reviews.": "Ei avoimia tarkastuksia.",
    "Clauses in force, by topic": "Voimassa olevat lausekkeet aiheittain",
    "No clause of the current terms touches a monitored topic.":
        "Yksikään nykyisten ehtojen lauseke ei koske seurattua aihetta.",
    "Topics": "Aiheet",
    "last changed %(when)s (version %(n)s)": "muuttunut viimeksi %(when)s (versio %(n)s)",
    "Before opening a channel: the terms in force of one service, by topic, with the checklist of the "
    "town's guideline.":
        "Ennen kanavan avaamista: yhden palvelun voimassa olevat ehdot aiheittain sekä kaupungin ohjeen "
        "tarkistuslista.",
    "Service": "Palvelu",
    "Only a user with the legal role decides reviews.": "Tarkastukset ratkaisee käyttäjä, jolla on lakiasioiden rooli.",
    "In force from": "Voimassa alkaen",
    "announced, not yet in force": "ilmoitettu, ei vielä voimassa",
    "Show": "Näytä",
    "The whole change (version %(n)s)": "Koko muutos (versio %(n)s)",
    "all": "kaikki",
    "Flagged changed clauses, high severity first, newest first.":
        "Merkityt muuttuneet lausekkeet, vakavimmat ja uusimmat ensin.",
    "Severity": "Vakavuus",
    "Service and document": "Palvelu ja asiakirja",
    "Clause": "Lauseke",
    "Status": "Tila",
    "Nothing to show.": "Ei näytettävää.",
    "Lookup: the terms in force, by topic": "Ehtokooste: voimassa olevat ehdot aiheittain",
    "Document": "Asiakirja",
    "Versions": "Versioita",
    "Last check": "Viimeisin tarkistus",
    "Last change": "Viimeisin muutos",
    "FAILED": "EPÄONNISTUI",
    "State": "Tila",
    "Account": "Tili",
    "Owner": "Omistaja",
    "Administrators": "Ylläpitäjät",
    "Edit the channel": "Muokkaa kanavaa",
    "Administrators (one name a line)": "Ylläpitäjät (yksi nimi riville)",
    "Save channel": "Tallenna kanava",
    "Every monitored service, the town's channel and the last check of each document":
        "Kaikki seuratut palvelut, kaupungin kanava ja kunkin asiakirjan viimeisin tarkistus",
    "Channel": "Kanava",
    "lookup": "ehtokooste",
    "since %(when)s": "%(when)s alkaen",
    "no documents": "ei asiakirjoja",
    "The form had expired or was not sent from this site. Go back, reload the page and try again.":
        "Lomake oli vanhentunut tai sitä ei lähetetty tältä sivustolta. Palaa takaisin, lataa sivu "
        "uudelleen ja yritä uudestaan.",
    "You do not have the role this needs.": "Sinulla ei ole tähän tarvittavaa roolia.",
    "Not found.": "Ei löytynyt.",
    "Wrong user name or password.": "Väärä käyttäjätunnus tai salasana.",
    "communications": "viestintä",
    "legal": "lakiasiat",
    "administrator": "pääkäyttäjä",
    "not reviewed": "ei tarkastettu",
    "open": "avoin",
    "accepted": "hyväksytty",
    "needs action": "vaatii toimia",
    "escalated": "siirretty eteenpäin",
    "high": "korkea",
    "medium": "keskitaso",
    "low": "matala",
    "added": "lisätty",
    "removed": "poistettu",
    "modified": "muutettu",
    "moved": "siirretty",
    "no channel": "ei kanavaa",
    "in use": "käytössä",
    "candidate": "harkinnassa",
    "closed": "suljettu",
    "never checked": "ei koskaan tarkistettu",
    "new version": "uusi versio",
    "unchanged": "ennallaan",
    "failed": "epäonnistui",
    "Decision saved.": "Päätös tallennettu.",
    "Channel saved.": "Kanava tallennettu.",
    "Pages": "Sivut",
    "Page %(page)s of %(pages)s (%(total)s reviews).": "Sivu %(page)s/%(pages)s (%(total)s tarkastusta).",
    "Previous page": "Edellinen sivu",
    "Next page": "Seuraava sivu",
    "%(count)s open reviews.": "Avoimia tarkastuksia %(count)s.",
    "The service's review queue": "Palvelun tarkastusjono",
    "Service: %(service)s": "Palvelu: %(service)s",
    "all services": "kaikki palvelut",
}


def main() -> int:
    with (HERE / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    missing = []
    for lang in ("fi", "en"):
        with (HERE / "messages.pot").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        catalog.project, catalog.version = "tosmonitor", "0.1"
        for message in catalog:
            if not message.id:
                continue
            if lang == "fi":
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                if key in FI:
                    message.string = FI[key]
                else:
                    missing.append(key)
        path = HERE / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, no_location=True, width=100)
    for message_id in missing:
        print(f"no Finnish translation: {message_id!r}", file=sys.stderr)
    print(f"{len([m for m in template if m.id])} messages; {len(missing)} without Finnish")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
