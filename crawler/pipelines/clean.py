"""CleanPipeline: decode each page, run the cleaners, attach export records to the document.

A document whose bytes no charset reads cleanly is not cleaned at all (mojibake must never reach an
export): it leaves this pipeline as a :class:`FailedFetch` with the decoder's reason.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured

from cleaners import CLEANER_VERSION, clean, decode_html
from cleaners.types import CleanOptions, Page
from crawler.records import build_records
from spiders.items import Document, FailedFetch

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
        forced = profile.encoding if profile is not None and profile.encoding != "auto" else None
        pages = []
        for k, page in enumerate(item.pages):
            decoded = decode_html(page.body, forced or page.declared_encoding)
            if decoded.text is None:
                # Never guessed into mojibake: the page becomes a failure the catalog lists.  A first page
                # fails the document; a later one ends it there, as a page that failed to download does.
                self._inc("undecodable")
                logger.warning("%s: undecodable (%s)", page.url, decoded.reason)
                failure = FailedFetch(site=item.site, url=page.url, status=page.status, kind="undecodable",
                                      reason=decoded.reason)
                if k == 0:
                    return failure
                item.failures.append(failure)
                item.pages = item.pages[:k]
                break
            pages.append(Page(url=page.url, html=decoded.text))
        rules = None if profile is None or profile.generic else profile.rules
        result = clean(pages, rules, self.options)
        if not result.records:
            self._inc("dropped_empty")
            # In generic mode most pages (lists, indexes) hold no speech: expected, so DEBUG.
            raise DropItem(f"{item.url}: no speech after cleaning ({result.skipped})",
                           log_level="DEBUG" if item.generic else "WARNING")
        item.records = build_records(item, result, CLEANER_VERSION)
        self._inc("records", len(item.records))
        return item
