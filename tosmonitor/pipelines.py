"""Scrapy item pipeline: record each fetched document (snapshot -> version -> change) in one transaction."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from tosmonitor.crawling import load_checked_declarations
from tosmonitor.fetching import FetchResult
from tosmonitor.recording import record_fetch
from tosmonitor.store import make_engine, transaction

logger = logging.getLogger(__name__)


class RecordPipeline:
    """Writes every :class:`FetchResult` to the database; a kill between items loses nothing committed."""

    def __init__(self, database_url: str, declarations_dir: str) -> None:
        self.engine = make_engine(database_url)
        self.declarations = load_checked_declarations(Path(declarations_dir))
        self.outcomes: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordPipeline:
        return cls(crawler.settings.get("TOSMONITOR_DATABASE_URL"), crawler.settings.get("TOSMONITOR_DECLARATIONS"))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchResult):
            return item
        with transaction(self.engine) as session:
            outcome = record_fetch(session, self.declarations[item.service_id], item)
        self.outcomes.append(outcome)
        level = logging.WARNING if outcome.outcome == "failed" else logging.INFO
        logger.log(level, "%s / %s: %s %s", item.service_id, item.doc_type, outcome.outcome, outcome.message or "")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        self.engine.dispose()
