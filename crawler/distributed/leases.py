"""LeaseKeeper: acknowledges leases, re-queues those of dead workers, and decides when a worker may stop.

When a leased request is settled: Scrapy's scraper finishes a response or a download failure only
after the callback's requests were scheduled and its items went through every pipeline (the
handoff included), so the acknowledgement is queued in the outbox then, behind what the page
produced.  Every tick (a LoopingCall, a third of the lease time, at most a second) the keeper

* renews the leases of the requests this worker still works on (they may wait long in its
  downloader), so only a dead worker's leases expire;
* reaps: expired leases go back to the frontier (any worker does it; the scripts are atomic), and
  a request whose lease expired SPEECHCRAWL_LEASE_MAX_ATTEMPTS times is recorded as failed
  (kind ``worker_lost``) and released: a page that kills every worker that fetches it must not
  kill them all;
* says this worker is alive (``speechcrawl:<crawl>:workers``), for ``speechcrawl crawls``;
* wakes the engine, so a request another worker queued is fetched within a tick, not Scrapy's
  five-second heartbeat.

A worker's spider stays open while the crawl is not over: it closes only when the frontier is
empty and no worker holds a lease, and never while Redis is away or its outbox holds unsent writes.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from archive.exceptions import ArchiveError
from crawler import signals as sc_signals
from crawler.distributed.frontier import LEASE_META, Exhausted, wake
from crawler.distributed.handoff import CLOSED, FAILURE
from crawler.distributed.link import Link, link_for
from crawler.distributed.outbox import REDIS_ERRORS
from crawler.downloadermiddlewares.warc import META_POINTER
from crawler.storage import stop_crawl, write_failure

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.task import LoopingCall

    from archive.warc import RecordPointer, WarcWriter

__all__ = ["LeaseKeeper"]

logger = logging.getLogger(__name__)


class LeaseKeeper:
    """Settings: SPEECHCRAWL_LEASE_SECONDS, SPEECHCRAWL_LEASE_MAX_ATTEMPTS, SPEECHCRAWL_WORKER_ID."""

    def __init__(self, crawler: Crawler, link: Link) -> None:
        self.crawler = crawler
        self.link = link
        self.lease_seconds = crawler.settings.getfloat("SPEECHCRAWL_LEASE_SECONDS")
        self.max_attempts = crawler.settings.getint("SPEECHCRAWL_LEASE_MAX_ATTEMPTS")
        self.ticker: LoopingCall | None = None
        self._reaping_since: float | None = None
        self.writer: WarcWriter | None = None
        self._listening = False
        self.awaiting_ledger: dict[str, tuple[tuple[str, str], float]] = {}
        """Leases of settled pages whose re-check waits for its ledger record: record id -> (lease, since when)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        keeper = cls(crawler, link_for(crawler))
        crawler.signals.connect(keeper.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(keeper.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(keeper.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(keeper.writer_opened, signal=sc_signals.warc_writer_opened)
        return keeper

    def writer_opened(self, writer: WarcWriter) -> None:
        self.writer = writer

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet.task import LoopingCall

        scraper = self.crawler.engine.scraper if self.crawler.engine else None
        if scraper is not None:
            settle = self.settle
            enqueue_scrape = scraper.enqueue_scrape

            # Scrapy has no "request fully processed" signal; the scraper's deferred is exactly that.
            def enqueue_and_settle(result: Any, request: Request) -> Any:
                return enqueue_scrape(result, request).addBoth(settle, request)

            scraper.enqueue_scrape = enqueue_and_settle  # type: ignore[method-assign]
        self.ticker = LoopingCall(self.tick)
        self.ticker.start(min(1.0, self.lease_seconds / 3), now=True)

    def settle(self, result: Any, request: Request) -> Any:
        lease = request.meta.get(LEASE_META)
        if lease is None or self.link.queue is None:
            return result
        pointer = request.meta.get(META_POINTER)
        if self.writer is not None and pointer is not None and self.writer.is_held(pointer.record_id):
            # Not archived yet: acknowledged once its ledger record is written, behind its fetch and document.
            if not self._listening:
                # Appended now, not when the writer opened: after the recorder's and the pipelines' listeners,
                # so the acknowledgement is queued behind the fetch and the document they send.
                self.writer.ledger_listeners.append(self._ledger_written)
                self._listening = True
            self.awaiting_ledger[pointer.record_id] = (lease, self._now())
        else:
            self._release(lease)
        return result

    def _release(self, lease: tuple[str, str]) -> None:
        queue = self.link.queue
        assert queue is not None
        self.link.outbox.send(lambda client: queue.release(lease, client))

    def _ledger_written(self, pointers: list[RecordPointer]) -> None:
        for pointer in pointers:
            waiting = self.awaiting_ledger.pop(pointer.record_id, None)
            if waiting is not None:
                self._release(waiting[0])

    def _write_ledger(self) -> None:
        """Write the held re-checks whose leases wait; a failed write stops the crawl, as any (their leases expire
        and other workers fetch the pages again)."""
        writer = self.writer
        if writer is None or not self.awaiting_ledger:
            return
        try:
            writer.flush_ledger()
        except (OSError, ArchiveError) as exc:
            stop_crawl(self.crawler, write_failure(writer.location, exc))

    def tick(self) -> None:
        """Say this worker lives, renew its leases, reap expired ones: one pipeline, sent by the outbox."""
        queue, outbox = self.link.queue, self.link.outbox
        if queue is None or outbox.outage.down:
            return
        if self.awaiting_ledger and self._now() - min(s for _, s in self.awaiting_ledger.values()) > self.lease_seconds:
            self._write_ledger()  # renewed meanwhile, but not for ever (frontier.RENEW_LEASES_FOR)
        if self._reaping_since is None or self._now() - self._reaping_since > self.lease_seconds:
            # the last tick's answer is in: never pile ticks up behind a slow Redis
            self._reaping_since = self._now()
            link, now = self.link, f"{self._now():.0f}"
            outbox.send(lambda client: client.hset(link.keys.workers, link.worker, now))
            outbox.send(lambda client: queue.renew(client))
            outbox.send(lambda client: queue.reap(self.max_attempts, client=client),
                        lambda answer: self._reaped(queue.exhausted(answer)))
        wake(self.crawler)

    def _reaped(self, exhausted: list[Exhausted]) -> None:
        self._reaping_since = None
        queue = self.link.queue
        assert queue is not None
        site = self.crawler.spider.name if self.crawler.spider else "?"
        for lost in exhausted:
            reason = (f"every worker that fetched it stopped before finishing it ({lost.attempts} leases of "
                      f"{self.lease_seconds:g}s expired)")
            logger.error("%s: %s; recorded as failed", lost.request.url, reason)
            entry = {"url": lost.request.url, "status": None, "reason": reason, "kind": "worker_lost",
                     "at": _iso_now()}
            self.link.send_entry(FAILURE, site, json.dumps(entry))
            self.link.outbox.send(partial(queue.release, lost.lease))

    def spider_idle(self, spider: Spider) -> None:
        self._write_ledger()  # nothing else to do, and the crawl is not over while their leases are held
        queue = self.link.queue
        if queue is None or self.link.outbox.outage.down or len(self.link.outbox):
            raise DontCloseSpider
        try:
            finished = queue.finished()
        except REDIS_ERRORS:
            self.link.outbox.send(lambda client: client.ping())
            raise DontCloseSpider from None
        if not finished:
            raise DontCloseSpider

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        summary = {"reason": reason, "pages": stats.get("response_received_count", 0),
                   "records": stats.get("speechcrawl/handoff/records", 0), "at": _iso_now(),
                   # the writer sums every worker's and judges the crawl's health on them (crawler.distributed.ingest)
                   "stats": {k: v for k, v in stats.items() if isinstance(v, int | float | str)}}
        self.link.send_entry(CLOSED, spider.name, json.dumps(summary))
        # The outbox sends in the background: what the crawl queued last must go out before the worker
        # moves on or exits.  A Redis that stays away gets a lease's time; then the leases expire as for a
        # dead worker, and the pages are fetched again.
        left = await self.link.outbox.close(wait=self.lease_seconds)
        if left:
            logger.warning("%s: %d writes to Redis not sent (Redis away); their pages will be fetched again",
                           self.link.outbox.outage.what, left)

    @staticmethod
    def _now() -> float:
        import time

        return time.time()


def _iso_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
