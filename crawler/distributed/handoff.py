"""RecordHandoffPipeline: a worker hands its catalog writes to the one record writer, through Redis.

In a worker the catalog pipeline is off: SQLite has one writer, and workers on other machines
cannot reach it.  What the catalog pipeline would write (a fetch row per archived response, a
document's records with their cleaning key, failures) becomes one entry of the crawl's record
stream instead, sent through the worker's outbox (so in order, and held while Redis is away).
``speechcrawl ingest`` or ``speechcrawl crawl --wait`` applies the entries to the catalog
(crawler.distributed.ingest) with the same functions the catalog pipeline uses.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from cleaners import CLEANER_VERSION
from corpus.history import cleaning_key, profile_sha256
from crawler import signals as sc_signals
from crawler.distributed.link import Link, link_for
from crawler.ledger_gate import LedgerGate
from crawler.pipelines.catalog import fetch_row
from spiders.items import Document, FailedFetch

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure

__all__ = ["RecordHandoffPipeline", "FETCH", "DOCUMENT", "FAILURE", "OPENED", "CLOSED"]

FETCH, DOCUMENT, FAILURE, OPENED, CLOSED = "fetch", "document", "failure", "opened", "closed"
"""The kinds of record-stream entries."""


def _failure(item: FailedFetch, at: str) -> dict[str, Any]:
    return {"url": item.url, "status": item.status, "reason": item.reason, "kind": item.kind, "at": at}


def _now() -> str:
    from datetime import UTC

    return datetime.now(UTC).isoformat(timespec="seconds")


class RecordHandoffPipeline:
    """Sends records, fetches and failures to the crawl's record stream (a worker's catalog pipeline).

    Settings
    --------
    SPEECHCRAWL_REDIS_URL, SPEECHCRAWL_WORKER_ID, SPEECHCRAWL_CRAWL_ID
    """

    def __init__(self, crawler: Crawler, link: Link) -> None:
        self.crawler = crawler
        self.link = link
        self.gate = LedgerGate()
        """Documents whose re-checks wait for their ledger record (crawler.ledger_gate)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipe = cls(crawler, link_for(crawler))
        crawler.signals.connect(pipe.page_archived, signal=sc_signals.page_archived)
        crawler.signals.connect(pipe.gate.attach, signal=sc_signals.warc_writer_opened)
        crawler.signals.connect(pipe.item_error, signal=signals.item_error)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def spider_closed(self, spider: Spider) -> None:
        self.gate.close()

    @property
    def _site(self) -> str:
        spider = self.crawler.spider
        return spider.name if spider is not None else "?"

    def open_spider(self, spider: Spider | None = None) -> None:
        self.link.send_entry(OPENED, self._site, json.dumps({"at": _now()}))

    def page_archived(self, request: Request, response: Response, pointer: Any, fetched_at: datetime) -> None:
        row = fetch_row(self.link.keys.crawl_id, self._site, request, response, pointer, fetched_at)
        self.link.send_entry(FETCH, self._site, json.dumps(row, ensure_ascii=False))

    def item_error(self, item: object, response: Response | None, spider: Spider, failure: Failure) -> None:
        """A pipeline crashed on a document: the writer lists the page as failed (as the catalog pipeline does)."""
        if isinstance(item, Document):
            reason = f"{type(failure.value).__name__}: {failure.value} (see the worker's log)"
            failed = FailedFetch(site=item.site, url=item.url, status=None, kind="processing_error", reason=reason)
            self.link.send_entry(FAILURE, item.site, json.dumps(_failure(failed, _now()), ensure_ascii=False))

    def process_item(self, item: object) -> object:
        if isinstance(item, FailedFetch):
            self.link.send_entry(FAILURE, item.site, json.dumps(_failure(item, _now()), ensure_ascii=False))
            self._inc("failures")
        elif isinstance(item, Document):
            key = cleaning_key(CLEANER_VERSION, profile_sha256(getattr(self.crawler.spider, "profile", None)))
            at = _now()
            entry = {"url": item.url, "cleaned_with": key, "records": item.records,
                     "failures": [_failure(f, at) for f in item.failures]}
            document = json.dumps(entry, ensure_ascii=False, default=str)

            def send() -> None:
                self.link.send_entry(DOCUMENT, item.site, document)

            if not self.gate.hold(item, send):
                send()
            self._inc("records", len(item.records))
        return item

    def _inc(self, what: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"speechcrawl/handoff/{what}", count)
