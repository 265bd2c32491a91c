"""SpeechcrawlAddon: one line in a Scrapy project enables every speechcrawl component.

``ADDONS = {"crawler.addon.SpeechcrawlAddon": 0}``.  Components are registered at
fixed orders with the "addon" priority, so a project can still override any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import get_settings_priority as settings_priority

from crawler.paths import new_crawl_id
from crawler.settings import SPEECHCRAWL_DEFAULTS

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

DOWNLOADER_MIDDLEWARES = {
    "crawler.downloadermiddlewares.ssrf.PrivateAddressGuardMiddleware": 40,
    # Scrapy's RobotsTxtMiddleware lets all but the first request waiting for robots.txt through unchecked.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.downloadermiddlewares.robotstxt.SharedRobotsTxtMiddleware": 100,
    # Scrapy's RetryMiddleware is replaced by its backoff-aware subclass, at the same order.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.downloadermiddlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.downloadermiddlewares.pacing.HostPacingMiddleware": 560,
    "crawler.downloadermiddlewares.bodyguard.BodyGuardMiddleware": 595,
    "crawler.downloadermiddlewares.redirect.RedirectLoopMiddleware": 601,
    "crawler.downloadermiddlewares.conditional.ConditionalRequestMiddleware": 620,
    "crawler.downloadermiddlewares.warc.WarcRecorderMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    "crawler.spidermiddlewares.resume.ResumeMiddleware": 700,
    "crawler.spidermiddlewares.recrawl.KnownUrlsMiddleware": 710,
    # An article's next page keeps its document's depth (and is never dropped by DEPTH_LIMIT).
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "crawler.spidermiddlewares.depth.ArticleDepthMiddleware": 900,
    "crawler.spidermiddlewares.sample.SampleLimitMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.warc.WarcMetadataPipeline": 700,
    "crawler.pipelines.catalog.CatalogPipeline": 800,
}
DISTRIBUTED_DOWNLOADER_MIDDLEWARES = {
    # With SPEECHCRAWL_REDIS_URL, per-host politeness holds for the crawl as a whole (docs/distributed.md).
    # Late in the chain: a redirect or retry answering with a new Request must not skip its process_response,
    # and an answer from Scrapy's HTTP cache (900) costs the host nothing, so it takes no slot.
    "crawler.downloadermiddlewares.pacing.HostPacingMiddleware": None,
    "crawler.distributed.politeness.DistributedPolitenessMiddleware": 910,
}
SCHEDULER_QUEUES = {
    # The requests waiting to be fetched, kept packed (a generic crawl's frontier is most of its memory).
    "SCHEDULER_MEMORY_QUEUE": "crawler.queues.CompactLifoMemoryQueue",
    "SCHEDULER_START_MEMORY_QUEUE": "crawler.queues.CompactFifoMemoryQueue",
}
EXTENSIONS = {
    "crawler.extensions.lock.CrawlLockExtension": 0,
    "crawler.extensions.monitor.HealthMonitor": 500,
    "crawler.extensions.report.HtmlReport": 510,
}


def _register(settings: BaseSettings, name: str, components: dict[str, int]) -> None:
    """Add components to a component-dict setting; any order a project set for them wins."""
    target = settings[name]
    for path, order in components.items():
        target.set(path, order, "addon")


class SpeechcrawlAddon:
    """Registers the WARC recorder, SSRF guard, retry/pacing/body/redirect guards, conditional requests,
    resume filter, known-URL re-crawl, the crawl lock, clean and catalog pipelines, the health monitor, the HTML
    report, the sample limiter, compact scheduler queues (crawler.queues) and SPEECHCRAWL_* defaults; with
    SPEECHCRAWL_REDIS_URL, crawl-wide politeness in place of pacing."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in SPEECHCRAWL_DEFAULTS.items():
            settings.set(name, value, "default")
        if not settings.get("SPEECHCRAWL_CRAWL_ID"):
            settings.set("SPEECHCRAWL_CRAWL_ID", new_crawl_id(), "addon")
        _register(settings, "DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES)
        if settings.get("SPEECHCRAWL_REDIS_URL"):
            _register(settings, "DOWNLOADER_MIDDLEWARES", DISTRIBUTED_DOWNLOADER_MIDDLEWARES)
        _register(settings, "SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARES)
        _register(settings, "ITEM_PIPELINES", ITEM_PIPELINES)
        _register(settings, "EXTENSIONS", EXTENSIONS)
        for name, path in SCHEDULER_QUEUES.items():
            settings.set(name, path, "addon")
        if settings.getpriority("DOWNLOADER") == settings_priority("default"):  # a project's own downloader wins
            settings.set("DOWNLOADER", "crawler.downloader.SlotLimitedDownloader", "addon")
        if settings.get("SPEECHCRAWL_WORKER_ID"):
            _distributed(settings)


WORKER_COMPONENTS = {
    "ITEM_PIPELINES": {"crawler.pipelines.catalog.CatalogPipeline": None,
                       "crawler.distributed.handoff.RecordHandoffPipeline": 800},
    # The lease is the workers' lock.
    # The health monitor only counts in a worker; the record writer judges the crawl and writes its report.
    "EXTENSIONS": {"crawler.extensions.lock.CrawlLockExtension": None,
                   "crawler.extensions.report.HtmlReport": None, "crawler.distributed.leases.LeaseKeeper": 0,
                   "crawler.distributed.limits.CrawlLimits": 0},
}


def _distributed(settings: BaseSettings) -> None:
    """One worker's share of a distributed crawl: scrapy-redis's frontier and dupefilter (with leases),
    records handed to the one writer instead of the catalog (docs/distributed.md)."""
    from crawler.distributed.dupefilter import Seen
    from crawler.distributed.keys import scheduler_settings

    kind = Seen.from_settings(settings).kind
    for name, value in scheduler_settings(settings["SPEECHCRAWL_CRAWL_ID"], settings["SPEECHCRAWL_REDIS_URL"],
                                          kind).items():
        settings.set(name, value, "addon")
    for name, components in WORKER_COMPONENTS.items():
        _register(settings, name, components)
