"""CleanPipeline: decode each page, run the cleaners, attach export records to the document.

The work is :func:`crawler.records.clean_document`, shared with ``reprocess`` and ``site
check`` so that all three give the same records for the same pages.  A page whose bytes no
charset reads cleanly is never guessed into mojibake: it becomes a :class:`FailedFetch`
with the decoder's reason, which the catalog lists.  A first page fails the document; a
later one ends the document there, as a page that failed to download does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured

from cleaners.types import CleanOptions
from crawler.records import clean_document
from spiders.items import Document, FailedFetch

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["CleanPipeline"]


class CleanPipeline:
    """Runs :func:`cleaners.clean` on every :class:`Document`.

    Settings
    --------
    SPEECHCRAWL_CLEAN_ENABLED
    """

    def __init__(self, crawler: Crawler, options: CleanOptions) -> None:
        self.crawler = crawler
        self.options = options

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SPEECHCRAWL_CLEAN_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_CLEAN_ENABLED is off")
        return cls(crawler, CleanOptions())

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"speechcrawl/clean/{key}", count)

    def process_item(self, item: object) -> object:
        if not isinstance(item, Document):
            return item
        cleaned = clean_document(item, getattr(self.crawler.spider, "profile", None), self.options)
        bad = cleaned.undecodable
        if bad is not None:
            self._inc("undecodable")
            logger.warning("%s", bad)
            failure = FailedFetch(site=item.site, url=bad.url, status=bad.status, kind="undecodable",
                                  reason=bad.reason)
            if bad.index == 0:
                return failure
            item.failures.append(failure)
            item.pages = item.pages[:bad.index]
        if cleaned.outcome != "records":
            self._inc(cleaned.outcome)
            # In generic mode most pages (lists, indexes) hold no speech: expected, so DEBUG.
            raise DropItem(cleaned.reason, log_level="DEBUG" if item.generic else "WARNING")
        item.records = cleaned.records
        self._inc("records", len(item.records))
        return item
