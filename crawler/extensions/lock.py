"""CrawlLockExtension: a crawl holds ``DATA/locks/<site>.lock`` from before its first fetch to its end.

Built with the other extensions, before the downloader, pipelines and WARC writer exist, so a
crawl refused here has opened nothing and written nothing (:mod:`crawler.crawllock` says why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import signals

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
    SPEECHCRAWL_DATA_DIR
    """

    def __init__(self, lock: CrawlLock) -> None:
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # The spider exists by now (Scrapy creates it before the extensions); its name, not its class's, is the
        # site: the `site new` probe is one class crawling under each new site's name.
        spider = getattr(crawler, "spider", None)
        site = getattr(spider, "name", None) or getattr(crawler.spidercls, "name", None) or "?"
        ext = cls(CrawlLock(data_dir_from(crawler.settings), site).acquire())
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self, spider: Spider | None = None) -> None:
        self.lock.release()
