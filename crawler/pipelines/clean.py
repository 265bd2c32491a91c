"""CleanPipeline: decode each page, run the cleaners, attach export records to the document."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured

from cleaners.types import CleanOptions
from crawler.records import clean_document
from spiders.items import Document

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


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
        profile = getattr(self.crawler.spider, "profile", None)
        cleaned = clean_document(item, profile, self.options)
        if cleaned.outcome != "records":
            self._inc(cleaned.outcome)
            # In generic mode most pages (lists, indexes) hold no speech: expected, so DEBUG.
            quiet = item.generic and cleaned.outcome == "dropped_empty"
            raise DropItem(cleaned.reason, log_level="DEBUG" if quiet else "WARNING")
        item.records = cleaned.records
        self._inc("records", len(item.records))
        return item
