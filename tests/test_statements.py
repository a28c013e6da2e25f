"""Plain statements on real clause pairs (Open Terms Archive versions, ODC-By 1.0)."""

from __future__ import annotations

from tosmonitor.statements import Statement, licence_attributes, plain_statements

# YouTube Terms of Service, OpenTermsArchive/contrib-versions, "YouTube/Terms of Service.md":
# version 2019-06-08T05-55-08Z (commit e49e49f4b2df765c9c0db47dd8e16bbb3042c0f7) and
# version 2020-11-09T17-32-14Z (commit 399af26a324561b17fc62ed8371bcadf4352232b). ODC-By 1.0.
YT_OLD = (
    "These Terms of Service shall be governed by the internal substantive laws of the State of "
    "California, without respect to its conflict of laws principles. Any claim or dispute between you "
    "and YouTube that arises in whole or in part from the Service shall be decided exclusively by a "
    "court of competent jurisdiction located in Santa Clara County, California."
)
YT_NEW = (
    "This Agreement, and your relationship with YouTube under this Agreement, will be governed by "
    "English Law, and legal disputes may be brought in the courts of England and Wales."
)


def test_real_governing_law_change():
    statements = plain_statements(YT_OLD, YT_NEW, ["governing_law", "jurisdiction"])
    law = next(s for s in statements if s.topic == "governing_law")
    assert law.kind == "places_changed"
    assert law.old == "California, Santa Clara County"
    assert "England and Wales" in law.new
    assert law.text_en.startswith("governing law: California")
    assert law.text_fi.startswith("sovellettava laki: Kalifornia")
    assert "Englanti ja Wales" in law.text("fi")
    assert set(law.to_json()) == {"topic", "kind", "old", "new", "text_en", "text_fi"}


def test_simple_place_change_en_and_fi():
    [s] = plain_statements(
        "These Terms are governed by the laws of Ireland.",
        "These Terms are governed by the laws of the State of California.",
        ["governing_law"],
    )
    assert s == Statement(
        "governing_law",
        "places_changed",
        "Ireland",
        "California",
        "governing law: Ireland → California",
        "sovellettava laki: Irlanti → Kalifornia",
    )
    [s] = plain_statements(
        "Näihin ehtoihin sovelletaan Irlannin lakia.",
        "Näihin ehtoihin sovelletaan Kalifornian osavaltion lakeja.",
        ["governing_law"],
    )
    assert s.text_fi == "sovellettava laki: Irlanti → Kalifornia"


def test_unchanged_places_say_nothing():
    assert plain_statements(YT_NEW, YT_NEW, ["governing_law", "jurisdiction"]) == []


def test_licence_attributes_real_wording():
    # Reddit-style grant (ToS;DR / OTA wording) vs a narrower one
    old = "you grant us a non-exclusive, royalty-free licence to display Your Content"
    new = (
        "you grant us a worldwide, royalty-free, perpetual, irrevocable, non-exclusive, transferable, and "
        "sublicensable license that survives the deletion of your account"
    )
    texts = [s.text_en for s in plain_statements(old, new, ["content_licence"])]
    assert "licence to your content: now sublicensable" in texts
    assert "licence to your content: now worldwide" in texts
    assert "licence to your content: now survives deletion or account closure" in texts
    assert "licence to your content: now royalty-free" not in texts
    assert "transferable" not in licence_attributes("a non-transferable licence")


def test_arbitration_and_ai_and_ownership():
    [s] = plain_statements(
        None, "Any dispute will be resolved only by binding arbitration.", ["arbitration"]
    )
    assert s.kind == "now_arbitration" and s.text_en == "disputes: now binding arbitration"
    texts = [
        s.kind
        for s in plain_statements(
            "You waive any right to a class action and agree to binding arbitration.",
            "Disputes are decided by the courts of Ireland.",
            ["arbitration"],
        )
    ]
    assert texts == ["no_longer_arbitration", "no_longer_class_action_waiver"]
    [s] = plain_statements(
        "We use your content to provide the service.",
        "This license includes the right to use Your Content to train AI and machine learning models.",
        ["ai_training"],
    )
    assert s.kind == "now_ai_training"
    assert s.text_fi == "tekoälyn koulutus: nyt käytetään tekoälyn koulutukseen"
    [s] = plain_statements(
        "This license includes the right to use Your Content to train AI and machine learning models.",
        "We use your content to provide the service.",
        ["ai_training"],
    )
    assert s.text_fi == "tekoälyn koulutus: ei enää käytetä tekoälyn koulutukseen"  # the verb is negated
    assert s.text_en == "AI training: no longer used for AI training"
    [s] = plain_statements(
        "You retain ownership of your content.",
        "All content you upload becomes the property of the company.",
        ["content_ownership"],
    )
    assert (s.old, s.new) == ("user", "provider")
    assert s.text_fi == "sisältösi omistus: sinä → palveluntarjoaja"


