"""``site list``: every profile with its domains, last crawl, records and health.

Health is judged again from the stats the catalog kept for the site's last two crawls (the same
:func:`quality.health.evaluate` the monitor ran when the crawl ended), so the table needs nothing
but the catalog, and older crawls read the same way as new ones.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from corpus.catalog import CATALOG_NAME, Catalog, open_existing
from crawler.site.fixture import Fixture, FixtureError
from quality.health import evaluate, key
from spiders.profiles import SiteProfile, fixture_dir

logger = logging.getLogger(__name__)

__all__ = ["SiteRow", "site_rows", "format_rows"]


@dataclass(frozen=True)
class SiteRow:
    name: str
    domains: str
    last_crawl: str
    records: str
    health: str
    fixture: str


def _row(profile: SiteProfile, catalog: Catalog | None, fixtures: Path | None) -> SiteRow:
    try:
        fixture = f"{len(Fixture.load(fixture_dir(profile, fixtures)).expected())} records"
    except FixtureError:
        fixture = "none"
    crawls = [c for c in catalog.site_crawls(profile.name) if c["finished_at"]] if catalog is not None else []
    if not crawls:
        return SiteRow(profile.name, ", ".join(profile.hosts), "never", "-", "-", fixture)
    last = crawls[0]
    previous = crawls[1] if len(crawls) > 1 else None
    stats = last["stats"]
    warnings = evaluate(stats, previous["stats"] if previous else None, str(previous["id"]) if previous else "")
    records = stats.get(key("records"), stats.get("speechcrawl/clean/records", 0))
    scope = stats.get(key("scope"), "full")
    when = f"{last['id']} ({last['finished_at'][:10]}{'' if scope == 'full' else ', sample'})"
    health = "ok" if not warnings else f"{len(warnings)} warning(s): {warnings[0]}"
    return SiteRow(profile.name, ", ".join(profile.hosts), when, str(records), health, fixture)


def site_rows(profiles: Mapping[str, SiteProfile], data: Path, fixtures: Path | None = None) -> list[SiteRow]:
    """One row per profile, by name; a missing catalog means no site was crawled yet (a damaged one: CatalogError)."""
    catalog_path = data / CATALOG_NAME
    catalog = open_existing(catalog_path) if catalog_path.exists() else None
    try:
        return [_row(profiles[name], catalog, fixtures) for name in sorted(profiles)]
    finally:
        if catalog is not None:
            catalog.close()


def format_rows(rows: list[SiteRow]) -> str:
    header = SiteRow("site", "domains", "last crawl", "records", "health", "fixture")
    table = [header, *rows]
    widths = [max(len(str(getattr(r, f))) for r in table) for f in ("name", "domains", "last_crawl", "records",
                                                                      "fixture")]
    lines = []
    for r in table:
        cells = [r.name, r.domains, r.last_crawl, r.records, r.fixture]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + r.health)
    return "\n".join(lines)
