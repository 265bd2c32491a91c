"""CatalogPipeline: records, fetches and failures go to the SQLite catalog.

Each document's records are written in one transaction, so the catalog never holds
half a document.  Fetch rows are gathered and committed together: in the next document's
transaction (so a document is never in the catalog before its pages' fetches), before any
other write of this pipeline (a failure must not be cleared by an older row), when
``SPEECHCRAWL_CATALOG_FETCH_BATCH`` of them wait, and every ``SPEECHCRAWL_CATALOG_FLUSH_SECONDS``.
A commit with WAL and ``synchronous=NORMAL`` is no fsync, but a commit a page was an eighth of
what archiving a page cost (docs/benchmarks.md, "Issue 20, sixth pass").  The rows wait in
memory, not in an open transaction, so no other process (the scheduler, a crawl of another
site, an export) waits on them.  A kill loses the rows of at most the last second; their
records are in the WARC files, and ``--resume`` adds them back from there
(:func:`crawler.resume.catch_up_fetches`) before it fetches anything.

A failure is a page whose final outcome was bad (a :class:`FailedFetch` item from the
spider's errback or the clean pipeline, a page that yielded no text when it should have, or a
pipeline crash), one row per URL and crawl; an error status that a retry then fixed is not one.

Several crawlers in one process (``speechcrawl crawl a b c``) share one connection per
catalog path: they all run on the reactor thread, so that is safe.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from twisted.internet.task import LoopingCall

from cleaners import CLEANER_VERSION
from corpus.catalog import Catalog
from corpus.history import GONE_STATUSES, cleaning_key, profile_sha256
from corpus.records import text_sha1
from crawler import signals as sc_signals
from crawler.ledger_gate import LedgerGate
from crawler.paths import catalog_path_from, crawl_id_from
from crawler.storage import stop_crawl, write_failure
from spiders.items import Document, FailedFetch

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


def _header(response: Response, name: bytes) -> str:
    return (response.headers.get(name) or b"").decode("latin-1")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _latency_ms(request: Request) -> float | None:
    """Scrapy's download latency (request sent to response headers), in milliseconds, when it measured one."""
    latency = request.meta.get("download_latency")
    return round(float(latency) * 1000, 1) if isinstance(latency, int | float) else None


def fetch_row(crawl_id: str, site: str, request: Request, response: Response, pointer: Any,
              fetched_at: datetime) -> dict[str, Any]:
    """The ``fetches`` row of one archived response (also what a worker sends its record writer)."""
    return dict(
        crawl_id=crawl_id, site=site, url=request.url, status=response.status,
        fetched_at=fetched_at.isoformat(timespec="seconds"), content_type=_header(response, b"Content-Type"),
        etag=_header(response, b"ETag") or None, last_modified=_header(response, b"Last-Modified") or None,
        warc_filename=pointer.filename, warc_offset=pointer.offset, warc_length=pointer.length,
        warc_record_id=pointer.record_id, payload_digest=pointer.payload_digest,
        revisit_of=pointer.revisit_of, warc_date=pointer.date, body_bytes=len(response.body),
        elapsed_ms=_latency_ms(request),
    )


def store_fetch(catalog: Catalog, row: Mapping[str, Any]) -> bool:
    """Add a fetch row and what it says about earlier failures and records; True when the page is gone."""
    with catalog.transaction():
        catalog.add_fetch(**row)
        if row["status"] < 400:
            # Fetched fine (again): a failure recorded by an earlier attempt or run no longer holds.  Error
            # statuses are not failures yet: the retry middleware may still succeed; the spider's errback
            # reports the final outcome as a FailedFetch item.
            catalog.clear_failure(row["crawl_id"], row["url"])
        elif row["status"] in GONE_STATUSES:
            # A page we hold records of was taken down: marked gone with the date, never deleted.
            return bool(catalog.mark_gone(row["url"], crawl_id=row["crawl_id"], status=row["status"],
                                          at=row["fetched_at"]))
    return False


def store_records(catalog: Catalog, crawl_id: str, records: Sequence[Mapping[str, Any]],
                  cleaned_with: str) -> list[str]:
    """Store a document's records (inside the caller's transaction); their history events."""
    return [catalog.put_record(record, crawl_id=crawl_id, text_sha1=text_sha1(str(record["text"])),
                               cleaned_with=cleaned_with) for record in records]


