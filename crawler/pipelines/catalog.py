"""CatalogPipeline: records, fetches and failures go to the SQLite catalog.

Writes are batched in one transaction and committed every ``COMMIT_EVERY`` rows, when
the spider goes idle, and on close, so the catalog never holds a half-written
document: a record is either committed with its fetches or not there at all.

Several crawlers in one process (``speechcrawl crawl a b c``) share one
:class:`_SharedWriter` per catalog path.  They all run on the reactor thread, so one
connection is safe; separate connections would make each wait for the others'
open transaction (SQLite allows one writer) and stall the reactor on "database is
locked".
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import signals as sc_signals
from crawler.catalog import Catalog
from crawler.paths import catalog_path_from, crawl_id_from
from crawler.records import text_sha1
from spiders.items import Document

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

COMMIT_EVERY = 200


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _SharedWriter:
    """One catalog connection and one open batch, shared by every pipeline writing to ``path``."""

    _open: ClassVar[dict[str, _SharedWriter]] = {}

    def __init__(self, path: str) -> None:
        self.path = path
        self.catalog = Catalog(path)
        self.users = 0
        self.pending = 0

    @classmethod
    def acquire(cls, path: str) -> _SharedWriter:
        writer = cls._open.get(path)
        if writer is None:
            writer = cls._open[path] = cls(path)
        writer.users += 1
        return writer

    def release(self) -> None:
        self.commit()
        self.users -= 1
        if self.users <= 0:
            self._open.pop(self.path, None)
            self.catalog.close()

    def begin(self) -> Catalog:
        if not self.catalog.conn.in_transaction:
            self.catalog.conn.execute("BEGIN")
        return self.catalog

    def commit(self) -> None:
        if self.catalog.conn.in_transaction:
            self.catalog.conn.execute("COMMIT")
        self.pending = 0

    def wrote(self, rows: int) -> None:
        self.pending += rows
        if self.pending >= COMMIT_EVERY:
            self.commit()


class CatalogPipeline:
    """Stores every export record and every archived fetch.

    Settings
    --------
    SPEECHCRAWL_CATALOG_ENABLED, SPEECHCRAWL_CATALOG_PATH, SPEECHCRAWL_DATA_DIR, SPEECHCRAWL_CRAWL_ID
    """

    def __init__(self, crawler: Crawler, path: str, crawl_id: str) -> None:
        self.crawler = crawler
        self.path = path
        self.crawl_id = crawl_id
        self._writer: _SharedWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("SPEECHCRAWL_CATALOG_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_CATALOG_ENABLED is off")
        pipe = cls(crawler, str(catalog_path_from(settings)), crawl_id_from(settings))
        crawler.signals.connect(pipe.page_archived, signal=sc_signals.page_archived)
        crawler.signals.connect(pipe.spider_idle, signal=signals.spider_idle)
        return pipe

    @property
    def catalog(self) -> Catalog | None:
        return self._writer.catalog if self._writer is not None else None

    def open_spider(self, spider: Spider | None = None) -> None:
        self._writer = _SharedWriter.acquire(self.path)
        self._writer.catalog.start_crawl(self.crawl_id, self._site, _now())

    @property
    def _site(self) -> str:
        spider = self.crawler.spider
        return spider.name if spider is not None else "?"

    def close_spider(self, spider: Spider | None = None) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        writer.commit()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        reason = stats.get("finish_reason", "finished")
        writer.catalog.finish_crawl(self.crawl_id, self._site, _now(), str(reason),
                                    {k: v for k, v in stats.items() if isinstance(v, int | float | str)})
        writer.release()

    def spider_idle(self, spider: Spider | None = None) -> None:
        if self._writer is not None:
            self._writer.commit()

    def _begin(self) -> tuple[_SharedWriter, Catalog]:
        if self._writer is None:
            raise RuntimeError("CatalogPipeline used before open_spider")
        return self._writer, self._writer.begin()

    def page_archived(self, request: Request, response: Response, pointer: Any, fetched_at: datetime) -> None:
        writer, catalog = self._begin()
        at = fetched_at.isoformat(timespec="seconds")
        catalog.add_fetch(
            crawl_id=self.crawl_id, site=self._site, url=request.url, status=response.status, fetched_at=at,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
            warc_filename=pointer.filename, warc_offset=pointer.offset, warc_length=pointer.length,
            warc_record_id=pointer.record_id, payload_digest=pointer.payload_digest, revisit_of=pointer.revisit_of,
            warc_date=pointer.date,
        )
        if response.status >= 400:
            catalog.add_failure(crawl_id=self.crawl_id, site=self._site, url=request.url, status=response.status,
                                reason=f"HTTP {response.status}", at=at)
        writer.wrote(1)

    def process_item(self, item: object) -> object:
        if not isinstance(item, Document):
            return item
        writer, catalog = self._begin()
        for record in item.records:
            catalog.put_record(record, crawl_id=self.crawl_id, text_sha1=text_sha1(str(record["text"])))
        writer.wrote(len(item.records))
        return item
