"""A site for the security tests: the web tests' real recorded versions plus one hostile terms version.

The hostile version goes through the recorder's own :func:`~tosmonitor.recording.add_version` (which
builds the change, its clauses, topics and statements) and the reviews are opened as the recorder does,
so every page, API answer and email shows it exactly as it would show a crawled one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.test_web_app import Site, build_site
from tosmonitor.recording import add_version
from tosmonitor.reviews import open_reviews_for_change
from tosmonitor.store import make_engine, repository, transaction
from tosmonitor.store.models import ChangeClause, Review, User

# Each payload inside a clause the topic rules flag (governing law, courts), so it reaches the review
# queue, the lookup brief and the alert email, not only the change page.
TEMPLATE_PROBE = "TPL-{{7*7}}-END"  # rendered as TPL-49-END if the text were ever evaluated as a template
PAYLOAD = (
    "\n\n## Disputes <script>alert('heading')</script>\n\n"
    "Any dispute is governed by the laws of the State of California and brought exclusively in the federal or "
    "state courts of San Francisco <script>alert(1)</script> \"><img src=x onerror=alert(1)> "
    "'><svg onload=alert(1)> see [our policy](javascript:alert(1)) or <a href=\"javascript:alert(2)\">here</a> "
    f"and {TEMPLATE_PROBE} ${{7*7}} <iframe src=\"javascript:alert(3)\"></iframe>.\n"
)
SCRIPT = "<script>alert(1)</script>"


@dataclass
class HostileSite:
    site: Site
    change_id: int  # the change into the hostile version
    review_id: int  # an open review of one of its clauses
    twitter_doc_id: int
    from_number: int
    to_number: int
    user_ids: dict[str, int]


@pytest.fixture(scope="package")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    tmp = tmp_path_factory.mktemp("security")
    site = build_site(f"sqlite:///{tmp / 'security.db'}", tmp, youtube_versions=3)
    engine = make_engine(site.url)
    with transaction(engine) as session:
        document = repository.find_document(session, "twitter", "Terms of Service")
        assert document is not None
        latest = repository.latest_version(session, document.id)
        assert latest is not None
        version = add_version(session, document, latest.text + PAYLOAD, datetime.now(UTC), snapshot_ids=[],
                              source="crawl")
        change = repository.change_into(session, version.id)
        assert change is not None
        open_reviews_for_change(session, change)
        session.flush()
        review = session.scalar(select(Review).join(ChangeClause).where(ChangeClause.change_id == change.id)
                                .order_by(Review.id))
        assert review is not None, "the hostile clause is flagged and gets a review"
        users = {u.name: u.id for u in session.scalars(select(User))}
        result = HostileSite(site, change.id, review.id, document.id, latest.number, version.number, users)
    engine.dispose()
    return result
