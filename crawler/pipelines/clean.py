"""CleanPipeline: decode each page, run the cleaners, attach export records to the document."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured

from cleaners import CLEANER_VERSION, clean, decode_html
from cleaners.types import CleanOptions, CleanResult, Page
from crawler.records import build_records
from spiders.items import Document

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)

__all__ = ["CleanPipeline", "UndecodablePage", "clean_document"]


class UndecodablePage(ValueError):
    """A page of the document gives no readable text in any encoding."""


def clean_document(doc: Document, profile: SiteProfile | None, options: CleanOptions) -> CleanResult:
    """Decode and clean the pages of one document, as a crawl does (also used to replay a fixture WARC)."""
    forced = profile.encoding if profile is not None and profile.encoding != "auto" else None
    pages = []
    for page in doc.pages:
        decoded = decode_html(page.body, forced or page.declared_encoding)
        if decoded.text is None:
            raise UndecodablePage(f"{page.url}: undecodable ({decoded.reason})")
        pages.append(Page(url=page.url, html=decoded.text))
    return clean(pages, None if profile is None or profile.generic else profile.rules, options)


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
        try:
            result = clean_document(item, getattr(self.crawler.spider, "profile", None), self.options)
        except UndecodablePage as exc:
            self._inc("undecodable")
            raise DropItem(str(exc)) from exc
        if not result.records:
            self._inc("dropped_empty")
            # In generic mode most pages (lists, indexes) hold no speech: expected, so DEBUG.
            raise DropItem(f"{item.url}: no speech after cleaning ({result.skipped})",
                           log_level="DEBUG" if item.generic else "WARNING")
        item.records = build_records(item, result, CLEANER_VERSION)
        self._inc("records", len(item.records))
        return item
