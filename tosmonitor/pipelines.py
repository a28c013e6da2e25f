"""Scrapy item pipeline: record each fetched document (snapshot -> version -> change) in one transaction."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from sqlalchemy.exc import DBAPIError

from tosmonitor.crawling import load_checked_declarations
from tosmonitor.fetching import FetchResult
from tosmonitor.recording import record_fetch
from tosmonitor.store import make_engine, transaction
from tosmonitor.store.db import database_error_reason

logger = logging.getLogger(__name__)


class RecordPipeline:
    """Writes every :class:`FetchResult` to the database; a kill between items loses nothing committed."""

    def __init__(self, database_url: str, declarations_dir: str, progress_total: int = 0) -> None:
        self.engine = make_engine(database_url)
        self.declarations = load_checked_declarations(Path(declarations_dir))
        self.outcomes: list[Any] = []
        self.progress_total = progress_total

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordPipeline:
        return cls(
            crawler.settings.get("TOSMONITOR_DATABASE_URL"),
            crawler.settings.get("TOSMONITOR_DECLARATIONS"),
            crawler.settings.getint("TOSMONITOR_PROGRESS_TOTAL"),
        )

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchResult):
            return item
        try:
            with transaction(self.engine) as session:
                outcome = record_fetch(session, self.declarations[item.service_id], item)
        except DBAPIError as error:  # rolled back: the document is reported as not recorded
            logger.error("%s / %s: not recorded, database error: %s", item.service_id, item.doc_type,
                         database_error_reason(error))
            return item
        self.outcomes.append(outcome)
        if self.progress_total:
            detail = f" ({outcome.failure_kind})" if outcome.failure_kind else ""
            print(
                f"[{len(self.outcomes)}/{self.progress_total}] {item.service_id} / {item.doc_type}: "
                f"{outcome.outcome}{detail}",
                file=sys.stderr,
                flush=True,
            )
        level = logging.WARNING if outcome.outcome == "failed" else logging.INFO
        logger.log(level, "%s / %s: %s %s", item.service_id, item.doc_type, outcome.outcome, outcome.message or "")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        self.engine.dispose()
