"""The one generic spider: fetch every declared terms document, page by page.

Thin on purpose: which documents to fetch comes from :mod:`tosmonitor.crawling`, what a response or
an error means comes from :mod:`tosmonitor.fetching`, and storing is the pipeline's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from tosmonitor.crawling import planned_documents
from tosmonitor.declarations import DocumentDeclaration
from tosmonitor.fetching import FetchedPage, FetchResult, failure_from_exception, media_type_of, utcnow

# Error pages reach the callback (to be recorded as failed checks); redirects are still followed.
ERROR_STATUSES = list(range(400, 600))


class TermsSpider(scrapy.Spider):
    name = "terms"

    def __init__(self, services: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.only = [s for s in services.split(",") if s]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for document in planned_documents(self.settings, self.only):
            yield self._request(document, FetchResult(document.service_id, document.type, utcnow()), 0)

    def _request(self, document: DocumentDeclaration, result: FetchResult, index: int) -> scrapy.Request:
        source = document.sources[index]
        meta = {"document": document, "result": result, "index": index, "handle_httpstatus_list": ERROR_STATUSES}
        if source.execute_client_scripts:
            meta["playwright"] = True
        return scrapy.Request(
            source.fetch, callback=self.parse_page, errback=self.on_error, meta=meta, dont_filter=True
        )

    def parse_page(self, response: Response) -> Iterator[scrapy.Request | FetchResult]:
        document, result, index = response.meta["document"], response.meta["result"], response.meta["index"]
        result.pages.append(
            FetchedPage(
                url=response.url,
                status=response.status,
                media_type=media_type_of(response.headers.get("Content-Type"), response.body),
                body=response.body,
            )
        )
        if response.status < 400 and index + 1 < len(document.sources):
            yield self._request(document, result, index + 1)
        else:
            yield result

    def on_error(self, failure: Failure) -> Iterator[FetchResult]:
        request = failure.request  # type: ignore[attr-defined]
        result: FetchResult = request.meta["result"]
        result.failure = failure_from_exception(failure.value, request.url)
        yield result
