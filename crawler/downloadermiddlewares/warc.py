"""WarcRecorderMiddleware: every request and response goes to WARC, as it came off the wire.

It sits at order 950, closest to the downloader, so ``process_response`` sees each
redirect hop (RedirectMiddleware, 600, has not run yet), robots.txt fetches, error
statuses, and bodies still compressed (HttpCompressionMiddleware, 590).  It only
converts Scrapy objects to :mod:`archive.warc` types; the archive package does the
writing, so the WARC logic is testable without Scrapy.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.misc import load_object

from archive.exceptions import ArchiveError
from archive.warc import HttpExchange, RecordPointer, WarcWriter
from corpus.catalog import Catalog
from crawler import signals as sc_signals
from crawler.paths import catalog_path_from, check_site_name, contained, crawl_id_from, warc_dir_from
from crawler.resume import catch_up_fetches, repair_unfinished
from crawler.storage import stop_crawl, write_failure

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["NotArchivedError", "WarcRecorderMiddleware", "exchange_from"]

_REASONS = {status.value: status.phrase for status in HTTPStatus}
"""Reason phrases by status code: a dict lookup, where ``HTTPStatus(code)`` is an enum call a page."""

META_POINTER = "speechcrawl_warc"
META_FETCHED_AT = "speechcrawl_fetched_at"


def _headers(raw: object) -> list[tuple[str, str]]:
    """Scrapy Headers (bytes -> [bytes]) as ordered (name, value) string pairs.

    Scrapy's Headers is a dict of normalised names to lists of values: read as a dict, not through its
    ``items()``, which normalises every name again and copies every list (a third of this function's time).
    """
    items = dict.items(raw) if isinstance(raw, dict) else raw.items()  # type: ignore[attr-defined]
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in items for value in values]


def exchange_from(request: Request, response: Response, fetched_at: datetime) -> HttpExchange:
    """Build the archive's view of one fetch from Scrapy's request and response."""
    request_headers = _headers(request.headers)
    if not any(k.lower() == "host" for k, _ in request_headers):
        request_headers.insert(0, ("Host", urlsplit(request.url).netloc))
    return HttpExchange(
        url=request.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.body,
        protocol=(response.protocol or "HTTP/1.1").upper(),
        status=response.status,
        reason=_REASONS.get(response.status, ""),
        response_headers=_headers(response.headers),
        response_body=response.body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        fetched_at=fetched_at,
        not_modified_of=_confirmed(request, response),
    )


def _confirmed(request: Request, response: Response) -> tuple[str, str, str] | None:
    """The archived response a 304 confirms (set by ConditionalRequestMiddleware), as the writer takes it."""
    validator = request.meta.get("speechcrawl_conditional")
    if response.status != 304 or validator is None:
        return None
    return validator.record_id, validator.warc_date, validator.payload_digest


class NotArchivedError(IgnoreRequest):
    """A page fetched while the crawl stops after a failed write: not kept, so ``--resume`` fetches it again."""

    kind = "not_archived"


def _writer_class(path: str) -> type[WarcWriter]:
    """The writer class a setting names; a wrong one fails the crawl (NotConfigured would archive nothing)."""
    cls = load_object(path)
    if not (isinstance(cls, type) and issubclass(cls, WarcWriter)):
        raise ValueError(f"SPEECHCRAWL_WARC_WRITER {path!r} is not a subclass of archive.warc.WarcWriter")
    return cls


def _compress_level(level: int) -> int:
    if not 1 <= level <= 9:
        raise ValueError(f"SPEECHCRAWL_WARC_COMPRESS_LEVEL must be 1 to 9 (deflate levels), got {level}")
    return level


def _ledger_size(n: int) -> int:
    if n < 0:
        raise ValueError(f"SPEECHCRAWL_WARC_RECHECK_LEDGER must be 0 (off) or the re-checks per ledger record, got {n}")
    return n


class WarcRecorderMiddleware:
    """Writes a request and a response (or revisit) record for every fetch.

    Settings
    --------
    SPEECHCRAWL_WARC_ENABLED, SPEECHCRAWL_WARC_COMPRESS_LEVEL, SPEECHCRAWL_WARC_DIR, SPEECHCRAWL_WARC_MAX_SIZE,
    SPEECHCRAWL_WARC_REVISITS, SPEECHCRAWL_WARC_RECHECK_LEDGER, SPEECHCRAWL_WARC_REPEATED_REQUESTS, SPEECHCRAWL_WARC_WRITER, SPEECHCRAWL_CRAWL_ID, SPEECHCRAWL_RESUME, SPEECHCRAWL_OPERATOR,
    USER_AGENT, ROBOTSTXT_OBEY (recorded in warcinfo), SPEECHCRAWL_CATALOG_ENABLED and SPEECHCRAWL_CATALOG_PATH
    (earlier crawls' payloads, for revisits).
    """

    def __init__(self, directory: Path, *, crawl_id: str, max_size: int, revisits: bool,
                 warcinfo: dict[str, str], crawler: Crawler | None = None,
                 catalog_path: Path | None = None, writer_class: type[WarcWriter] = WarcWriter,
                 repeated_requests: bool = False, compresslevel: int = 6, recheck_ledger: int = 0) -> None:
        self.directory = directory
        self.compresslevel = compresslevel
        self.crawl_id = crawl_id
        self.max_size = max_size
        self.revisits = revisits
        self.warcinfo = warcinfo
        self.crawler = crawler
        self.catalog_path = catalog_path
        """Where earlier crawls' payloads are listed, for revisits across crawls (None: this crawl only)."""
        self.writer_class = writer_class
        self.repeated_requests = repeated_requests
        self.recheck_ledger = recheck_ledger
        self._held: dict[str, tuple[Request, Response, datetime]] = {}
        """Re-checks waiting for their ledger record, by entry id: their ``page_archived`` is sent once it is written."""
        self.writer: WarcWriter | None = None
        self.failed = False
        """A write failed: later responses are dropped unarchived while the crawl stops."""
        self.resume = False
        """Set from SPEECHCRAWL_RESUME: repair this crawl's unfinished files before writing."""
        self.worker = ""
        """SPEECHCRAWL_WORKER_ID: a worker of a distributed crawl writes files of its own (its id in their names)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("SPEECHCRAWL_WARC_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_WARC_ENABLED is off")
        warcinfo = {
            "operator": settings.get("SPEECHCRAWL_OPERATOR"),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }
        catalog = catalog_path_from(settings) if settings.getbool("SPEECHCRAWL_CATALOG_ENABLED") else None
        mw = cls(warc_dir_from(settings), crawl_id=crawl_id_from(settings),
                 max_size=settings.getint("SPEECHCRAWL_WARC_MAX_SIZE"),
                 revisits=settings.getbool("SPEECHCRAWL_WARC_REVISITS"), warcinfo=warcinfo, crawler=crawler,
                 catalog_path=catalog, writer_class=_writer_class(settings.get("SPEECHCRAWL_WARC_WRITER")),
                 repeated_requests=settings.getbool("SPEECHCRAWL_WARC_REPEATED_REQUESTS"),
                 compresslevel=_compress_level(settings.getint("SPEECHCRAWL_WARC_COMPRESS_LEVEL")),
                 recheck_ledger=_ledger_size(settings.getint("SPEECHCRAWL_WARC_RECHECK_LEDGER")))
        mw.resume = settings.getbool("SPEECHCRAWL_RESUME")
        mw.worker = settings.get("SPEECHCRAWL_WORKER_ID") or ""
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    @property
    def _stats(self) -> StatsCollector | None:
        return self.crawler.stats if self.crawler is not None else None

    def spider_opened(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        info = dict(self.warcinfo)
        info["site-profile"] = spider.name
        if profile is not None:
            info["site-profile-sha256"] = profile.sha256 or "generic"
        directory = contained(self.directory, self.directory / check_site_name(spider.name))
        if self.resume:
            # Before writing: the killed run's .open files end in at most one partial record.
            repair_unfinished(directory, spider.name, f"{self.crawl_id}-{self.worker}" if self.worker else self.crawl_id)
            if self.catalog_path is not None and not self.worker:  # a worker's rows go through the record writer
                # The rows of its last second of fetches, which the catalog pipeline had not committed.
                catch_up_fetches(self.catalog_path, directory, spider.name, self.crawl_id)
        extra: dict[str, Any] = {"worker": self.worker} if self.worker else {}
        if self.recheck_ledger:  # a writer class of before the ledger still works with it off
            extra["recheck_ledger"] = self.recheck_ledger
        self.writer = self.writer_class(directory, prefix=spider.name, crawl_id=self.crawl_id, warcinfo=info,
                                        max_size=self.max_size, revisits=self.revisits,
                                        repeated_requests=self.repeated_requests, compresslevel=self.compresslevel,
                                        **extra)
        self.writer.ledger_listeners.append(self._ledger_written)
        logger.info("writing WARC to %s (rotate at %d bytes)", directory, self.max_size)
        if self.revisits:
            self._remember_earlier_crawls(spider.name, self.writer)
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(sc_signals.warc_writer_opened, writer=self.writer, spider=spider)

    def _remember_earlier_crawls(self, site: str, writer: WarcWriter) -> None:
        """Let the writer store revisits for payloads earlier crawls of ``site`` archived.

        Read from the catalog, not by scanning years of WARC files; a payload whose file is
        no longer under its final name (moved away, or an unrepaired ``.open``) is skipped,
        because a revisit must point at a record someone can still read.
        """
        if self.catalog_path is None or not self.catalog_path.exists():
            return
        present: dict[str, bool] = {}
        count = 0
        catalog = Catalog(self.catalog_path)
        try:
            for url, digest, record_id, date, filename in catalog.archived_payloads(site):
                if filename not in present:
                    present[filename] = (writer.directory / filename).is_file()
                if present[filename]:
                    writer.remember(url, digest, record_id, date)
                    count += 1
        finally:
            catalog.close()
        logger.info("revisits: %d payloads of earlier crawls of %s will not be stored again", count, site)

    def spider_closed(self, spider: Spider) -> None:
        writer, self.writer = self.writer, None
        if writer is None:
            return
        try:
            writer.close()
        except OSError as exc:
            # The file stays ``.open`` with whole records only (the writer cuts partial ones): --resume repairs it.
            stop_crawl(self.crawler, write_failure(writer.location, exc))
        if self._held:
            # Their ledger record could not be written: not in the archive, so not in the catalog either.
            logger.warning("%d re-checks were not archived (their ledger record was not written); --resume "
                           "fetches them again", len(self._held))
            self._held.clear()

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags or self.writer is None:
            return response
        if self.failed:
            # Already in flight when a write failed: dropped unarchived, fetched again on --resume.
            raise NotArchivedError(f"not archived (the crawl is stopping after a failed write): {request.url}")
        fetched_at = datetime.now(UTC)
        # On the reactor thread, before the response moves on: provenance never points at a
        # record not yet written.  A thread pool was tried: zlib releases the GIL, but taking it
        # back costs the reactor more than the compression (0.4 ms a page) it saves.
        try:
            pointers = self.writer.write_exchange(exchange_from(request, response, fetched_at))
        except (OSError, ArchiveError) as exc:
            # A full disk must not pass silently: a page we cannot archive is not processed, and the
            # crawl stops (no further fetches) so --resume can fetch it again once there is room.
            self.failed = True
            if self._stats:
                self._stats.inc_value("speechcrawl/warc/write_error")
            stop_crawl(self.crawler, write_failure(self.writer.location, exc))
            raise NotArchivedError(f"not archived (the WARC write failed): {request.url}") from None
        return self._archived(pointers, request, response, fetched_at)

    def _archived(self, pointers: tuple[RecordPointer | None, RecordPointer], request: Request, response: Response,
                  fetched_at: datetime) -> Response:
        pointer = pointers[1]
        meta = request.meta
        meta[META_POINTER] = pointer
        meta[META_FETCHED_AT] = fetched_at.isoformat(timespec="seconds")
        if stats := self._stats:
            written = [p for p in pointers if p is not None and p.line is None]
            stats.inc_value("speechcrawl/warc/records", len(written))
            stats.inc_value("speechcrawl/warc/bytes", sum(p.length for p in written))
        if pointer.held:
            # A re-check for the ledger: the response goes on (the spider follows its links, the pipelines hold
            # what depends on it: crawler.ledger_gate), the fetch is announced once its ledger record is written.
            self._held[pointer.record_id] = (request, response, fetched_at)
            self._inc("rechecks_held")
        else:
            self._announce(request, response, pointer, fetched_at)
        return response

    def _announce(self, request: Request, response: Response, pointer: RecordPointer, fetched_at: datetime) -> None:
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(sc_signals.page_archived, request=request, response=response,
                                                pointer=pointer, fetched_at=fetched_at)

    def _ledger_written(self, pointers: list[RecordPointer]) -> None:
        """A ledger record is on disk: its re-checks' fetches are announced, pointing into it."""
        if self._stats:
            records = {(p.filename, p.offset): p.length for p in pointers}
            self._stats.inc_value("speechcrawl/warc/records", len(records))
            self._stats.inc_value("speechcrawl/warc/bytes", sum(records.values()))
            self._stats.inc_value("speechcrawl/warc/rechecks", len(pointers))
        for pointer in pointers:
            held = self._held.pop(pointer.record_id, None)
            if held is not None:
                request, response, fetched_at = held
                request.meta[META_POINTER] = pointer
                self._announce(request, response, pointer, fetched_at)

    def _inc(self, key: str) -> None:
        if self._stats:
            self._stats.inc_value(f"speechcrawl/warc/{key}")
