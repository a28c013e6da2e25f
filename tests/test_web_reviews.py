"""Reviews: which clauses get one, decisions carried forward to later versions, idempotent creation,
and the ``user`` / ``review`` / ``lookup`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import Cli, cli_env
from tosmonitor.clauses import split_clauses
from tosmonitor.lookup import open_reviews_by_change
from tosmonitor.recording import add_version
from tosmonitor.reviews import ReviewError, decide, decide_change, ensure_reviews, open_reviews_for_change
from tosmonitor.store import make_engine, repository, transaction
from tosmonitor.store.models import Change, ChangeClause, Review
from tosmonitor.topics import tag
from tosmonitor.web import sample


def youtube_terms(engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    documents = [d for d in sample.choose(["youtube"]) if d.doc_type == "Terms of Service"]
    sample.declare(engine, documents, tmp_path / "declarations")
    return documents


def add(engine, text: str, when) -> Change | None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        document = repository.find_document(session, "youtube", "Terms of Service")
        version = add_version(session, document, text, when, snapshot_ids=[], source="test")
        change = repository.change_into(session, version.id)
        if change is not None:
            open_reviews_for_change(session, change)
        return change


def drop_and_restore(text: str, clause: str) -> tuple[str, str]:
    """``text``'s clauses as paragraphs without ``clause``, then with it again (and one more sentence)."""
    clauses = [c.text for c in split_clauses(text)]
    assert clause in clauses
    without = "\n\n".join(c for c in clauses if c != clause) + "\n"
    restored = "\n\n".join([*clauses, "A closing sentence added for this test."]) + "\n"
    return without, restored


def reviews_of(engine, change_id: int) -> list[tuple[str, str, str, int | None, str | None]]:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        rows = session.execute(
            select(ChangeClause.new_text, ChangeClause.severity, Review.status, Review.carried_from_id, Review.reviewer)
            .join(Review, Review.change_clause_id == ChangeClause.id).where(ChangeClause.change_id == change_id)
        ).all()
        return [tuple(row) for row in rows]


