"""HealthMonitor: counts the signs of a broken template during a crawl and reports them at its end.

Counters go into the crawl's stats under ``speechcrawl/health/`` (so the catalog keeps them with
the crawl and ``speechcrawl site list`` can judge old crawls the same way); when the spider closes,
:func:`quality.health.evaluate` compares them with the site's previous crawl in the catalog.  The
warnings are logged, stored in the stats (``speechcrawl/health/warnings``, read by the runner for
the crawl summary and its exit status) and written with the counters to
``DATA/reports/<site>-<crawl id>.json``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cleaners import decode_html
from cleaners.parse import parse
from cleaners.selectors import select
from corpus.catalog import Catalog
from crawler.paths import UnsafeNameError, catalog_path_from, contained, crawl_id_from, data_dir_from
from crawler.storage import WRITE_FAILED
from quality.health import LEAKS, META_FIELDS, SELECTOR_KEYS, Thresholds, evaluate, key
from spiders.items import Document

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

    from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)

__all__ = ["HealthMonitor"]

_SCOPE_SETTINGS = (("CLOSESPIDER_PAGECOUNT", "pages"), ("CLOSESPIDER_ITEMCOUNT", "items"), ("DEPTH_LIMIT", "depth"),
                   ("SPEECHCRAWL_SAMPLE_ARTICLES", "articles"), ("SPEECHCRAWL_SAMPLE_LISTS", "lists"))


class HealthMonitor:
    """Scrapy extension: health counters while crawling, warnings and a report when done.

    Settings
    --------
    SPEECHCRAWL_HEALTH_ENABLED, SPEECHCRAWL_HEALTH_MAX_DROP, SPEECHCRAWL_HEALTH_MAX_EMPTY,
    SPEECHCRAWL_HEALTH_MAX_ERRORS, SPEECHCRAWL_HEALTH_MAX_FALLBACK, SPEECHCRAWL_HEALTH_MAX_LEAKS,
    SPEECHCRAWL_HEALTH_REPORT_DIR, SPEECHCRAWL_HEALTH_SELECTOR_SAMPLE, SPEECHCRAWL_CATALOG_PATH,
    SPEECHCRAWL_DATA_DIR, SPEECHCRAWL_CRAWL_ID (and the crawl limits, which make a crawl's "scope").
    """

    def __init__(self, stats: StatsCollector, *, thresholds: Thresholds, report_dir: Path, catalog_path: Path,
                 crawl_id: str, sample: int, scope: str) -> None:
        self.stats = stats
        self.thresholds = thresholds
        self.report_dir = report_dir
        self.catalog_path = catalog_path
        self.crawl_id = crawl_id
        self.sample = sample
        self.scope = scope
        self.profile: SiteProfile | None = None
        self.previous: dict[str, Any] | None = None
        self.previous_id = ""
        self.worker = False
        """In a distributed crawl's worker: count only (crawler.distributed.ingest judges the crawl)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        if not s.getbool("SPEECHCRAWL_HEALTH_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_HEALTH_ENABLED is off")
        assert crawler.stats is not None
        thresholds = thresholds_from(s)
        scope = ",".join(f"{label}<={s.getint(name)}" for name, label in _SCOPE_SETTINGS if s.getint(name)) or "full"
        ext = cls(crawler.stats, thresholds=thresholds,
                  report_dir=Path(s.get("SPEECHCRAWL_HEALTH_REPORT_DIR") or data_dir_from(s) / "reports"),
                  catalog_path=catalog_path_from(s), crawl_id=crawl_id_from(s),
                  sample=s.getint("SPEECHCRAWL_HEALTH_SELECTOR_SAMPLE"), scope=scope)
        ext.worker = bool(s.get("SPEECHCRAWL_WORKER_ID"))
        if not ext.worker:
            # Read before any spider opens: no catalog writer of this process holds a transaction yet.
            ext.previous, ext.previous_id = ext._previous(crawler.spidercls.name)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def _inc(self, name: str, count: int = 1) -> None:
        self.stats.inc_value(key(name), count)

    def spider_opened(self, spider: Spider) -> None:
        self.profile = getattr(spider, "profile", None)
        generic = self.profile is None or self.profile.generic
        self.stats.set_value(key("mode"), "generic" if generic else "profile")
        self.stats.set_value(key("scope"), self.scope)
        rules = self.profile.rules if self.profile is not None else None
        if rules is not None:
            for name, selectors in (("article.content", rules.content), ("article.title", rules.title),
                                    ("article.date", rules.date), ("article.source", rules.source)):
                if selectors:
                    self.stats.set_value(key(f"selector/{name}"), json.dumps(list(selectors), ensure_ascii=False))

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if urlsplit(response.url).path == "/robots.txt":
            return  # a site without robots.txt answers 404: nothing wrong with the site
        self._inc("responses")
        if response.status >= 500:
            self._inc("failed/5xx")
        elif response.status >= 400:
            self._inc("failed/4xx")

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        if not isinstance(item, Document):
            return
        self._inc("documents")
        profiled = self.profile is not None and not self.profile.generic
        for record in item.records:
            text = str(record.get("text") or "")
            self._inc("records")
            self._inc("chars", len(text))
            for field in META_FIELDS:
                if record.get(field):
                    self._inc(f"filled/{field}")
            leak = LEAKS.search(text)
            if leak:
                self._inc("leaky")
                self.stats.set_value(key("leak_example"), f"{leak.group()!r} in {record.get('url')}")
        if profiled and item.records and all(r.get("mode") == "generic" for r in item.records):
            self._inc("fallback")
        if profiled and item.pages and (self.stats.get_value(key("sampled")) or 0) < self.sample:
            self._check_selectors(item)

    def _check_selectors(self, doc: Document) -> None:
        """Do the title/date/source selectors still find anything on the article's first page?"""
        assert self.profile is not None and self.profile.rules is not None
        page = doc.pages[0]
        forced = self.profile.encoding if self.profile.encoding != "auto" else None
        decoded = decode_html(page.body, forced or page.declared_encoding)
        if decoded.text is None:
            return
        tree = parse(decoded.text)
        rules = self.profile.rules
        self._inc("sampled")
        for name, selectors in zip(SELECTOR_KEYS, (rules.title, rules.date, rules.source), strict=True):
            if selectors and not select(tree, selectors):
                self._inc(f"missed/{name}")

    def _previous(self, site: str) -> tuple[dict[str, Any] | None, str]:
        return previous_crawl(self.catalog_path, site, self.crawl_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.worker:
            return  # a worker's counters go to the record writer with its stats, which judges the whole crawl
        warnings = judge(self.stats.get_stats(), spider.name, self.crawl_id, reason, self.previous, self.previous_id,
                         self.thresholds, self.report_dir)
        self.stats.set_value(key("warnings"), warnings)


def thresholds_from(s: Any) -> Thresholds:
    """The health thresholds of these settings (SPEECHCRAWL_HEALTH_MAX_*)."""
    return Thresholds(max_drop=s.getfloat("SPEECHCRAWL_HEALTH_MAX_DROP"),
                      max_empty=s.getfloat("SPEECHCRAWL_HEALTH_MAX_EMPTY"),
                      max_errors=s.getfloat("SPEECHCRAWL_HEALTH_MAX_ERRORS"),
                      max_fallback=s.getfloat("SPEECHCRAWL_HEALTH_MAX_FALLBACK"),
                      max_leaks=s.getfloat("SPEECHCRAWL_HEALTH_MAX_LEAKS"))


def previous_crawl(catalog_path: Path, site: str, crawl_id: str) -> tuple[dict[str, Any] | None, str]:
    """The stats and id of the site's last finished crawl before ``crawl_id`` (what a crawl is judged against)."""
    if not catalog_path.exists():
        return None, ""
    catalog = Catalog(catalog_path)
    try:
        for crawl in catalog.site_crawls(site):
            if crawl["id"] != crawl_id and crawl["finished_at"]:
                return crawl["stats"], str(crawl["id"])
    finally:
        catalog.close()
    return None, ""


def judge(stats: dict[str, Any], site: str, crawl_id: str, reason: str, previous: dict[str, Any] | None,
          previous_id: str, thresholds: Thresholds, report_dir: Path) -> list[str]:
    """The crawl's health warnings, logged and written with its counters to ``<report_dir>/<site>-<crawl>.json``.

    A local crawl's monitor calls it when the spider closes; a distributed crawl's record writer when the
    site is over, on the counters of every worker summed (crawler.distributed.ingest).
    """
    # A crawl stopped by a failed write is judged by that failure (crawler.storage), not by its few pages.
    warnings = [] if reason == WRITE_FAILED else evaluate(stats, previous, previous_id, thresholds)
    for warning in warnings:
        logger.warning("%s: %s", site, warning)
    counters = {k: v for k, v in stats.items() if k.startswith(key("")) and k != key("warnings")}
    report = {"site": site, "crawl_id": crawl_id, "finish_reason": reason,
              "previous_crawl": previous_id or None, "warnings": warnings, "counters": counters}
    path = report_dir / f"{site}-{crawl_id}.json"
    part = path.with_name(path.name + ".part")
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        contained(report_dir, path)
        part.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        part.replace(path)  # whole or not at all
    except (OSError, UnsafeNameError) as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        logger.warning("could not write the health report %s: %s", path, exc)
    return warnings
