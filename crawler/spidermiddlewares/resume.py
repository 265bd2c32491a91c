"""ResumeMiddleware: a resumed crawl does not fetch again the documents it already stored.

With ``SPEECHCRAWL_RESUME`` on, the spider's requests for URLs whose records this crawl id already
committed to the catalog are dropped before they reach the scheduler (like Scrapy's offsite and
depth filters), whether a page links to them or they are start requests (the re-crawl of known URLs).  List pages are never dropped: they are how the frontier of the killed run is found
again.  In generic mode every page is both a document and a source of links, so nothing is
skipped: a skipped article would hide the links only it carries.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from crawler.paths import catalog_path_from, crawl_id_from
from crawler.resume import done_documents

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["ResumeMiddleware"]


class ResumeMiddleware:
    """Drops requests for documents the resumed crawl has already stored.

    Settings
    --------
    SPEECHCRAWL_RESUME (off: not installed), SPEECHCRAWL_CRAWL_ID, SPEECHCRAWL_CATALOG_PATH / SPEECHCRAWL_DATA_DIR.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.done: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SPEECHCRAWL_RESUME"):
            raise NotConfigured
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        if getattr(getattr(spider, "profile", None), "generic", False):
            logger.info("resume %s: generic mode, every page is fetched again", spider.name)
            return
        settings = self.crawler.settings
        self.done = done_documents(catalog_path_from(settings), crawl_id_from(settings), spider.name)
        logger.info("resume %s: %d documents already stored are skipped", spider.name, len(self.done))

    def _keep(self, item: Any) -> bool:
        if isinstance(item, Request) and item.url in self.done:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("speechcrawl/resume/skipped")
            return False
        return True

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        return (item for item in result if self._keep(item))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]
                                          ) -> AsyncIterator[Any]:
        async for item in result:
            if self._keep(item):
                yield item

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Start requests too: the re-crawl of known URLs (KnownUrlsMiddleware, order 710, whose output
        passes through here) would otherwise fetch again every document the killed run stored."""
        async for item in start:
            if self._keep(item):
                yield item
