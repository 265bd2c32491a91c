"""Running crawls from Python: resolve targets, build settings, run, summarise.

The CLI's ``crawl`` and ``demo`` commands are thin layers over :func:`run_crawl`.
Scrapy's reactor can start once per process, so one call crawls every target
concurrently (one Scrapy crawler per site).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from archive.warc import WARC_DIRNAME
from corpus.catalog import CATALOG_NAME, Catalog
from crawler.crawllock import CrawlLock, CrawlLockedError
from crawler.paths import UnsafeNameError, check_crawl_id, check_site_name, data_dir_from, warc_dir_from
from crawler.storage import FATAL_STAT, StorageError, check_writable, write_failure
from quality.health import key as health_key
from spiders.loader import spider_class
from spiders.profiles import ProfileError, SiteProfile, generic_profile, load_profile_set

logger = logging.getLogger(__name__)

_WARNINGS = health_key("warnings")

__all__ = ["CrawlRefused", "CrawlSummary", "SiteSummary", "prepare_crawl", "resolve_targets", "run_crawl"]


@dataclass
class SiteSummary:
    site: str
    pages: int = 0
    records: int = 0
    errors: int = 0
    finish_reason: str = ""
    warnings: list[str] = field(default_factory=list)
    """What the health monitors found wrong (quality.health); empty when the site looks healthy."""
    failed: int = 0
    """Pages listed as failed in the catalog (``speechcrawl crawls show``)."""
    error: str = ""
    """Why the crawl was stopped (a failed WARC or catalog write: path and free space), else empty."""


@dataclass
class CrawlSummary:
    crawl_id: str
    data_dir: Path
    seconds: float
    sites: list[SiteSummary] = field(default_factory=list)
    warc_files: int = 0
    warc_bytes: int = 0

    @property
    def pages(self) -> int:
        return sum(s.pages for s in self.sites)

    @property
    def records(self) -> int:
        return sum(s.records for s in self.sites)


def resolve_targets(targets: Sequence[str], *, profiles_dir: Path | None = None,
                    origins: Mapping[str, str] | None = None) -> list[SiteProfile]:
    """Profile names and URLs to profiles.  A URL on a profiled host uses that profile; else generic mode."""
    found = load_profile_set(profiles_dir)
    profiles = found.profiles
    origins = origins or {}
    out: list[SiteProfile] = []
    for target in targets:
        if target in profiles:
            profile = profiles[target]
            origin = origins.get(target)
            out.append(profile.rebased(origin) if origin else profile)
        elif urlsplit(target).scheme in ("http", "https"):
            host = urlsplit(target).netloc
            known = [p for p in profiles.values() if host in p.hosts]
            out.append(known[0] if known else generic_profile(target))
        elif target in found.errors:
            raise found.errors[target]
        else:
            raise ProfileError(f"unknown site {target!r}: not a profile name ({', '.join(sorted(profiles))}) "
                               "nor an http(s) URL")
    return out


class _Progress:
    """One status line on stderr while crawlers run (rewritten in place on a terminal)."""

    def __init__(self, crawlers: Sequence[Crawler], stream: TextIO, interval: float) -> None:
        self.crawlers = crawlers
        self.stream = stream
        self.interval = interval
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        if not self.tty and now - self._last < max(self.interval, 5.0):
            return
        self._last = now
        parts = []
        for crawler in self.crawlers:
            stats = crawler.stats.get_stats() if crawler.stats else {}
            name = crawler.spider.name if crawler.spider else "?"
            parts.append(f"{name} {stats.get('response_received_count', 0)}p/"
                         f"{stats.get('speechcrawl/clean/records', 0)}r")
        line = f"[{now - self.started:5.1f}s] " + "  ".join(parts)
        self.stream.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class CrawlRefused(RuntimeError):
    """The crawl cannot start: an unsafe crawl id or site name, a data dir it cannot write, or another
    crawl of the same site on the same data dir.  The message is one line; nothing was fetched."""


def prepare_crawl(profiles: Sequence[SiteProfile], settings: Settings) -> list[CrawlLock]:
    """Check everything a crawl needs before its first fetch; return the crawl locks it now holds.

    Ids and names first (they become file names), then a write into the data and WARC dirs (a
    read-only or full disk is found before any site is asked for a page), then the per-site locks.
    """
    locks: list[CrawlLock] = []
    data_dir = data_dir_from(settings)
    try:
        check_crawl_id(str(settings.get("SPEECHCRAWL_CRAWL_ID") or ""))
        for profile in profiles:
            check_site_name(profile.name)
        check_writable(data_dir)
        check_writable(warc_dir_from(settings))
        for profile in profiles:
            locks.append(CrawlLock(data_dir, profile.name).acquire())
    except (UnsafeNameError, StorageError, CrawlLockedError) as exc:
        for lock in locks:
            lock.release()
        raise CrawlRefused(str(exc)) from None
    except OSError as exc:
        for lock in locks:
            lock.release()
        raise CrawlRefused(write_failure(data_dir, exc)) from None
    return locks


def run_crawl(profiles: Sequence[SiteProfile], settings: Settings, *, progress: bool | None = None,
              stream: TextIO | None = None) -> CrawlSummary:
    """Crawl every profile concurrently; return what was fetched, cleaned and archived.

    ``progress`` shows a status line on stderr; by default SPEECHCRAWL_PROGRESS_ENABLED decides.
    Raises :class:`CrawlRefused` before anything is fetched when the crawl cannot start.
    """
    if not profiles:
        raise ValueError("nothing to crawl")
    locks = prepare_crawl(profiles, settings)
    try:
        return _run(profiles, settings, progress=progress, stream=stream)
    finally:
        for lock in locks:
            lock.release()


def _run(profiles: Sequence[SiteProfile], settings: Settings, *, progress: bool | None,
         stream: TextIO | None) -> CrawlSummary:
    started = time.monotonic()
    # Logging is configured by the caller (the CLI), not by Scrapy: one handler, one format.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, "cmdline")
    process = CrawlerProcess(settings)
    finished: dict[str, dict[str, Any]] = {}
    crawlers: list[Crawler] = []
    # Signal receivers are held weakly: keep the per-crawler closures alive until the crawl ends.
    receivers: list[Any] = []
    for profile in profiles:
        crawler = process.create_crawler(spider_class(profile))

        def _closed(spider: Any, reason: str, crawler: Crawler = crawler) -> None:
            stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
            stats["finish_reason"] = reason
            finished[spider.name] = stats

        receivers.append(_closed)
        crawler.signals.connect(_closed, signal=signals.spider_closed)
        crawlers.append(crawler)
        process.crawl(crawler)
    ticker = None
    if settings.getbool("SPEECHCRAWL_PROGRESS_ENABLED") if progress is None else progress:
        from twisted.internet import task

        reporter = _Progress(crawlers, stream or sys.stderr, settings.getfloat("SPEECHCRAWL_PROGRESS_INTERVAL"))
        ticker = task.LoopingCall(reporter.tick)
        ticker.start(reporter.interval, now=False)
    process.start()
    for profile, crawler in zip(profiles, crawlers, strict=True):
        # The monitor decides at spider_closed, after _closed copied the stats: read its verdict now.
        if crawler.stats is not None and profile.name in finished:
            finished[profile.name][_WARNINGS] = crawler.stats.get_value(_WARNINGS, [])
    if ticker is not None and ticker.running:
        ticker.stop()
        reporter.tick()
        reporter.done()
    return _summarise(settings, profiles, finished, time.monotonic() - started)


def _summarise(settings: Settings, profiles: Sequence[SiteProfile], finished: Mapping[str, Mapping[str, Any]],
               seconds: float) -> CrawlSummary:
    data_dir = Path(settings.get("SPEECHCRAWL_DATA_DIR"))
    summary = CrawlSummary(crawl_id=settings.get("SPEECHCRAWL_CRAWL_ID"), data_dir=data_dir, seconds=seconds)
    catalog_path = data_dir / CATALOG_NAME
    counts: dict[str, int] = {}
    failed: dict[str, int] = {}
    if catalog_path.exists():
        try:
            _count_from_catalog(catalog_path, summary.crawl_id, counts, failed)
        except sqlite3.Error as exc:  # a full disk may not even let SQLite open its WAL index
            logger.error("%s", write_failure(catalog_path, exc))
    for profile in profiles:
        stats = finished.get(profile.name, {})
        summary.sites.append(SiteSummary(
            site=profile.name, pages=int(stats.get("response_received_count", 0)),
            records=counts.get(profile.name, 0), failed=failed.get(profile.name, 0),
            errors=int(stats.get("log_count/ERROR", 0)), finish_reason=str(stats.get("finish_reason", "not run")),
            warnings=list(stats.get(_WARNINGS) or []), error=str(stats.get(FATAL_STAT) or ""),
        ))
    for path in (data_dir / WARC_DIRNAME).rglob("*.warc.gz"):
        if summary.crawl_id in path.name:
            summary.warc_files += 1
            summary.warc_bytes += path.stat().st_size
    return summary


def _count_from_catalog(catalog_path: Path, crawl_id: str, counts: dict[str, int], failed: dict[str, int]) -> None:
    catalog = Catalog(catalog_path)
    try:
        # Records this crawl produced, new, changed or unchanged since the last crawl (corpus.history).
        for row in catalog.conn.execute("SELECT site, COUNT(*) FROM record_events WHERE crawl_id = ?"
                                        " AND event != 'gone' GROUP BY site", (crawl_id,)):
            counts[row[0]] = row[1]
        for row in catalog.conn.execute("SELECT site, COUNT(*) FROM failures WHERE crawl_id = ? GROUP BY site",
                                        (crawl_id,)):
            failed[row[0]] = row[1]
    finally:
        catalog.close()