def test_flagged_clauses_get_reviews_and_decisions_carry_forward(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    document = youtube_terms(engine, tmp_path)[0]
    first = document.versions[0].read_text(encoding="utf-8")
    second = document.versions[12].read_text(encoding="utf-8")  # licence and law clauses rewritten
    times = [sample.recorded_time(p) for p in document.versions[11:15]]
    add(engine, first, times[0])
    change = add(engine, second, times[1])
    with transaction(engine) as session:
        clauses = session.scalars(select(ChangeClause).where(ChangeClause.change_id == change.id)).all()
        flagged = [c for c in clauses if c.severity in ("high", "medium")]
        reviews = session.scalars(select(Review).join(ChangeClause).where(ChangeClause.change_id == change.id)).all()
        assert len(reviews) == len(flagged) > 0  # high and medium clauses, no low ones
        assert all(r.status == "open" for r in reviews)
        high = next(c for c in flagged if c.severity == "high" and c.new_text and tag(c.new_text).severity == "high")
        high_text = high.new_text
        review = session.scalar(select(Review).where(Review.change_clause_id == high.id))
        decide(session, review.id, "accepted", "lea", "fine")
        decided_id = review.id
    # the clause disappears, then comes back word for word: still decided
    without, restored_text = drop_and_restore(second, high_text)
    add(engine, without, times[2])
    restored = add(engine, restored_text, times[3])
    back = [r for r in reviews_of(engine, restored.id) if r[0] == high_text]
    assert back == [(high_text, "high", "accepted", decided_id, "lea")]
    with transaction(engine) as session:
        assert ensure_reviews(session) == 0  # idempotent
        count = session.scalar(select(func.count()).select_from(Review))
    with transaction(engine) as session:
        assert ensure_reviews(session) == 0
        assert session.scalar(select(func.count()).select_from(Review)) == count
    engine.dispose()


def test_a_decision_settles_later_open_reviews_of_the_same_text(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    document = youtube_terms(engine, tmp_path)[0]
    first = document.versions[0].read_text(encoding="utf-8")
    second = document.versions[12].read_text(encoding="utf-8")  # licence and law clauses rewritten
    times = [sample.recorded_time(p) for p in document.versions[11:15]]
    add(engine, first, times[0])
    change = add(engine, second, times[1])
    with transaction(engine) as session:
        high = next(c for c in session.scalars(select(ChangeClause).where(ChangeClause.change_id == change.id))
                    if c.severity == "high" and c.new_text and tag(c.new_text).severity == "high")
        high_text, high_id = high.new_text, high.id
    without, restored_text = drop_and_restore(second, high_text)
    add(engine, without, times[2])
    restored = add(engine, restored_text, times[3])
    assert [r[2] for r in reviews_of(engine, restored.id) if r[0] == high_text] == ["open"]
    with transaction(engine) as session:
        review = session.scalar(select(Review).where(Review.change_clause_id == high_id))
        decide(session, review.id, "escalated", "lea", "ask the DPO")
    assert [r[2:] for r in reviews_of(engine, restored.id) if r[0] == high_text] == [("escalated", review.id, "lea")]
    engine.dispose()


def test_one_decision_for_a_whole_change(database_url: str, tmp_path: Path) -> None:
    """decide_change: every open review of the change gets the decision, a review legal already decided
    keeps its own, later open reviews of the same texts follow, a later removal's reviews wait."""
    engine = make_engine(database_url)
    document = youtube_terms(engine, tmp_path)[0]
    second = document.versions[12].read_text(encoding="utf-8")  # licence and law clauses rewritten
    times = [sample.recorded_time(p) for p in document.versions[11:15]]
    add(engine, document.versions[0].read_text(encoding="utf-8"), times[0])
    change = add(engine, second, times[1])
    with transaction(engine) as session:
        flagged = [c for c in session.scalars(select(ChangeClause).where(ChangeClause.change_id == change.id))
                   if c.severity == "high" and c.new_text and tag(c.new_text).severity == "high"]
        kept, followed = flagged[0].new_text, flagged[1].new_text
        review = session.scalar(select(Review).where(Review.change_clause_id == flagged[0].id))
        decide(session, review.id, "escalated", "lea", "ask the DPO")
        kept_id = review.id
    # later versions drop both clauses, then bring them back word for word
    clauses = [c.text for c in split_clauses(second)]
    removal = add(engine, "\n\n".join(c for c in clauses if c not in (kept, followed)) + "\n", times[2])
    restored = add(engine, "\n\n".join([*clauses, "A closing sentence added for this test."]) + "\n", times[3])
    before = reviews_of(engine, change.id)
    with transaction(engine) as session:
        decided = decide_change(session, change.id, "accepted", "lea", "read as a whole")
        assert kept_id not in [r.id for r in decided]
        assert len(decided) == sum(1 for r in before if r[2] == "open") >= 2
    assert {(r[0], r[2], r[4]) for r in reviews_of(engine, change.id)} == {
        (r[0], "escalated" if r[0] == kept else "accepted", "lea") for r in before
    }
    back = {r[0]: r[2] for r in reviews_of(engine, restored.id) if r[0] in (kept, followed)}
    assert back == {kept: "escalated", followed: "accepted"}  # the same texts back: the decisions follow
    with transaction(engine) as session:  # a removal is another event: its reviews wait for their own
        removed = session.scalars(select(Review.status).join(ChangeClause).where(ChangeClause.change_id == removal.id,
                                                                                ChangeClause.kind == "removed"))
        assert set(removed) == {"open"}
    with transaction(engine) as session:
        assert decide_change(session, change.id, "accepted", "lea") == []  # nothing open any more
        with pytest.raises(ReviewError, match="no change"):
            decide_change(session, 999_999, "accepted", "lea")
        with pytest.raises(ReviewError, match="decision must be"):
            decide_change(session, removal.id, "open", "lea")
    engine.dispose()


def test_open_reviews_grouped_by_change_keep_the_queue_order() -> None:
    def row(review: int, change: int, version: int, severity: str, *topics: str) -> dict[str, object]:
        return {"id": review, "change": change, "type": "Terms of Service", "version": version, "severity": severity,
                "topics": list(topics)}

    rows = [row(9, 3, 5, "high", "jurisdiction"), row(4, 2, 4, "high", "content_licence"),
            row(8, 3, 5, "medium", "jurisdiction", "unilateral_change")]
    assert open_reviews_by_change(rows) == [
        {"change": 3, "type": "Terms of Service", "version": 5, "severity": "high", "count": 2,
         "topics": ["jurisdiction", "unilateral_change"]},
        {"change": 2, "type": "Terms of Service", "version": 4, "severity": "high", "count": 1,
         "topics": ["content_licence"]},
    ]


def test_lazy_reviews_for_changes_recorded_without_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lazy.db'}")
    from tosmonitor.store import upgrade

    upgrade(engine)
    document = youtube_terms(engine, tmp_path)[0]
    with transaction(engine) as session:
        row = repository.find_document(session, "youtube", "Terms of Service")
        for path in document.versions[:3]:
            add_version(session, row, path.read_text(encoding="utf-8"), sample.recorded_time(path),
                        snapshot_ids=[], source="test")
        opened_at_record_time = session.scalar(select(func.count()).select_from(Review))
        assert opened_at_record_time > 0  # the recorder opens reviews for flagged clauses
        for review in session.scalars(select(Review)):  # as in a database from before reviews existed
            session.delete(review)
    with transaction(engine) as session:
        assert ensure_reviews(session) == opened_at_record_time
        assert ensure_reviews(session) == 0
    engine.dispose()


def test_user_review_and_lookup_commands(database_url: str, tmp_path: Path) -> None:
    documents = [d for d in sample.choose(["youtube"]) if d.doc_type == "Terms of Service"]
    declarations = tmp_path / "declarations"
    with sample.ReplayServer(documents=documents) as server:
        server.write_declarations(declarations)
    cli = Cli(cli_env(database_url, tmp_path, declarations), tmp_path)
    assert cli("init").returncode == 0
    engine = make_engine(database_url)
    sample.add_recorded_versions(engine, documents, limit=3)
    engine.dispose()

    added = cli("user", "add", "lea", "--role", "legal", input="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert cli("user", "add", "cal", "--role", "comms", input="another-password\n").returncode == 0
    short = cli("user", "add", "bob", "--role", "legal", input="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    assert cli("user", "add", "bob", "--role", "boss", input="a-long-password\n").returncode == 2

    unknown = cli("review", "list", "--service", "nosuch")
    assert unknown.returncode == 1 and "unknown service 'nosuch'; known: youtube" in unknown.stderr
    listed = cli("review", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    reviews = json.loads(listed.stdout)
    assert reviews and all(r["status"] == "open" for r in reviews)
    severities = [r["severity"] for r in reviews]
    assert severities == sorted(severities, key=lambda s: s != "high")  # high first
    first = reviews[0]["id"]
    text = cli("review", "list")
    assert f"#{first}" in text.stdout

    shown = json.loads(cli("review", "show", str(first), "--json").stdout)
    assert shown["id"] == first and "diff" in shown
    assert cli("review", "show", str(first)).returncode == 0
    assert cli("review", "show", "99999").returncode == 1

    refused = cli("review", "decide", str(first), "accepted", "--reviewer", "cal")
    assert refused.returncode == 1 and "legal" in refused.stderr
    done = cli("review", "decide", str(first), "accepted", "--reviewer", "lea", "--note", "ok")
    assert done.returncode == 0, done.stderr
    after = json.loads(cli("review", "list", "--status", "accepted", "--json").stdout)
    assert (first, "lea", "ok") in [(r["id"], r["reviewer"], r["note"]) for r in after]

    change = next(r["change"] for r in reviews if r["id"] != first)
    still_open = [r["id"] for r in reviews if r["change"] == change and r["id"] != first]
    assert cli("review", "decide-change", str(change), "accepted", "--reviewer", "cal").returncode == 1
    assert cli("review", "decide-change", "99999", "accepted", "--reviewer", "lea").returncode == 1
    whole = cli("review", "decide-change", str(change), "needs_action", "--reviewer", "lea", "--note", "all", "--json")
    assert whole.returncode == 0, whole.stderr
    assert json.loads(whole.stdout) == {"change": change, "status": "needs_action", "reviews": still_open}
    open_now = json.loads(cli("review", "list", "--json").stdout)
    assert not [r for r in open_now if r["change"] == change]

    lookup = cli("lookup", "youtube", "--json")
    assert lookup.returncode == 0, lookup.stderr
    data = json.loads(lookup.stdout)
    assert data["service"] == "youtube" and data["topics"]
    people = cli("lookup", "youtube", "--lang", "fi")
    assert "Johtoryhmä" in people.stdout
    for heading in ("Kaupungin kanava", "Asiakirjat", "Tarkistuslista kanavan avaamiseen", "Avoimet tarkastukset",
                    "Voimassa olevat lausekkeet aiheittain", "== lisenssi sisältöön (korkea)"):
        assert heading in people.stdout, heading
    for english in ("Channel", "Checklist", "Open reviews", "last changed", "not reviewed", "[Terms of Service"):
        assert english not in people.stdout, english
    assert "Open reviews" in cli("lookup", "youtube", "--lang", "en").stdout
    assert cli("lookup", "nope").returncode == 1


def test_every_web_command_has_help_with_an_example() -> None:
    from tosmonitor.commands.web import COMMANDS

    def walk(command):  # type: ignore[no-untyped-def]
        yield command
        for sub in getattr(command, "commands", {}).values():
            yield from walk(sub)

    for top in COMMANDS:
        for command in walk(top):
            assert "Example" in (command.help or ""), command.name


def test_lookup_lists_a_clause_the_page_carries_twice_once(database_url: str, tmp_path: Path) -> None:
    """X's page carried its terms twice (for the EU and elsewhere) under the same headings: the brief
    lists each clause once per topic."""
    from tosmonitor.lookup import lookup_report

    engine = make_engine(database_url)
    youtube_terms(engine, tmp_path)
    copy = ("### Your Rights\n\nYou grant us a worldwide, royalty-free and sublicensable licence to use "
            "the content you post.\n\n### Disputes\n\nThese terms are governed by the laws of Ireland.\n\n")
    text = "# Terms of Service\n\n##### **If you live outside the EU**\n\n" + copy
    text += "##### **If you live in the EU**\n\n" + copy + "### Other\n\nWe may change these terms at any time.\n"
    add(engine, text, sample.recorded_time(youtube_terms(engine, tmp_path / "again")[0].versions[0]))
    with transaction(engine) as session:
        report = lookup_report(session, "youtube")
    licence = next(t for t in report["topics"] if t["topic"] == "content_licence")
    assert [c["text"] for c in licence["clauses"]] == [
        "You grant us a worldwide, royalty-free and sublicensable licence to use the content you post."
    ]
    engine.dispose()
