"""BackoffRetryMiddleware: Scrapy's retries, spaced out exponentially and honouring Retry-After.

Scrapy's RetryMiddleware re-queues a failed request at once, so a host answering 503 because it is
overloaded gets the same load again within milliseconds, and a 429 with ``Retry-After: 30`` is
retried before the server said it would answer.  This subclass keeps Scrapy's decisions (which
statuses and exceptions, how many times, the stats) and adds *when*: attempt *n* waits
``base * 2**(n-1)`` seconds, at least what Retry-After asked, at most the cap.  A server that asks for
more than the cap is not waited for: the page is given up and the catalog says why.

The wait happens in ``process_request`` of the retried request, so it holds one slot of this site's
crawler (each site has its own), never the reactor, and it ends early when the crawl closes.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Self

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request

from crawler.downloadermiddlewares._wait import wait
from spiders.failures import FAILURE_NOTE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

__all__ = ["BackoffRetryMiddleware", "backoff_delay", "parse_retry_after", "retry_later", "META_NOT_BEFORE"]

META_NOT_BEFORE = "speechcrawl_not_before"
"""time.monotonic() before which a retried request must not be sent."""


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or invalid."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Wait before retry number ``attempt`` (1-based): exponential, at least Retry-After, at most ``cap``."""
    delay = base * 2 ** max(attempt - 1, 0)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


def retry_later(crawler: Crawler, request: Request, reason: str | Exception, *, retry_after: float | None = None
                ) -> Request | None:
    """A retry of ``request`` due after the backoff delay, or None when its retries are used up."""
    assert crawler.spider is not None
    settings = crawler.settings
    new = get_retry_request(request, spider=crawler.spider, reason=reason, logger=logger,
                            give_up_log_level=settings.get("RETRY_GIVE_UP_LOG_LEVEL"))
    if new is not None:
        delay = backoff_delay(new.meta["retry_times"], settings.getfloat("SPEECHCRAWL_RETRY_BACKOFF_BASE"),
                              settings.getfloat("SPEECHCRAWL_RETRY_BACKOFF_MAX"), retry_after)
        new.meta[META_NOT_BEFORE] = time.monotonic() + delay
    return new


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries like Scrapy's RetryMiddleware (same statuses, exceptions and counts), after a backoff delay.

    Settings
    --------
    RETRY_ENABLED, RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS (Scrapy's),
    SPEECHCRAWL_RETRY_BACKOFF_BASE, SPEECHCRAWL_RETRY_BACKOFF_MAX.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.cap = settings.getfloat("SPEECHCRAWL_RETRY_BACKOFF_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        logger.info("retries: %d per page, backoff %.2fs doubling up to %.0fs", mw.max_retry_times,
                    crawler.settings.getfloat("SPEECHCRAWL_RETRY_BACKOFF_BASE"), mw.cap)
        return mw

    async def process_request(self, request: Request) -> None:
        left = request.meta.get(META_NOT_BEFORE, 0.0) - time.monotonic()
        if left > 0:
            await wait(self.crawler, left)

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        if retry_after is not None and retry_after > self.cap:
            self.crawler.stats.inc_value("speechcrawl/retry/retry_after_too_long")  # type: ignore[union-attr]
            request.meta[FAILURE_NOTE] = (f"server asked to retry after {retry_after:.0f}s, more than "
                                       f"SPEECHCRAWL_RETRY_BACKOFF_MAX ({self.cap:.0f}s)")
            return response
        if retry_after is not None:
            self.crawler.stats.inc_value("speechcrawl/retry/retry_after")  # type: ignore[union-attr]
        return retry_later(self.crawler, request, f"HTTP {response.status}", retry_after=retry_after) or response

    def process_exception(self, request: Request, exception: Exception  # type: ignore[override]
                          ) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            return retry_later(self.crawler, request, exception)
        return None
