"""The one record writer of distributed crawls: the record streams in Redis -> the SQLite catalog.

Workers hand their catalog writes to a Redis stream per crawl (crawler.distributed.handoff); this
reads them through a consumer group, applies a batch in one catalog transaction with the catalog
pipeline's own functions, then acknowledges and deletes the entries.  A writer killed between the
commit and the acknowledgement reads the batch again: every write is idempotent (records are keyed
by id and crawl: corpus.history keeps one version per crawl and the first event; fetch rows are
skipped when their WARC record is listed; failures are one row per crawl and URL), so nothing is
written twice and nothing acknowledged before it is committed.

It also keeps the distributed crawl's rows in ``crawls``: opened at the first entry of a site,
per-worker counts in the row's stats (``workers``), finished once Redis says the site's frontier
is empty with no lease held and the stream is drained.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis

from corpus.catalog import Catalog
from crawler.distributed.crawls import stored_options
from crawler.distributed.handoff import CLOSED, DOCUMENT, FAILURE, FETCH, OPENED
from crawler.distributed.keys import CRAWLS, CrawlKeys
from crawler.distributed.outbox import REDIS_ERRORS, Outage
from crawler.extensions.monitor import judge, previous_crawl, thresholds_from
from crawler.pipelines.catalog import store_fetch, store_records
from crawler.report.html import write_report
from quality.health import key

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["RecordWriter", "CrawlProgress", "crawl_sites"]

logger = logging.getLogger(__name__)

GROUP = "speechcrawl-writer"
CONSUMER = "writer"
"""One consumer name for every writer: a restarted writer reads what its killed predecessor left pending."""
BATCH = 500
WORKER_GONE = 5.0
"""Seconds without a sign of life after which a worker that never closed its share is taken for dead
(a live worker's lease keeper says so every second)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def crawl_sites(server: redis.Redis, crawl_id: str) -> list[str]:
    """The sites of a seeded crawl (from its stored options), or [] when Redis has no such crawl."""
    raw = server.get(CrawlKeys(crawl_id).options)
    return list(json.loads(raw)["sites"]) if raw else []


@dataclass
class CrawlProgress:
    """What the writer has applied of one crawl, per site and per worker."""

    crawl_id: str
    workers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """site -> worker -> {"pages", "records", "failures", "closed"}."""
    finished: set[str] = field(default_factory=set)
    """Sites whose crawl is over and fully written."""
    warnings: dict[str, list[str]] = field(default_factory=dict)
    """site -> the health verdict the writer gave once the site was over."""

    def count(self, site: str, worker: str, what: str, n: int = 1) -> None:
        counts = self.workers.setdefault(site, {}).setdefault(worker, {"pages": 0, "records": 0, "failures": 0})
        counts[what] = counts.get(what, 0) + n

    def merged(self, site: str) -> dict[str, Any]:
        """The Scrapy stats of every worker that closed its share of ``site``, numbers summed (as one crawl's)."""
        out: dict[str, Any] = {}
        for counts in self.workers.get(site, {}).values():
            for name, value in (counts.get("stats") or {}).items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    out[name] = out.get(name, 0) + value
                else:
                    out.setdefault(name, value)
        return out

    def stats(self, site: str) -> dict[str, Any]:
        """The catalog row's stats: the workers' stats summed, per-worker counts, the totals ``crawls`` shows."""
        workers = self.workers.get(site, {})
        verdict = {key("warnings"): self.warnings[site]} if site in self.warnings else {}
        return {**self.merged(site), **verdict, "distributed": True, "workers": workers,
                "speechcrawl/warc/bytes": sum(int(c.get("bytes", 0)) for c in workers.values())}

    def line(self) -> str:
        """One status line: per site, pages/records per worker."""
        parts = []
        for site, workers in sorted(self.workers.items()):
            each = " ".join(f"{w} {c['pages']}p/{c['records']}r" for w, c in sorted(workers.items()))
            parts.append(f"{site}{' (done)' if site in self.finished else ''}: {each}")
        return f"crawl {self.crawl_id}: " + ("; ".join(parts) or "waiting for workers")


class RecordWriter:
    """Applies record-stream entries of the crawls in Redis to one catalog."""

    def __init__(self, server: redis.Redis, catalog_path: Path) -> None:
        self.server = server
        self.catalog_path = catalog_path
        self.catalog = Catalog(catalog_path)
        self.progress: dict[str, CrawlProgress] = {}
        self.outage = Outage("record writer")
        self._groups: set[str] = set()
        self._seen_pending: set[str] = set()

    def close(self) -> None:
        self.catalog.close()

    def _progress(self, crawl_id: str) -> CrawlProgress:
        if crawl_id not in self.progress:
            progress = CrawlProgress(crawl_id)
            for row in self.catalog.conn.execute("SELECT site, stats FROM crawls WHERE id = ?", (crawl_id,)):
                stats = json.loads(row["stats"]) if row["stats"] else {}
                progress.workers[row["site"]] = dict(stats.get("workers") or {})
                if key("warnings") in stats:
                    progress.warnings[row["site"]] = list(stats[key("warnings")])
            self.progress[crawl_id] = progress
        return self.progress[crawl_id]

    def _ensure_group(self, stream: str) -> None:
        if stream in self._groups:
            return
        try:
            self.server.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._groups.add(stream)

    def step(self, crawl_ids: Iterable[str] | None = None, *, block_ms: int = 1000) -> int:
        """Apply one batch of entries (waiting up to ``block_ms`` for some); the number applied.

        Redis being away is waited out here (one warning, backoff); the catalog keeps what it has.
        """
        try:
            ids = sorted(crawl_ids) if crawl_ids is not None else sorted(_text(c) for c in
                                                                          self.server.smembers(CRAWLS))
            applied = self._step(ids, block_ms)
            self.finish_done(ids)
        except REDIS_ERRORS as exc:
            # An acknowledgement may not have reached Redis: read this consumer's pending entries again first.
            self._seen_pending.clear()
            self._groups.clear()
            time.sleep(self.outage.failed(exc))
            return 0
        self.outage.recovered()
        return applied

    def _step(self, crawl_ids: list[str], block_ms: int) -> int:
        if not crawl_ids:
            time.sleep(block_ms / 1000)
            return 0
        streams = {}
        for crawl_id in crawl_ids:
            stream = CrawlKeys(crawl_id).records
            self._ensure_group(stream)
            # First what an earlier writer read but did not acknowledge (it died mid-batch), then new entries.
            streams[stream] = ">" if stream in self._seen_pending else "0"
        answer: Any = self.server.xreadgroup(GROUP, CONSUMER, streams, count=BATCH,  # type: ignore[arg-type]
                                        block=None if "0" in streams.values() else block_ms)
        applied = 0
        for raw_stream, entries in answer or []:
            stream = _text(raw_stream)
            if not entries:
                self._seen_pending.add(stream)
                continue
            crawl_id = stream.removeprefix("speechcrawl:").removesuffix(":records")
            self._apply(crawl_id, [(_text(i), fields) for i, fields in entries])
            ids = [entry_id for entry_id, _ in entries]
            self.server.xack(stream, GROUP, *ids)
            self.server.xdel(stream, *ids)
            applied += len(entries)
        return applied

    def _apply(self, crawl_id: str, entries: list[tuple[str, Mapping[bytes, bytes]]]) -> None:
        progress = self._progress(crawl_id)
        touched: set[str] = set()
        with self.catalog.transaction():
            for _, raw in entries:
                fields = {_text(k): _text(v) for k, v in raw.items()}
                site, worker, data = fields["site"], fields["worker"], json.loads(fields["data"])
                if site not in touched:
                    self.catalog.start_crawl(crawl_id, site, _now())
                    touched.add(site)
                self._apply_one(crawl_id, fields["kind"], site, worker, data, progress)
            for site in touched:
                self.catalog.set_crawl_stats(crawl_id, site, progress.stats(site))

    def _apply_one(self, crawl_id: str, kind: str, site: str, worker: str, data: dict[str, Any],
                   progress: CrawlProgress) -> None:
        catalog = self.catalog
        if kind == FETCH:
            if not catalog.has_fetch(data["url"], data["warc_record_id"]):
                store_fetch(catalog, data)
                progress.count(site, worker, "pages")
                progress.count(site, worker, "bytes", int(data.get("warc_length") or 0))
        elif kind == DOCUMENT:
            store_records(catalog, crawl_id, data["records"], data["cleaned_with"])
            progress.count(site, worker, "records", len(data["records"]))
            for failure in data["failures"]:
                self._failure(crawl_id, site, worker, failure, progress)
        elif kind == FAILURE:
            self._failure(crawl_id, site, worker, data, progress)
        elif kind == CLOSED:
            progress.count(site, worker, "pages", 0)
            progress.workers[site][worker]["closed"] = data.get("reason")
            progress.workers[site][worker]["stats"] = data.get("stats") or {}
        elif kind != OPENED:
            logger.warning("record stream of %s: unknown entry kind %r skipped", crawl_id, kind)

    def _failure(self, crawl_id: str, site: str, worker: str, data: Mapping[str, Any],
                 progress: CrawlProgress) -> None:
        self.catalog.add_failure(crawl_id=crawl_id, site=site, url=data["url"], status=data["status"],
                                 reason=data["reason"], at=data["at"], kind=data["kind"])
        progress.count(site, worker, "failures")

    def finish_done(self, crawl_ids: Iterable[str]) -> None:
        """Close the catalog rows of sites whose crawl is over in Redis and whose entries are all applied."""
        for crawl_id in crawl_ids:
            keys = CrawlKeys(crawl_id)
            progress = self._progress(crawl_id)
            for site in crawl_sites(self.server, crawl_id):
                if site in progress.finished or not self.server.exists(keys.site(site).done):
                    continue
                if self.server.xlen(keys.records) or not self._workers_closed(keys, site, progress):
                    continue  # the closing workers' last entries are still coming in
                reason = _text(self.server.get(keys.site(site).stopped) or "finished")
                progress.warnings[site] = self._judge(crawl_id, site, reason, progress.stats(site))
                stats = progress.stats(site)
                self.catalog.start_crawl(crawl_id, site, _now())
                self.catalog.finish_crawl(crawl_id, site, _now(), reason, stats)
                progress.finished.add(site)
                self._report(crawl_id, site)

    def _workers_closed(self, keys: CrawlKeys, site: str, progress: CrawlProgress) -> bool:
        """Every worker that sent entries of ``site`` has closed its share (its last entries are in), or stopped
        saying it is alive (killed: nothing more will come from it)."""
        alive = {_text(w): float(t) for w, t in self.server.hgetall(keys.workers).items()}
        return all(counts.get("closed") is not None or time.time() - alive.get(worker, 0.0) > WORKER_GONE
                   for worker, counts in progress.workers.get(site, {}).items())

    def _judge(self, crawl_id: str, site: str, reason: str, stats: dict[str, Any]) -> list[str]:
        """The health verdict a local crawl's monitor gives, on every worker's counters together."""
        from scrapy.settings import Settings

        from crawler.settings import SPEECHCRAWL_DEFAULTS

        settings = Settings(SPEECHCRAWL_DEFAULTS)
        document = stored_options(self.server, crawl_id) or {}
        settings.setdict(dict((document.get("options") or {}).get("overrides") or {}), "cmdline")
        if not settings.getbool("SPEECHCRAWL_HEALTH_ENABLED"):
            return []
        previous, previous_id = previous_crawl(self.catalog_path, site, crawl_id)
        return judge(stats, site, crawl_id, reason, previous, previous_id, thresholds_from(settings),
                     self.catalog_path.parent / "reports")

    def _report(self, crawl_id: str, site: str) -> None:
        """The HTML report of the site's crawl, as a local crawl writes it when it ends (never fails the crawl)."""
        try:
            path = write_report(self.catalog.conn, self.catalog_path.parent, crawl_id, site)
        except (KeyError, OSError, sqlite3.Error):
            logger.warning("could not write the HTML report of %s", site, exc_info=True)
            return
        logger.info("report: %s", path)

    def crawl_over(self, crawl_id: str) -> bool:
        """Every site of the crawl is over and written (False while Redis is away)."""
        try:
            sites = crawl_sites(self.server, crawl_id)
        except REDIS_ERRORS:
            return False
        return bool(sites) and set(sites) <= self._progress(crawl_id).finished

    def run(self, crawl_ids: list[str] | None, *, until_over: bool, exit_when_idle: float | None,
            report: Callable[[str], None] | None = None, stop: Callable[[], bool] = lambda: False) -> None:
        """Apply entries until stopped, until the crawls are over (``until_over``), or idle that long."""
        idle_since = time.monotonic()
        last_report = 0.0
        while not stop():
            if self.step(crawl_ids):
                idle_since = time.monotonic()
            if report is not None and time.monotonic() - last_report >= 2.0:
                last_report = time.monotonic()
                for progress in self.progress.values():
                    report(progress.line())
            if until_over and crawl_ids and not self.outage.down and all(self.crawl_over(c) for c in crawl_ids):
                return
            if exit_when_idle is not None and time.monotonic() - idle_since > exit_when_idle:
                return
