"""KnownUrlsMiddleware: a re-crawl also asks for every page the catalog already holds records of.

Lists show what is new; they do not show what was edited deep in the archive or taken
down.  After the spider's own start requests this middleware yields one request per
document URL of the site that has records in the catalog, so every known article is
compared with its latest version (corpus.history) and a removed one is found gone even
when nothing links to it any more.  They go through the duplicate filter like any other
request: a known article also reached from a list page is fetched once.

Off for sample crawls (``site check --live``), which must fetch the same few pages every time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured

from corpus.catalog import Catalog
from corpus.history import known_urls
from crawler.paths import catalog_path_from

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["KnownUrlsMiddleware"]


class KnownUrlsMiddleware:
    """Adds the catalog's known document URLs of the site to the start requests.

    Settings
    --------
    SPEECHCRAWL_RECRAWL_KNOWN, SPEECHCRAWL_CATALOG_ENABLED, SPEECHCRAWL_CATALOG_PATH, SPEECHCRAWL_SAMPLE_ARTICLES
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not (settings.getbool("SPEECHCRAWL_RECRAWL_KNOWN") and settings.getbool("SPEECHCRAWL_CATALOG_ENABLED")):
            raise NotConfigured
        if settings.getint("SPEECHCRAWL_SAMPLE_ARTICLES") > 0 or settings.getint("SPEECHCRAWL_SAMPLE_LISTS") > 0:
            raise NotConfigured  # a sample crawl fetches a fixed set of pages
        return cls(crawler)

    def _known(self) -> list[str]:
        spider = self.crawler.spider
        path = catalog_path_from(self.crawler.settings)
        if spider is None or not path.exists():
            return []
        catalog = Catalog(path)
        try:
            return known_urls(catalog.conn, spider.name)
        finally:
            catalog.close()

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            yield item_or_request
        spider = self.crawler.spider
        profile = getattr(spider, "profile", None)
        hosts = set(profile.hosts) if profile is not None else set()
        known = self._known()
        # A profile rebased onto another origin (a mirror, a sandbox on a new port) keeps its old URLs in the
        # catalog: only those on the site's hosts now are asked for.
        urls = [u for u in known if not hosts or urlsplit(u).netloc in hosts]
        if urls:
            logger.info("re-crawl: %d pages known from earlier crawls are checked again", len(urls))
        if len(urls) < len(known):
            logger.info("re-crawl: %d known pages are on other hosts than %s now; not asked for",
                        len(known) - len(urls), ", ".join(sorted(hosts)))
        for url in urls:
            yield Request(url, callback=getattr(spider, "parse", None))
