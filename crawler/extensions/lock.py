"""CrawlLockExtension: a crawl holds ``DATA/locks/<site>.lock`` from before its first fetch to its end.

Built with the other extensions, before the downloader, pipelines and WARC writer exist, so a
crawl refused here has opened nothing and written nothing (:mod:`crawler.crawllock` says why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.crawllock import CrawlLock
from crawler.paths import data_dir_from

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["CrawlLockExtension"]


class CrawlLockExtension:
    """Takes the site's crawl lock when built; releases it when the engine stops.

    Settings
    --------
    SPEECHCRAWL_DATA_DIR, SPEECHCRAWL_CATALOG_ENABLED (off: no lock)
    """

    def __init__(self, lock: CrawlLock) -> None:
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SPEECHCRAWL_CATALOG_ENABLED"):
            # A probe or sample writes no catalog rows, and its WARC files carry its own crawl id.
            raise NotConfigured("no catalog to guard (SPEECHCRAWL_CATALOG_ENABLED is off)")
        site = getattr(crawler.spidercls, "name", None) or "?"
        ext = cls(CrawlLock(data_dir_from(crawler.settings), site).acquire())
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self, spider: Spider | None = None) -> None:
        self.lock.release()