class _SharedCatalog:
    """One catalog connection per path for every pipeline of this process (reference-counted)."""

    _open: ClassVar[dict[str, tuple[Catalog, int]]] = {}

    @classmethod
    def acquire(cls, path: str) -> Catalog:
        catalog, users = cls._open.get(path) or (Catalog(path), 0)
        cls._open[path] = (catalog, users + 1)
        return catalog

    @classmethod
    def release(cls, path: str) -> None:
        catalog, users = cls._open[path]
        if users <= 1:
            del cls._open[path]
            catalog.close()
        else:
            cls._open[path] = (catalog, users - 1)


class CatalogPipeline:
    """Stores every export record, every archived fetch and every failed page.

    Settings
    --------
    SPEECHCRAWL_CATALOG_ENABLED, SPEECHCRAWL_CATALOG_PATH, SPEECHCRAWL_CATALOG_FETCH_BATCH,
    SPEECHCRAWL_CATALOG_FLUSH_SECONDS, SPEECHCRAWL_DATA_DIR, SPEECHCRAWL_CRAWL_ID
    """

    def __init__(self, crawler: Crawler, path: str, crawl_id: str) -> None:
        self.crawler = crawler
        self.path = path
        self.crawl_id = crawl_id
        self.catalog: Catalog | None = None
        self.failed = False
        """A catalog write failed: the crawl is stopping."""
        self.gate = LedgerGate()
        """Documents whose re-checks wait for their ledger record (crawler.ledger_gate)."""
        self.batch = max(1, crawler.settings.getint("SPEECHCRAWL_CATALOG_FETCH_BATCH"))
        self.flush_seconds = crawler.settings.getfloat("SPEECHCRAWL_CATALOG_FLUSH_SECONDS")
        if self.flush_seconds <= 0:
            raise ValueError(f"SPEECHCRAWL_CATALOG_FLUSH_SECONDS must be above 0, got {self.flush_seconds}")
        self._pending: list[dict[str, Any]] = []
        """Fetch rows not yet committed, in the order their records were written."""
        self._ticker: LoopingCall | None = None
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("SPEECHCRAWL_CATALOG_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_CATALOG_ENABLED is off")
        pipe = cls(crawler, str(catalog_path_from(settings)), crawl_id_from(settings))
        crawler.signals.connect(pipe.page_archived, signal=sc_signals.page_archived)
        crawler.signals.connect(pipe.gate.attach, signal=sc_signals.warc_writer_opened)
        crawler.signals.connect(pipe.item_error, signal=signals.item_error)
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider: Spider | None = None) -> None:
        self.catalog = _SharedCatalog.acquire(self.path)
        self.catalog.start_crawl(self.crawl_id, self._site, _now())
        self._ticker = LoopingCall(self._flush_pending)
        self._ticker.start(self.flush_seconds, now=False)

    @property
    def _site(self) -> str:
        spider = self.crawler.spider
        return spider.name if spider is not None else "?"

    def close_spider(self, spider: Spider | None = None) -> None:
        """The fetch rows gathered so far are committed; later ones (the recorder's last ledger record) go
        straight in.  The crawl row is closed in :meth:`spider_closed`."""
        self._stop_batching()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Pipelines close before Scrapy knows why the spider closed: the reason arrives with this signal."""
        self.gate.close()
        self._stop_batching()
        catalog, self.catalog = self.catalog, None
        if catalog is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        try:
            catalog.finish_crawl(self.crawl_id, spider.name, _now(), reason,
                                 {k: v for k, v in stats.items() if isinstance(v, int | float | str)})
        except sqlite3.Error as exc:
            # The row stays 'running': exactly what --resume looks for.
            self._write_failed(exc)
        finally:
            _SharedCatalog.release(self.path)

    def _open(self) -> Catalog:
        if self.catalog is None:
            raise RuntimeError("CatalogPipeline used before open_spider")
        return self.catalog

    def _write_failed(self, exc: sqlite3.Error) -> None:
        """A catalog write failed after its retries (disk full, I/O error): stop the crawl, say where."""
        self.failed = True
        stop_crawl(self.crawler, write_failure(self.path, exc))

    def page_archived(self, request: Request, response: Response, pointer: Any, fetched_at: datetime) -> None:
        try:
            self._page_archived(request, response, pointer, fetched_at)
        except sqlite3.Error as exc:
            # The WARC records are written; the fetch row is derived (reprocess) and --resume fetches the page again.
            self._write_failed(exc)

    def _page_archived(self, request: Request, response: Response, pointer: Any, fetched_at: datetime) -> None:
        self._open()  # a fetch after the catalog closed is an error now, not a row lost later
        self._pending.append(fetch_row(self.crawl_id, self._site, request, response, pointer, fetched_at))
        if self._closing or len(self._pending) >= self.batch:
            self._commit_pending()

    @contextmanager
    def _writing(self) -> Iterator[Catalog]:
        """A transaction of this pipeline: the waiting fetch rows are stored first, in it."""
        catalog = self._open()
        with catalog.transaction():
            self._store_pending()
            yield catalog

    def _store_pending(self) -> None:
        """Store the waiting fetch rows (inside the caller's transaction); taken off the list first, so a failed
        commit does not store them twice (their records are in the WARC files: --resume adds them)."""
        rows, self._pending = self._pending, []
        catalog = self._open()
        for row in rows:
            if store_fetch(catalog, row):
                self._inc("gone")

    def _commit_pending(self) -> None:
        with self._writing():
            pass  # _writing stores them, and the transaction commits them

    def _stop_batching(self) -> None:
        """Commit the waiting fetch rows, and every later one at once: the crawl is closing."""
        self._closing = True
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        self._flush_pending()

    def _flush_pending(self) -> None:
        """Commit the waiting fetch rows now (the tick, and closing)."""
        if not self._pending or self.catalog is None or self.failed:
            return
        try:
            self._commit_pending()
        except sqlite3.Error as exc:
            self._write_failed(exc)

    def _inc(self, event: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"speechcrawl/catalog/{event}")

    def _failure(self, item: FailedFetch) -> FailedFetch:
        with self._writing() as catalog:
            catalog.add_failure(crawl_id=self.crawl_id, site=item.site, url=item.url, status=item.status,
                                reason=item.reason, at=_now(), kind=item.kind)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"speechcrawl/catalog/failures/{item.kind}")
        return item

    def item_error(self, item: object, response: Response | None, spider: Spider, failure: Failure) -> None:
        """A pipeline crashed on a document: Scrapy logs the traceback; the catalog lists the page as failed."""
        if isinstance(item, Document) and self.catalog is not None and not self.failed:
            self._failure(FailedFetch(site=item.site, url=item.url, status=None, kind="processing_error",
                                      reason=f"{type(failure.value).__name__}: {failure.value} (see the crawl log)"))

    def item_dropped(self, item: object, exception: BaseException, **kwargs: Any) -> None:
        """A document an earlier pipeline dropped (no speech in it) still lists the pages it failed on.

        The clean pipeline attaches them (an article page that cleaned to nothing, a page no parser
        could read, an undecodable later page) before it drops the document.
        """
        if not isinstance(item, Document) or not item.failures or self.catalog is None or self.failed:
            return
        try:
            with self._writing():
                for failure in item.failures:
                    self._failure(failure)
        except sqlite3.Error as exc:
            self._write_failed(exc)

    def process_item(self, item: object) -> object:
        try:
            return self._store(item)
        except sqlite3.Error as exc:
            # Rolled back whole (one transaction per document): the document is not in the catalog, so
            # --resume fetches it again; its WARC records stay where they are.
            self._write_failed(exc)
            raise DropItem(f"not stored in the catalog: {getattr(item, 'url', item)}", log_level="INFO") from None

    def _store(self, item: object) -> object:
        if isinstance(item, FailedFetch):
            return self._failure(item)
        if not isinstance(item, Document):
            return item
        if self.gate.hold(item, lambda: self._store_held(item)):
            self._inc("held_for_ledger")
        else:
            self._store_document(item)
        return item

    def _store_document(self, item: Document) -> None:
        key = cleaning_key(CLEANER_VERSION, profile_sha256(getattr(self.crawler.spider, "profile", None)))
        with self._writing() as catalog:
            for event in store_records(catalog, self.crawl_id, item.records, key):
                self._inc(f"records/{event}")
            for failure in item.failures:
                self._failure(failure)

    def _store_held(self, item: Document) -> None:
        """Store a document whose re-checks were held for the ledger, now that it is written."""
        if self.failed or self.catalog is None:
            return
        try:
            self._store_document(item)
        except sqlite3.Error as exc:
            self._write_failed(exc)
