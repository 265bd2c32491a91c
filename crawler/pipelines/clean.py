"""CleanPipeline: decode each page, run the cleaners, attach export records to the document.

A page whose bytes no charset reads cleanly is never guessed into mojibake: it becomes a
:class:`FailedFetch` with the decoder's reason, which the catalog lists.  A first page fails
the document; a later one ends the document there, as a page that failed to download does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured

from cleaners import CLEANER_VERSION, clean, decode_html
from cleaners.types import CleanOptions, CleanResult, Page
from crawler.records import build_records
from spiders.items import Document, FailedFetch

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)

__all__ = ["CleanPipeline", "UndecodablePage", "clean_document", "decode_document"]


class UndecodablePage(ValueError):
    """Page ``index`` of a document gives no readable text in any encoding."""

    def __init__(self, index: int, url: str, status: int, reason: str) -> None:
        super().__init__(f"{url}: undecodable ({reason})")
        self.index = index
        self.url = url
        self.status = status
        self.reason = reason


def decode_document(doc: Document, profile: SiteProfile | None) -> tuple[list[Page], UndecodablePage | None]:
    """The pages of ``doc`` as text, up to the first one that cannot be decoded (returned too, or None)."""
    forced = profile.encoding if profile is not None and profile.encoding != "auto" else None
    pages = []
    for index, page in enumerate(doc.pages):
        decoded = decode_html(page.body, forced or page.declared_encoding)
        if decoded.text is None:
            return pages, UndecodablePage(index, page.url, page.status, decoded.reason or "no charset fits")
        pages.append(Page(url=page.url, html=decoded.text))
    return pages, None


def clean_document(doc: Document, profile: SiteProfile | None, options: CleanOptions) -> CleanResult:
    """Decode and clean the pages of one document, as a crawl does (also used to replay a fixture WARC)."""
    pages, undecodable = decode_document(doc, profile)
    if undecodable is not None:
        raise undecodable
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
        profile = getattr(self.crawler.spider, "profile", None)
        pages, undecodable = decode_document(item, profile)
        if undecodable is not None:
            self._inc("undecodable")
            logger.warning("%s", undecodable)
            failure = FailedFetch(site=item.site, url=undecodable.url, status=undecodable.status,
                                  kind="undecodable", reason=undecodable.reason)
            if undecodable.index == 0:
                return failure
            item.failures.append(failure)
            item.pages = item.pages[:undecodable.index]
        result = clean(pages, None if profile is None or profile.generic else profile.rules, self.options)
        if not result.records:
            self._inc("dropped_empty")
            # In generic mode most pages (lists, indexes) hold no speech: expected, so DEBUG.
            raise DropItem(f"{item.url}: no speech after cleaning ({result.skipped})",
                           log_level="DEBUG" if item.generic else "WARNING")
        item.records = build_records(item, result, CLEANER_VERSION)
        self._inc("records", len(item.records))
        return item
