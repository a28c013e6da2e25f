"""A declaration change is a technical upgrade: the latest version's own pages are re-extracted first, so a
real change of the terms fetched at the same time is still a real (alerted) change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from tests.responders import TERMS, terms_page
from tosmonitor.crawling import load_checked_declarations
from tosmonitor.declarations import ServiceDeclaration
from tosmonitor.fetching import FetchedPage, FetchResult
from tosmonitor.recording import add_version, record_fetch
from tosmonitor.store import repository, transaction
from tosmonitor.store.models import Change, Check, Version
from tosmonitor.store.repository import sync_declarations

URL = "https://example.org/terms"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROMO = "Download our app and save ten percent on your first order today."
CALIFORNIA = TERMS[2].replace("the laws of Ireland and disputes go to the courts of Dublin",
                              "the laws of California and disputes go to the courts of San Francisco")


def page(paragraphs: list[str]) -> bytes:
    """The terms with a promotion inside the article, which a later declaration removes."""
    return terms_page([*paragraphs[:2], f'<span class="promo">{PROMO}</span>', *paragraphs[2:]]).encode()


class Site:
    def __init__(self, engine: Engine, directory: Path) -> None:
        self.engine, self.directory, self.week = engine, directory, 0
        directory.mkdir()

    def declare(self, **extra: object) -> ServiceDeclaration:
        terms = {"fetch": URL, "select": ["main article"], **extra}
        declared = {"name": "Example", "terms": {"Terms of Service": terms}}
        (self.directory / "example.json").write_text(json.dumps(declared))
        declaration = load_checked_declarations(self.directory)["example"]
        with transaction(self.engine) as session:
            sync_declarations(session, [declaration])
        return declaration

    def check(self, declaration: ServiceDeclaration, body: bytes) -> str:
        self.week += 1
        when = START + timedelta(weeks=self.week)
        fetched = FetchedPage(url=URL, status=200, media_type="text/html; charset=utf-8", body=body, fetched_at=when)
        with transaction(self.engine) as session:
            result = FetchResult("example", "Terms of Service", when, pages=[fetched])
            return record_fetch(session, declaration, result).outcome

    def versions(self) -> list[tuple[int, str, bool, bool]]:
        """(number, source, technical, promotion in the text) per version."""
        with transaction(self.engine) as session:
            rows = session.scalars(select(Version).order_by(Version.number)).all()
            return [(v.number, v.source, v.technical, PROMO in v.text) for v in rows]

    def change_into(self, number: int) -> tuple[bool, str, list[str]]:
        with transaction(self.engine) as session:
            change = session.scalar(select(Change).join(Version, Change.to_version_id == Version.id)
                                    .where(Version.number == number))
            statements = [s["text_en"] for c in change.clauses for s in c.statements]
            return change.technical, change.severity, statements


def test_a_real_change_fetched_with_a_new_declaration_is_not_hidden(tmp_path: Path, engine: Engine) -> None:
    site = Site(engine, tmp_path / "declarations")
    old = site.declare()
    assert site.check(old, page(TERMS)) == "new_version"
    new = site.declare(remove=[".promo"])  # the admin drops the promotion; the provider moves to California
    assert site.check(new, page([*TERMS[:2], CALIFORNIA, *TERMS[3:]])) == "new_version"
    assert site.versions() == [(1, "crawl", False, True), (2, "technical", True, False), (3, "crawl", False, False)]
    assert site.change_into(2)[0] is True  # the promotion's removal: technical, never alerted
    technical, severity, statements = site.change_into(3)
    assert not technical and severity == "high"
    assert "governing law: Ireland, Dublin → California, San Francisco" in statements


def test_a_declaration_change_alone_is_one_technical_version(tmp_path: Path, engine: Engine) -> None:
    site = Site(engine, tmp_path / "declarations")
    assert site.check(site.declare(), page(TERMS)) == "new_version"
    new = site.declare(remove=[".promo"])
    assert site.check(new, page(TERMS)) == "unchanged"  # compared with the re-extracted version 2
    assert site.versions() == [(1, "crawl", False, True), (2, "technical", True, False)]
    assert site.check(new, page(TERMS)) == "unchanged"
    # a declaration edit that changes nothing in the text adds no version, and the next change is real
    same = site.declare(remove=[".promo", ".no-such-thing"])
    assert site.check(same, page([*TERMS[:2], CALIFORNIA, *TERMS[3:]])) == "new_version"
    assert site.versions()[-1] == (3, "crawl", False, False)
    assert site.change_into(3)[0] is False


def test_without_the_old_pages_the_step_is_a_real_change(tmp_path: Path, engine: Engine) -> None:
    """A version imported without its pages cannot be re-extracted: the step cannot be split, and it is
    recorded as a real change (alerted) rather than hidden as technical."""
    site = Site(engine, tmp_path / "declarations")
    old = site.declare()
    with transaction(engine) as session:
        document = repository.find_document(session, "example", "Terms of Service")
        text = "# Terms of Service\n\n" + "\n\n".join([*TERMS[:2], PROMO, *TERMS[2:]]) + "\n"
        add_version(session, document, text, START, snapshot_ids=[], source="import")
    assert old
    new = site.declare(remove=[".promo"])
    assert site.check(new, page([*TERMS[:2], CALIFORNIA, *TERMS[3:]])) == "new_version"
    assert [v[:3] for v in site.versions()] == [(1, "import", False), (2, "crawl", False)]
    technical, severity, statements = site.change_into(2)
    assert not technical and severity == "high"  # the move to California alerts legal
    assert "governing law: Ireland, Dublin → California, San Francisco" in statements
    with transaction(engine) as session:
        assert session.scalar(select(Check.outcome).order_by(Check.id.desc())) == "new_version"
