"""Waiting inside a downloader middleware without holding a closing crawl hostage.

Scrapy closes a spider (--max-pages, --max-duration, Ctrl-C) only when every request in the
downloader is done, and a request waiting for its backoff or its Crawl-delay turn is one of them:
a plain sleep of 60 s would keep a finished crawl alive for 60 s.  The wait is therefore cut in
short steps and abandoned, with :class:`CrawlClosingError`, as soon as the engine starts closing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import sleep

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["CrawlClosingError", "wait"]

_STEP = 0.2


class CrawlClosingError(IgnoreRequest):
    """The crawl closed while this request waited its turn: not a failure of the page."""

    kind = None
    """Tells spiders.failures this is no failure to record."""


def _closing(crawler: Crawler | None) -> bool:
    try:
        engine = getattr(crawler, "engine", None)
    except RuntimeError:  # Scrapy 2.19: "Crawler.engine is not set yet", a crawler whose crawl has not started
        return False
    slot = getattr(engine, "_slot", None)  # Scrapy has no public "closing" flag; absent means "not closing"
    return engine is not None and (not getattr(engine, "running", True) or getattr(slot, "closing", None) is not None)


async def wait(crawler: Crawler | None, seconds: float) -> None:
    """Sleep ``seconds``, or raise CrawlClosingError as soon as the crawl starts closing."""
    deadline = time.monotonic() + seconds
    while True:  # bounded by ``seconds``
        if _closing(crawler):  # also with nothing left to wait: a closing crawl starts no new download
            raise CrawlClosingError("crawl closing: request abandoned while waiting (backoff or Crawl-delay)")
        if (left := deadline - time.monotonic()) <= 0:
            return
        await sleep(min(left, _STEP))
