"""CrawlLimits: ``--max-pages`` and ``--max-duration`` of a distributed crawl hold for the whole crawl.

In a local crawl they are Scrapy's CLOSESPIDER_PAGECOUNT and CLOSESPIDER_TIMEOUT, per site.  Given to
each of N workers they would allow N times the pages, and a worker that joins late its own full
duration.  So a worker's settings move them here (crawler.distributed.crawls.worker_settings): every
response counts in one Redis counter per site; the worker whose count reaches the limit, or any worker
once the crawl's start is ``max_duration`` behind, marks the site stopped (with Scrapy's reason) and
over, and every worker closes its share of the site at its next tick.  As in a local crawl, requests
already in flight still finish, so a limit can be passed by what was in flight in every worker.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.distributed.link import Link, link_for

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.internet.task import LoopingCall

__all__ = ["CrawlLimits"]

CHECK_SECONDS = 1.0
"""How often a worker asks whether another worker stopped the site."""


class CrawlLimits:
    """Settings: SPEECHCRAWL_CRAWL_MAX_PAGES, SPEECHCRAWL_CRAWL_MAX_DURATION, SPEECHCRAWL_CRAWL_STARTED_AT."""

    def __init__(self, crawler: Crawler, link: Link, *, max_pages: int, max_duration: float,
                 started_at: float) -> None:
        self.crawler, self.link = crawler, link
        self.max_pages, self.max_duration, self.started_at = max_pages, max_duration, started_at
        self.closing = False
        self.ticker: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        max_pages, max_duration = s.getint("SPEECHCRAWL_CRAWL_MAX_PAGES"), s.getfloat("SPEECHCRAWL_CRAWL_MAX_DURATION")
        if not s.get("SPEECHCRAWL_WORKER_ID") or not (max_pages or max_duration):
            raise NotConfigured  # silently: most crawls have no limit
        limits = cls(crawler, link_for(crawler), max_pages=max_pages, max_duration=max_duration,
                     started_at=s.getfloat("SPEECHCRAWL_CRAWL_STARTED_AT") or time.time())
        crawler.signals.connect(limits.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(limits.spider_closed, signal=signals.spider_closed)
        if max_pages:
            crawler.signals.connect(limits.response_received, signal=signals.response_received)
        return limits

    def _site(self) -> Any:
        spider = self.crawler.spider
        return self.link.keys.site(spider.name if spider is not None else self.crawler.spidercls.name)

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet.task import LoopingCall

        self.ticker = LoopingCall(self.tick)
        self.ticker.start(CHECK_SECONDS, now=True)

    def spider_closed(self, spider: Spider) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        key = self._site().pages
        self.link.outbox.send(lambda client: client.incr(key), self._counted)

    def _counted(self, count: int) -> None:
        if int(count) >= self.max_pages:
            self._stop("closespider_pagecount")

    def tick(self) -> None:
        if self.closing:
            return
        if self.max_duration and time.time() - self.started_at >= self.max_duration:
            self._stop("closespider_timeout")
            return
        key = self._site().stopped
        self.link.outbox.send(lambda client: client.get(key), self._stopped_elsewhere)

    def _stopped_elsewhere(self, reason: bytes | str | None) -> None:
        if reason:
            self._close(reason.decode() if isinstance(reason, bytes) else reason)

    def _stop(self, reason: str) -> None:
        """Mark the site stopped (the first reason stands) and over for every worker, then close here."""
        site, now = self._site(), time.time()
        self.link.outbox.send(lambda client: client.set(site.stopped, reason, nx=True))
        self.link.outbox.send(lambda client: client.set(site.done, now, nx=True))
        self._close(reason)

    def _close(self, reason: str) -> None:
        if self.closing or self.crawler.engine is None:
            return
        self.closing = True
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))
