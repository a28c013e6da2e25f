"""Run a crawl: prepare Scrapy settings from tosmonitor's settings, run the spider, report outcomes."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from tosmonitor.config import Settings
from tosmonitor.declarations import DeclarationError, DocumentDeclaration, ServiceDeclaration, load_declarations


def load_checked_declarations(directory: Path) -> dict[str, ServiceDeclaration]:
    """Declarations validated against the registered filter names (read once per process and content)."""
    files = sorted((f.name, f.stat().st_mtime_ns) for f in directory.glob("*.json")) if directory.is_dir() else []
    return _load_checked(directory, tuple(files))


@functools.lru_cache(maxsize=8)
def _load_checked(directory: Path, files: tuple[tuple[str, int], ...]) -> dict[str, ServiceDeclaration]:
    from tosmonitor import filters

    return load_declarations(directory, known_filters=filters.names())


def select_services(services: dict[str, ServiceDeclaration], only: Sequence[str]) -> list[ServiceDeclaration]:
    unknown = [s for s in only if s not in services]
    if unknown:
        raise DeclarationError(
            "(command line)",
            "SERVICE",
            f"unknown service(s) {', '.join(unknown)}; declared: {', '.join(sorted(services))}",
        )
    return [services[s] for s in (only or sorted(services))]


def planned_documents(scrapy_settings: BaseSettings, only: Sequence[str]) -> Iterator[DocumentDeclaration]:
    """Every document the spider must fetch, in a stable order."""
    services = load_checked_declarations(Path(scrapy_settings.get("TOSMONITOR_DECLARATIONS")))
    for service in select_services(services, only):
        for doc_type in sorted(service.documents):
            yield service.documents[doc_type]


def scrapy_settings(settings: Settings, *, needs_browser: bool, log_level: str = "WARNING") -> dict[str, Any]:
    """Scrapy settings for a crawl from tosmonitor's own settings."""
    from tosmonitor import settings as defaults

    values = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
    values.update(
        USER_AGENT=settings.user_agent,
        ROBOTSTXT_OBEY=settings.obey_robots_txt,
        DOWNLOAD_VERIFY_CERTIFICATES=settings.verify_certificates,
        DOWNLOAD_DELAY=settings.download_delay,
        AUTOTHROTTLE_START_DELAY=settings.download_delay,
        DOWNLOAD_TIMEOUT=settings.download_timeout,
        CONCURRENT_REQUESTS_PER_DOMAIN=settings.concurrent_requests_per_domain,
        RETRY_TIMES=settings.retry_times,
        LOG_LEVEL=log_level,
        TOSMONITOR_DATABASE_URL=settings.resolved_database_url,
        TOSMONITOR_DECLARATIONS=str(settings.declarations),
    )
    if settings.download_delay == 0:
        values["AUTOTHROTTLE_ENABLED"] = False
    if needs_browser:
        handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
        values["DOWNLOAD_HANDLERS"] = {"http": handler, "https": handler}
        values["PLAYWRIGHT_LAUNCH_OPTIONS"] = {
            **defaults.PLAYWRIGHT_LAUNCH_OPTIONS,
            "executable_path": settings.chromium_path,
        }
    return values


@dataclass(frozen=True)
class CrawlReport:
    started_at: datetime
    planned: int
    outcomes: list[Any]


def run_crawl(
    settings: Settings, services: Sequence[ServiceDeclaration], *, log_level: str = "WARNING", progress: bool = False
) -> None:
    """Crawl the documents of ``services`` (blocking; runs the Twisted reactor once per process)."""
    from scrapy.crawler import CrawlerProcess

    needs_browser = any(
        source.execute_client_scripts for s in services for d in s.documents.values() for source in d.sources
    )
    values = scrapy_settings(settings, needs_browser=needs_browser, log_level=log_level)
    if progress:
        values["TOSMONITOR_PROGRESS_TOTAL"] = sum(len(s.documents) for s in services)
    process = CrawlerProcess(values)
    if log_level != "INFO":  # not --verbose: a failed fetch is a failed check in the summary, said once
        import logging

        logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    process.crawl("terms", services=",".join(s.id for s in services))
    process.start()
