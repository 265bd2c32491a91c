"""``site check --live``: crawl a small, fixed sample of each site now and judge it.

The sample is the first few list pages and article links (crawler.spidermiddlewares.sample), so
two live checks fetch the same pages and can be compared.  The crawl is an ordinary crawl — WARC,
catalog, health monitors — so its warnings are the monitors' (content selector matching nothing,
empty metadata, fewer records or shorter texts than the site's last crawl).  When the data
directory has no earlier crawl of the site, the fixture's expected records stand in for it.  With
``update``, a healthy sample becomes the site's new fixture.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.warc import WARC_DIRNAME
from corpus.catalog import CATALOG_NAME, Catalog
from crawler.options import CrawlOptions, crawl_settings
from crawler.runner import run_crawl
from crawler.site import SAMPLE_ARTICLES, SAMPLE_LISTS
from crawler.site.check import check_fixture
from crawler.site.fixture import Fixture, FixtureError, Manifest
from quality.health import compare, counters_of
from quality.health import key as health_key
from spiders.profiles import SiteProfile, fixture_dir

logger = logging.getLogger(__name__)

__all__ = ["LiveResult", "SAMPLE_ARTICLES", "SAMPLE_LISTS", "live_check"]



@dataclass
class LiveResult:
    site: str
    pages: int
    records: int
    warnings: list[str] = field(default_factory=list)
    fixture: str = ""
    """What happened to the fixture (with ``update``)."""

    @property
    def ok(self) -> bool:
        return not self.warnings

    def report(self) -> str:
        head = f"{self.site}: {'ok' if self.ok else 'BROKEN?'} ({self.pages} pages, {self.records} records)"
        return "\n".join([head, *(f"  {w}" for w in self.warnings), *([f"  {self.fixture}"] if self.fixture else [])])


def _origin(profile: SiteProfile) -> str:
    parts = urlsplit(profile.start_urls[0])
    return f"{parts.scheme}://{parts.netloc}"


def _this_crawl(data: Path, site: str, crawl_id: str) -> tuple[Mapping[str, Any], bool]:
    """This crawl's stats as the catalog kept them, and whether an earlier crawl of the site exists."""
    catalog = Catalog(data / CATALOG_NAME)
    try:
        crawls = catalog.site_crawls(site)
    finally:
        catalog.close()
    stats: Mapping[str, Any] = next((c["stats"] for c in crawls if c["id"] == crawl_id), {})
    return stats, any(c["id"] != crawl_id for c in crawls)


def _record_fixture(profile: SiteProfile, data: Path, crawl_id: str, fixtures: Path | None, scope: str) -> str:
    warcs = sorted((data / WARC_DIRNAME / profile.name).glob(f"{profile.name}-{crawl_id}-*.warc.gz"))
    manifest = Manifest(site=profile.name, origin=_origin(profile), crawl_id=crawl_id,
                        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        how=f"speechcrawl site check --live {profile.name} --update", scope=scope)
    fixture = Fixture.create(fixture_dir(profile, fixtures), manifest, warcs)
    if fixture.expected_path.exists():
        fixture.expected_path.unlink()
    result = check_fixture(profile, fixture, update=True)
    return f"fixture recorded: {fixture.directory} ({len(warcs)} WARC file(s), {result.records} records)"


def live_check(profiles: Sequence[SiteProfile], data: Path, *, fixtures: Path | None = None, allow_private: bool = False,
               sandbox: bool = False, update: bool = False, articles: int = SAMPLE_ARTICLES,
               lists: int = SAMPLE_LISTS) -> list[LiveResult]:
    """Crawl a sample of every profile into ``data`` and report each site's health."""
    settings = crawl_settings(CrawlOptions(
        data_dir=data, allow_private=allow_private, sandbox=sandbox,
        overrides={"SPEECHCRAWL_SAMPLE_ARTICLES": articles, "SPEECHCRAWL_SAMPLE_LISTS": lists}))
    summary = run_crawl(profiles, settings)
    by_name = {p.name: p for p in profiles}
    results = []
    for site in summary.sites:
        result = LiveResult(site=site.site, pages=site.pages, records=site.records, warnings=list(site.warnings))
        stats, has_history = _this_crawl(data, site.site, summary.crawl_id)
        if not has_history:
            try:
                fixture = Fixture.load(fixture_dir(by_name[site.site], fixtures))
                expected = fixture.expected()
            except FixtureError:
                expected = []
            if expected:  # no earlier crawl here: the accepted fixture is the last known good crawl
                baseline = counters_of(expected, fixture.manifest.scope or "fixture")
                result.warnings += compare(stats, baseline, "fixture")
        if site.finish_reason != "finished":
            result.warnings.append(f"the crawl ended with {site.finish_reason!r}")
        if update and result.ok:
            result.fixture = _record_fixture(by_name[site.site], data, summary.crawl_id, fixtures,
                                             str(stats.get(health_key("scope"), "")))
        elif update:
            result.fixture = "fixture NOT updated: fix the warnings first"
        results.append(result)
    return results
