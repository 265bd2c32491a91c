"""``speechcrawl worker``: one process serving the distributed crawls seeded on a Redis.

Start any number, on one machine or several.  A worker looks for crawls in Redis every second and
runs one Scrapy crawler per site of each crawl that is not over (all in one reactor: Scrapy's
reactor starts once per process), built with the crawl's stored options (crawler.distributed.crawls)
and switched to the shared frontier by the add-on.  It serves crawls until stopped: SIGTERM or
SIGINT finish what is in flight and release nothing un-acknowledged (those leases expire and
another worker fetches the pages).  ``exit_when_idle`` ends it after that many seconds without a
crawl to work on (tests, one-shot batch jobs).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.warc import WARC_DIRNAME
from crawler.distributed.crawls import stored_options, worker_settings
from crawler.distributed.keys import CRAWLS, WORKERS, CrawlKeys, connect
from crawler.distributed.outbox import REDIS_ERRORS, Outage
from crawler.resume import repair_worker_files
from crawler.runner import resolve_targets
from spiders.loader import spider_class

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy import Request
    from scrapy.crawler import Crawler, CrawlerProcess

    from spiders.profiles import SiteProfile
    from spiders.template import TemplateSpider

__all__ = ["Worker", "run_worker"]

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0


async def _no_start(self: Any) -> AsyncIterator[Request]:
    """A worker's spider makes no start requests: the crawl's seeder queued them once, for every worker."""
    return
    yield  # an async generator that yields nothing


def worker_spider(profile: SiteProfile) -> type[TemplateSpider]:
    base = spider_class(profile)
    return type(base.__name__, (base,), {"start": _no_start, "__module__": __name__})


@dataclass
class Worker:
    redis_url: str
    data_dir: Path
    worker_id: str
    exit_when_idle: float | None = None
    allow_private: bool = False
    """The DNS resolver is the process's, shared by every crawl it serves: private addresses only when the
    worker's operator allows them (``--allow-private``), whatever a crawl's options ask."""
    running: dict[tuple[str, str], Crawler] = field(default_factory=dict)
    ended: dict[tuple[str, str], str] = field(default_factory=dict)
    """(crawl, site) -> why this worker's crawler of it closed."""

    def __post_init__(self) -> None:
        self.server = connect(self.redis_url)
        self.outage = Outage(f"worker {self.worker_id}")
        self.idle_since = time.monotonic()
        self.process: CrawlerProcess | None = None
        self.stopping = False
        self._receivers: list[Any] = []

    def _wanted(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(crawl, site, stored options) of every site this worker should be crawling and is not."""
        out = []
        self.server.hset(WORKERS, self.worker_id, f"{time.time():.0f}")
        for raw in sorted(self.server.smembers(CRAWLS)):
            crawl_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            document = stored_options(self.server, crawl_id)
            if document is None:
                continue
            for site in document["sites"]:
                key = (crawl_id, site)
                if key in self.running or self.server.exists(CrawlKeys(crawl_id).site(site).done):
                    continue
                if key in self.ended and self.ended[key] != "finished":
                    continue  # stopped by a limit or an error here: not restarted over and over
                out.append((crawl_id, site, document))
        return out

    def poll(self) -> None:
        from twisted.internet import reactor

        if self.process is None or self.stopping:
            return
        try:
            wanted = self._wanted()
        except REDIS_ERRORS as exc:
            self.outage.failed(exc)
            return
        self.outage.recovered()
        for crawl_id, site, document in wanted:
            self._start(crawl_id, site, document)
        if self.running:
            self.idle_since = time.monotonic()
        elif self.exit_when_idle is not None and time.monotonic() - self.idle_since > self.exit_when_idle:
            logger.info("worker %s: no crawl to work on for %.0fs; exiting", self.worker_id, self.exit_when_idle)
            reactor.stop()  # type: ignore[misc]

    def _start(self, crawl_id: str, site: str, document: dict[str, Any]) -> None:
        from scrapy import signals
        from scrapy.crawler import Crawler

        assert self.process is not None
        settings = worker_settings(document, crawl_id, data_dir=self.data_dir, redis_url=self.redis_url,
                                   worker_id=self.worker_id)
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, "cmdline")
        options = document["options"]
        profiles_dir = Path(options["profiles_dir"]) if options.get("profiles_dir") else None
        profiles = {p.name: p for p in resolve_targets(document["targets"], profiles_dir=profiles_dir,
                                                       origins=options.get("origins") or {})}
        crawler = Crawler(worker_spider(profiles[site]), settings)
        key = (crawl_id, site)

        def closed(spider: Any, reason: str) -> None:
            self.ended[key] = reason

        self._receivers.append(closed)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        self.running[key] = crawler
        logger.info("worker %s: crawling %s of crawl %s", self.worker_id, site, crawl_id)
        done = self.process.crawl(crawler)
        done.addBoth(lambda result: (self.running.pop(key, None), result)[1])

    def run(self) -> int:
        from scrapy.crawler import CrawlerProcess
        from scrapy.settings import Settings
        from twisted.internet import task

        from crawler.settings import scrapy_defaults

        # A killed run of this worker left .open files: cut them after their last whole record first.
        repair_worker_files(self.data_dir / WARC_DIRNAME, self.worker_id)
        # The process's own settings (reactor, DNS resolver, logging). Scrapy copies a runner's settings into
        # every crawler it runs, over settings of equal or lower priority: below "default", they never
        # replace a crawl's own (its sandbox preset, its SSRF policy).
        settings = Settings()
        below_default = -1
        settings.setdict({**scrapy_defaults(), "LOG_INSTALL_ROOT_HANDLER": False,
                          "SPEECHCRAWL_SSRF_ALLOW_PRIVATE": self.allow_private}, below_default)
        # The crawls' reactor, installed before the poll loop touches one (importing it installs the default).
        from scrapy.utils.reactor import install_reactor, is_reactor_installed

        if not is_reactor_installed():
            install_reactor(settings["TWISTED_REACTOR"])
        worker = self

        class WorkerProcess(CrawlerProcess):
            """Starts no new crawler once a SIGTERM/SIGINT asked the running ones to finish."""

            def stop(self) -> Any:
                worker.stopping = True
                return super().stop()

        self.process = WorkerProcess(settings)
        ticker = task.LoopingCall(self.poll)
        ticker.start(POLL_SECONDS, now=True)
        self.process.start(stop_after_crawl=False)
        return 0


def run_worker(redis_url: str, data_dir: Path, worker_id: str, *, exit_when_idle: float | None = None,
               allow_private: bool = False) -> int:
    """Serve the crawls on ``redis_url`` until stopped (or idle ``exit_when_idle`` seconds); the exit code."""
    return Worker(redis_url, data_dir, worker_id, exit_when_idle, allow_private).run()
