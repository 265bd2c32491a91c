"""DistributedPolitenessMiddleware: per-host politeness for a crawl shared by several worker processes.

Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN and DOWNLOAD_DELAY, and HostPacingMiddleware's Crawl-delay
and Retry-After pauses, hold per process: three workers on one host would each send their share,
three times what the host asked for.  With SPEECHCRAWL_REDIS_URL set the add-on puts this
middleware in HostPacingMiddleware's place.  It is that middleware (it inherits how a Crawl-delay
is read from robots.txt and a pause from Retry-After, with the same caps), except that *when* a
request may start is decided in Redis for every process at once (crawler.distributed.hostlimits):

- a request first takes one of the host's CONCURRENT_REQUESTS_PER_DOMAIN slots for the whole
  crawl, a lease that this process renews while the request lives and that expires when the
  process dies, and gives it back when the response or the error comes;
- then it books its start: max(Crawl-delay, DOWNLOAD_DELAY) after the previous start to that host
  from any worker, and not inside a Retry-After pause any worker was told about.

Waiting never blocks the reactor and ends when the crawl closes (crawler.downloadermiddlewares._wait).
When Redis cannot be reached, requests wait for it with backoff (one WARNING when it goes, one when
it is back); they never go out unpaced.

The middleware sits late in the chain (DOWNLOADER_MIDDLEWARES order 910, after the redirect and
retry middlewares and Scrapy's HTTP cache): a middleware that answers a response with a new Request ends the response
chain, and the ones before it in that chain would never see the response and free the slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import task

from crawler.distributed.hostlimits import HostLimits
from crawler.distributed.keys import connect_async
from crawler.distributed.outbox import REDIS_ERRORS, Outage
from crawler.downloadermiddlewares._wait import CrawlClosingError
from crawler.downloadermiddlewares._wait import wait as wait_or_close
from crawler.downloadermiddlewares.pacing import HostPacingMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

__all__ = ["DistributedPolitenessMiddleware", "host_port", "outage_of"]

T = TypeVar("T")

META_LEASE = "speechcrawl_host_lease"
"""request.meta key of the (host, token) slot lease a request holds between its process_request and its answer."""
_POLL_FIRST, _POLL_MAX = 0.02, 0.1
"""Seconds between two tries for a slot of a busy host that another process holds, growing by half each time
(a slot this process frees wakes its next request at once; only one request per host and process polls)."""
_OUTAGE_FIRST, _OUTAGE_MAX = 0.5, 10.0
"""Seconds between two tries to reach a Redis that is down, doubling each time."""


def host_port(request: Request) -> str:
    """``host:port`` of a request, the port spelled out (80/443 by default): the key politeness is owed to."""
    parts = urlparse_cached(request)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


_OUTAGES: dict[str, Outage] = {}
"""One outage state per Redis and process: one WARNING when it goes, one when it is back, for every crawler."""


def outage_of(url: str) -> Outage:
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 6379}"  # never the password of the URL
    return _OUTAGES.setdefault(where, Outage(f"host politeness (Redis at {where}; no request is sent unpaced)"))


@dataclass
class _Lease:
    host: str
    renew_until: float
    """time.monotonic() after which the lease is no longer renewed (a request that never came back)."""


class DistributedPolitenessMiddleware(HostPacingMiddleware):
    """Crawl-wide per-host concurrency, spacing and pauses through Redis (see the module docstring).

    Settings
    --------
    SPEECHCRAWL_REDIS_URL (required), CONCURRENT_REQUESTS_PER_DOMAIN (slots per host for the whole
    crawl), DOWNLOAD_DELAY, SPEECHCRAWL_PACING_ENABLED (obey Crawl-delay and Retry-After),
    SPEECHCRAWL_PACING_MAX_DELAY (cap), SPEECHCRAWL_POLITENESS_LEASE (seconds a slot outlives a dead worker).
    """

    def __init__(self, *, max_delay: float, user_agent: str, crawler: Crawler | None = None,
                 limits: HostLimits, outage: Outage, per_host: int, gap: float, pacing: bool,
                 download_timeout: float) -> None:
        super().__init__(max_delay=max_delay, user_agent=user_agent, crawler=crawler)
        self.limits = limits
        self.outage = outage
        self.per_host = per_host
        self.gap = gap
        self.pacing = pacing
        self.download_timeout = download_timeout
        self._leases: dict[str, _Lease] = {}
        self._unreleased: list[tuple[str, str]] = []
        self._tokens = itertools.count(1)
        self._turns: dict[str, asyncio.Lock] = {}
        """Per host, the queue of this process's requests waiting for a slot: only its head asks Redis."""
        self._freed: dict[str, asyncio.Event] = {}
        """Per host, set when this process frees a slot, so the waiting head asks again at once."""
        self._prefix = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._renewal = task.LoopingCall(self._renew_tick)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("SPEECHCRAWL_REDIS_URL")
        if not url:
            raise NotConfigured("SPEECHCRAWL_REDIS_URL is not set")
        client = connect_async(url, decode_responses=True)
        max_delay = settings.getfloat("SPEECHCRAWL_PACING_MAX_DELAY")
        mw = cls.listening(crawler, limits=HostLimits(client, max_delay=max_delay,
                                                      lease=settings.getfloat("SPEECHCRAWL_POLITENESS_LEASE")),
                           outage=outage_of(url), per_host=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
                           gap=settings.getfloat("DOWNLOAD_DELAY"), pacing=settings.getbool("SPEECHCRAWL_PACING_ENABLED"),
                           download_timeout=settings.getfloat("DOWNLOAD_TIMEOUT"))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        if self.pacing:  # connected by listening(); SPEECHCRAWL_PACING_ENABLED decides whether it counts
            super().robots_parsed(robotparser, request)

    def spider_opened(self) -> None:
        self._renewal.start(self.limits.lease / 3, now=False)

    async def spider_closed(self) -> None:
        """Give back every slot still held (requests cut off by the close), once; then drop the connection."""
        if self._renewal.running:
            self._renewal.stop()
        held = [(lease.host, token) for token, lease in self._leases.items()] + self._unreleased
        self._leases.clear()
        self._unreleased = []
        try:
            await self.limits.release(held)
        except REDIS_ERRORS as exc:
            logger.warning("could not free %d host slots in Redis (%s): they expire in %.0fs", len(held), exc,
                           self.limits.lease)
        await self.limits.client.aclose()

    async def _answered(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call()`` once Redis answers: during an outage, try again with backoff until it does or the crawl closes."""
        pause = _OUTAGE_FIRST
        while True:  # bounded by the crawl: wait_or_close raises CrawlClosingError once it closes
            try:
                result = await call()
            except REDIS_ERRORS as exc:
                self._went(exc)
                await wait_or_close(self.crawler, pause)
                pause = min(pause * 2, _OUTAGE_MAX)
                continue
            self.outage.recovered()
            return result

    def _went(self, exc: BaseException) -> None:
        """A Redis call failed: the outage's first failure is counted and logged once (the per-call backoff is
        the caller's: requests waiting together must not push each other's retries out to the cap)."""
        if not self.outage.down:
            self._inc("redis_outages")
        self.outage.failed(exc)

    async def process_request(self, request: Request) -> None:
        host, netloc = host_port(request), urlparse_cached(request).netloc
        token = f"{self._prefix}:{next(self._tokens)}"
        entered, poll = time.monotonic(), _POLL_FIRST
        async with self._turns.setdefault(host, asyncio.Lock()):  # in order; the holder leaves on close too
            while True:  # bounded by the crawl: a slot frees within a download timeout, or the crawl closes
                booking = await self._answered(lambda: self.limits.acquire_and_book(
                    host, token, limit=self.per_host, gap=self.gap, crawl_delay=self.crawl_delay.get(netloc, 0.0),
                    pause=self.pause_left(netloc), read_published=self.pacing))
                if booking.booked:
                    break
                if booking.wait > 0:  # not this request's turn yet: ask again when it is near
                    await wait_or_close(self.crawler, booking.wait)
                    continue
                if poll == _POLL_FIRST:
                    self._inc("slot_waits")
                await self._until_freed(host, poll)  # every slot taken
                poll = min(poll * 1.5, _POLL_MAX)
        if self.per_host > 0:
            request.meta[META_LEASE] = (host, token)
            self._leases[token] = _Lease(host, time.monotonic() + booking.wait + self.download_timeout
                                         + self.limits.lease)
        try:
            await wait_or_close(self.crawler, booking.wait)
        except CrawlClosingError:
            await self._release(request)
            raise
        if (waited := time.monotonic() - entered) > 0.01:
            self._inc("waits")
            self._inc("waited_seconds", waited)

    async def _until_freed(self, host: str, seconds: float) -> None:
        """Wait until this process frees a slot of ``host`` or ``seconds`` pass (another worker may free one)."""
        freed = self._freed.setdefault(host, asyncio.Event())
        freed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(freed.wait(), seconds)
        await wait_or_close(self.crawler, 0)  # raises CrawlClosingError once the crawl closes

    async def process_response(  # type: ignore[override]  # Scrapy awaits what a middleware returns
            self, request: Request, response: Response) -> Response:
        await self._release(request)
        if self.pacing and (seconds := self.pause_asked(request, response)):
            try:
                await self.limits.pause(host_port(request), seconds)
            except REDIS_ERRORS as exc:  # kept here all the same: the next booking to this host carries it
                self._went(exc)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        await self._release(request)

    async def _release(self, request: Request) -> None:
        """Free the request's slot, once; with Redis down, later (the renewal retries it) or at the lease's end."""
        lease = request.meta.pop(META_LEASE, None)
        if lease is None:
            return
        self._leases.pop(lease[1], None)
        try:
            await self.limits.release([lease])
        except REDIS_ERRORS as exc:
            self._went(exc)
            self._unreleased.append(lease)
            return
        if (freed := self._freed.get(lease[0])) is not None:
            freed.set()

    def _renew_tick(self) -> Deferred[None]:
        return deferred_from_coro(self._renew())

    async def _renew(self) -> None:
        """Keep the leases of live requests from expiring; retry releases an outage held up."""
        now = time.monotonic()
        for token in [t for t, lease in self._leases.items() if lease.renew_until < now]:
            del self._leases[token]  # its request never came back: let its slot expire
        held = [(lease.host, token) for token, lease in self._leases.items()]
        unreleased, self._unreleased = self._unreleased, []
        try:
            await self.limits.renew(held)
            await self.limits.release(unreleased)
        except REDIS_ERRORS as exc:
            self._went(exc)
            self._unreleased = unreleased + self._unreleased
            return
        self.outage.recovered()