def test_a_county_added_to_the_courts_is_stated() -> None:
    """X's Terms of Service, 2026-01-16 → 2026-04-11 (Open Terms Archive, ODC-By 1.0): a second county."""
    old = (
        "all disputes related to these Terms, the Services, or any patents [...] shall be brought and must proceed "
        "exclusively in the federal or state courts located in Tarrant County, Texas, United States, and you "
        "consent to personal jurisdiction in those forums and waive any objection as to inconvenient forum."
    )
    new = old.replace("located in Tarrant County", "located in Wichita County or Tarrant County")
    statements = plain_statements(old, new, ["jurisdiction"])
    assert [s.text_en for s in statements] == [
        "courts: Tarrant County, Texas, United States → Wichita County, Tarrant County, Texas, United States"
    ]


def test_a_change_states_each_thing_once() -> None:
    """Two removed licence clauses both say "no longer royalty-free": the change says it once."""
    from tosmonitor.statements import unique_statements

    licence = "You grant us a worldwide, royalty-free licence to use the content you post."
    per_clause = [
        [s.to_json() for s in plain_statements(licence, None, ["content_licence"])],
        [s.to_json() for s in plain_statements(licence.replace("use", "host"), None, ["content_licence"])],
    ]
    assert per_clause[0] and per_clause[0] == per_clause[1]
    assert unique_statements(s for clause in per_clause for s in clause) == per_clause[0]


def test_what_the_other_version_states_elsewhere_is_no_change() -> None:
    """A whole clause added or removed is checked against the other version's clauses of its topic."""
    licence = "You grant us a worldwide, royalty-free, sublicensable licence to use the content you post."
    still = {"content_licence": ["We may use your content under a worldwide, royalty-free licence."]}

    def elsewhere(topic: str) -> list[str]:
        return still.get(topic, [])

    removed = plain_statements(licence, None, ["content_licence"], elsewhere)
    assert [s.text_en for s in removed] == ["licence to your content: no longer sublicensable"]
    added = plain_statements(None, licence, ["content_licence"], elsewhere)
    assert [s.text_en for s in added] == ["licence to your content: now sublicensable"]
    # places: only those no clause of the other version names are stated
    courts = "Disputes go to the courts of Ireland or of California."
    still["jurisdiction"] = ["The courts of Ireland decide."]
    assert [s.text_en for s in plain_statements(courts, None, ["jurisdiction"], elsewhere)] == [
        "courts: no longer California"
    ]
    still["jurisdiction"].append("Or a court in California.")
    assert plain_statements(courts, None, ["jurisdiction"], elsewhere) == []
    # flags and ownership
    still["arbitration"] = ["Any dispute is resolved by binding arbitration."]
    assert plain_statements("Disputes are settled by arbitration.", None, ["arbitration"], elsewhere) == []
    still["content_ownership"] = ["You retain ownership of your content."]
    assert plain_statements(None, "You own what you post.", ["content_ownership"], elsewhere) == []
    # a modified clause is compared with its own old text only
    modified = plain_statements(licence, licence.replace(", sublicensable", ""), ["content_licence"], elsewhere)
    assert [s.text_en for s in modified] == ["licence to your content: no longer sublicensable"]
    assert [s.text_en for s in plain_statements(licence, licence.replace("royalty-free", "paid"),
                                                ["content_licence"], elsewhere)] == [
        "licence to your content: no longer royalty-free"
    ]


def test_x_dropping_its_second_copy_of_the_terms_is_not_a_loss_of_rights() -> None:
    """X's page carried the terms for outside and inside the EU, then one copy (Open Terms Archive,
    ODC-By 1.0; data/recorded/twitter): the removed copy's licence, law and courts are still stated by
    the remaining one, so no "no longer royalty-free" or "governing law: no longer California". The next
    real move of the courts, to Texas in 2024, is still stated."""
    from tosmonitor.changes import build_clause_changes
    from tosmonitor.resources import data_dir
    from tosmonitor.statements import unique_statements

    versions = sorted((data_dir() / "recorded" / "twitter" / "Terms of Service").glob("*.md"))

    def statements(date: str) -> list[str]:
        index = next(i for i, path in enumerate(versions) if path.name.startswith(date))
        old, new = (versions[i].read_text(encoding="utf-8") for i in (index - 1, index))
        clauses = build_clause_changes(old, new)
        return [s["text_en"] for s in unique_statements(s for c in clauses for s in c.statements)]

    assert statements("2023-05-18") == []  # 2 copies -> 1: 9 "no longer" statements before the fix
    # 1 -> 2 copies again: the only new thing the second copy brought is a class-action waiver
    assert statements("2023-08-23") == ["disputes: now class-action waiver"]
    moved_to_texas = statements("2024-10-21")
    assert "courts: now Northern District, Texas, Tarrant County" in moved_to_texas


def test_swedish_and_german_places_are_stated():
    [sv] = plain_statements(
        "Dessa villkor regleras av svensk lag.", "Dessa villkor regleras av finsk lag.", ["governing_law"]
    )
    assert (sv.old, sv.new, sv.text_fi) == ("Sweden", "Finland", "sovellettava laki: Ruotsi → Suomi")
    [de] = plain_statements(
        "Diese Bedingungen unterliegen irischem Recht.",
        "Diese Bedingungen unterliegen kalifornischem Recht.",
        ["governing_law"],
    )
    assert de.text_en == "governing law: Ireland → California"
    [court] = plain_statements(
        "Tvister avgörs av Stockholms tingsrätt.", "Tvister avgörs av Helsingfors tingsrätt.", ["jurisdiction"]
    )
    assert court.text_en == "courts: Stockholm → Helsinki"
