"""CleanPipeline: decode each page, run the cleaners, attach export records to the document.

The work is :func:`corpus.records.clean_document`, shared with ``reprocess`` and ``site
check`` so that all three give the same records for the same pages.  On a re-crawl, a
document whose every page came back as a revisit of the payloads its latest records were
cleaned from (same digests, same cleaner version) is not cleaned again: those records are
what cleaning would give (corpus.history.unchanged_records), and it is what makes a
re-crawl of an unchanged site cheap in CPU as well as in bytes.  A page whose bytes no
charset reads cleanly is never guessed into mojibake: it becomes a :class:`FailedFetch`
with the decoder's reason, which the catalog lists.  A first page fails the document; a
later one ends the document there, as a page that failed to download does.  A page that
yields no text is listed too, when that is not by design (:func:`corpus.records.yielded_nothing`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem, NotConfigured

from archive.exceptions import ArchiveError
from cleaners import CLEANER_VERSION
from cleaners.types import CleanOptions
from corpus.catalog import Catalog
from corpus.history import cleaning_key, profile_sha256, unchanged_records
from corpus.records import clean_document, yielded_nothing
from crawler import signals as sc_signals
from crawler.ledger_gate import written_pages
from crawler.paths import catalog_path_from
from crawler.storage import stop_crawl, write_failure
from spiders.items import Document, FailedFetch

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Spider
    from scrapy.crawler import Crawler

    from archive.warc import WarcWriter

logger = logging.getLogger(__name__)

__all__ = ["CleanPipeline"]


class CleanPipeline:
    """Runs :func:`cleaners.clean` on every :class:`Document`.

    Settings
    --------
    SPEECHCRAWL_CLEAN_ENABLED
    """

    def __init__(self, crawler: Crawler, options: CleanOptions, catalog_path: Path | None = None) -> None:
        self.crawler = crawler
        self.options = options
        self.catalog_path = catalog_path
        self.catalog: Catalog | None = None
        self.writer: WarcWriter | None = None
        """The recorder's writer: a document cleaned again has its held re-checks written first (crawler.ledger_gate)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("SPEECHCRAWL_CLEAN_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_CLEAN_ENABLED is off")
        catalog = catalog_path_from(settings) if settings.getbool("SPEECHCRAWL_CATALOG_ENABLED") else None
        pipe = cls(crawler, CleanOptions(), catalog)
        crawler.signals.connect(pipe.writer_opened, signal=sc_signals.warc_writer_opened)
        return pipe

    def writer_opened(self, writer: WarcWriter, spider: Spider | None = None) -> None:
        self.writer = writer

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.catalog_path is not None and self.catalog_path.exists():
            self.catalog = Catalog(self.catalog_path)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.catalog is not None:
            self.catalog.close()
            self.catalog = None

    def _already_cleaned(self, doc: Document) -> list[dict[str, object]] | None:
        if self.catalog is None or not doc.pages or any(p.warc is None or not p.warc.revisit_of for p in doc.pages):
            return None
        digests = [p.warc.payload_digest for p in doc.pages if p.warc is not None]
        key = cleaning_key(CLEANER_VERSION, profile_sha256(getattr(self.crawler.spider, "profile", None)))
        return unchanged_records(self.catalog.conn, doc.url, digests, key)

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"speechcrawl/clean/{key}", count)

    def process_item(self, item: object) -> object:
        if not isinstance(item, Document):
            return item
        stored = self._already_cleaned(item)
        if stored is not None:
            self._inc("unchanged_reused")
            self._inc("records", len(stored))
            item.records = stored
            item.reused = True
            return item
        try:
            written_pages(self.writer, item)  # its records' provenance must point at written records
        except (OSError, ArchiveError) as exc:
            assert self.writer is not None
            stop_crawl(self.crawler, write_failure(self.writer.location, exc))
            raise DropItem(f"not archived (the re-check ledger could not be written): {item.url}",
                           log_level="INFO") from None
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
        item.failures += yielded_nothing(item, cleaned)
        if cleaned.outcome != "records":
            self._inc(cleaned.outcome)
            # In generic mode most pages (lists, indexes) hold no speech: expected, so DEBUG.  The
            # catalog still lists the failures attached above (CatalogPipeline.item_dropped).
            raise DropItem(cleaned.reason, log_level="DEBUG" if item.generic else "WARNING")
        item.records = cleaned.records
        self._inc("records", len(item.records))
        return item
