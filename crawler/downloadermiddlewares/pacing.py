"""HostPacingMiddleware: per host, the robots.txt Crawl-delay and the pauses a server asks for.

Scrapy obeys robots.txt Allow/Disallow but ignores ``Crawl-delay``, and AutoThrottle only ever
looks at latency, so a site that asks for one request every 5 seconds, or answers 429/503 with
``Retry-After``, gets neither.  This middleware keeps, per host (``host:port``), the earliest time
the next request may start: each request moves it on by the Crawl-delay, and a Retry-After answer
pushes it to "now + Retry-After" for every request to that host, not only the retried one.  Both
are capped, so a hostile robots.txt cannot stall a crawl for hours.

It runs after RobotsTxtMiddleware (which fetches and parses robots.txt first) and waits in
``process_request``: the wait holds a slot of this site's crawler, never the reactor.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawler.downloadermiddlewares._wait import wait as wait_or_close
from crawler.downloadermiddlewares.retry import parse_retry_after

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["HostPacingMiddleware"]


class HostPacingMiddleware:
    """Spaces requests to a host by its robots.txt Crawl-delay and pauses it on Retry-After.

    Settings
    --------
    SPEECHCRAWL_PACING_ENABLED, SPEECHCRAWL_PACING_MAX_DELAY (cap for both, seconds),
    ROBOTSTXT_USER_AGENT / USER_AGENT (whose Crawl-delay group applies).
    """

    def __init__(self, *, max_delay: float, user_agent: str, crawler: Crawler | None = None) -> None:
        self.max_delay = max_delay
        self.user_agent = user_agent
        self.crawler = crawler
        self.crawl_delay: dict[str, float] = {}
        self._next: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SPEECHCRAWL_PACING_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_PACING_ENABLED is off")
        return cls.listening(crawler)

    @classmethod
    def listening(cls, crawler: Crawler, **kwargs: Any) -> Self:
        """A middleware with this crawler's settings that hears every robots.txt parsed."""
        settings = crawler.settings
        mw = cls(max_delay=settings.getfloat("SPEECHCRAWL_PACING_MAX_DELAY"),
                 user_agent=settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*",
                 crawler=crawler, **kwargs)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def _inc(self, key: str, value: float = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"speechcrawl/pacing/{key}", value)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Read Crawl-delay for our user agent (Protego exposes it; other parsers may not)."""
        parser = getattr(robotparser, "rp", None)
        if parser is None or not hasattr(parser, "crawl_delay"):
            return
        delay = parser.crawl_delay(self.user_agent)
        if not delay:
            return
        netloc = urlparse_cached(request).netloc
        capped = min(float(delay), self.max_delay)
        self.crawl_delay[netloc] = capped
        logger.info("robots.txt of %s asks Crawl-delay %ss; spacing requests by %.1fs", netloc, delay, capped)

    def set_pause(self, netloc: str, seconds: float, now: float | None = None) -> None:
        """No request to ``netloc`` starts in the next ``seconds`` (capped)."""
        until = (time.monotonic() if now is None else now) + min(seconds, self.max_delay)
        self._next[netloc] = max(self._next.get(netloc, 0.0), until)

    def book(self, netloc: str, now: float | None = None) -> float:
        """Reserve the next start time for a request to ``netloc``; return how long it must wait.

        The slot is booked before anyone sleeps, so concurrent requests line up one gap apart.
        """
        now = time.monotonic() if now is None else now
        start = max(now, self._next.get(netloc, 0.0))
        gap = self.crawl_delay.get(netloc, 0.0)
        if gap or start > now:
            self._next[netloc] = start + gap
        return start - now

    async def process_request(self, request: Request) -> None:
        wait = self.book(urlparse_cached(request).netloc)
        if wait > 0:
            self._inc("waits")
            self._inc("waited_seconds", wait)
            await wait_or_close(self.crawler, wait)

    def pause_asked(self, request: Request, response: Response) -> float:
        """The pause a 429/503 answer asks with Retry-After (0: none), now kept for its host; capped."""
        if response.status not in (429, 503):
            return 0.0
        seconds = parse_retry_after(response.headers.get(b"Retry-After"))
        if not seconds:
            return 0.0
        self._inc("retry_after_pauses")
        self.set_pause(urlparse_cached(request).netloc, seconds)
        return min(seconds, self.max_delay)

    def pause_left(self, netloc: str, now: float | None = None) -> float:
        """Seconds before this process may contact ``netloc`` again (0: now).

        A Retry-After pause; here also the next booked start, but the distributed variant
        (crawler.distributed.politeness) books in Redis, so for it this is the pause alone."""
        return max(0.0, self._next.get(netloc, 0.0) - (time.monotonic() if now is None else now))

    def process_response(self, request: Request, response: Response) -> Response:
        self.pause_asked(request, response)
        return response
