"""Per-site figures of a data directory (``speechcrawl stats``): what a corpus holds before exporting it.

Counts come from SQL aggregates over the catalog; the duplicate rate runs the same
duplicate detection as ``speechcrawl export`` over every record (all sites at once, so
a speech copied from one site to another counts as a duplicate on the site whose copy
would be removed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.catalog import Catalog
from corpus.dedup import DedupOptions, find_clusters
from corpus.progress import ProgressSink
from corpus.selection import Selection

__all__ = ["SiteStats", "catalog_stats", "format_table"]

_TEXT = "json_extract(record, '$.text')"
_SPEAKER = "json_extract(record, '$.speaker')"
_DATE = "json_extract(record, '$.date')"


@dataclass
class SiteStats:
    """One row of ``speechcrawl stats``."""

    pages: int = 0
    """Distinct URLs fetched (and archived), robots.txt and redirects included."""
    failed_pages: int = 0
    """Distinct URLs that failed (HTTP errors, timeouts, pages that cleaned to nothing)."""
    records: int = 0
    characters: int = 0
    first_date: str | None = None
    last_date: str | None = None
    speakers: int = 0
    duplicates: int = 0
    masks: int = 0

    @property
    def duplicate_rate(self) -> float:
        return self.duplicates / self.records if self.records else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "duplicate_rate": round(self.duplicate_rate, 4)}


def catalog_stats(catalog_path: Path, dedup: DedupOptions | None = None,
                  progress: ProgressSink | None = None) -> dict[str, SiteStats]:
    """Figures by site, plus ``"total"`` (the last key); FileNotFoundError without a catalog."""
    if not catalog_path.exists():
        raise FileNotFoundError(f"no catalog at {catalog_path}: run `speechcrawl crawl` first")
    dedup = dedup or DedupOptions()
    catalog = Catalog(catalog_path)
    try:
        conn = catalog.conn
        sites: dict[str, SiteStats] = {}
        for site, pages in conn.execute("SELECT site, COUNT(DISTINCT url) FROM fetches GROUP BY site"):
            sites.setdefault(site, SiteStats()).pages = pages
        for site, failed in conn.execute("SELECT site, COUNT(DISTINCT url) FROM failures GROUP BY site"):
            sites.setdefault(site, SiteStats()).failed_pages = failed
        sql = (f"SELECT site, COUNT(*), COALESCE(SUM(length({_TEXT})), 0), MIN({_DATE}), MAX({_DATE}), "
               f"COUNT(DISTINCT {_SPEAKER}), COALESCE(SUM(json_array_length(record, '$.masks')), 0) FROM records")
        for site, *row in conn.execute(sql + " GROUP BY site"):
            s = sites.setdefault(site, SiteStats())
            s.records, s.characters, s.first_date, s.last_date, s.speakers, s.masks = row
        total = SiteStats(pages=sum(s.pages for s in sites.values()),
                          failed_pages=sum(s.failed_pages for s in sites.values()))
        _, total.records, total.characters, total.first_date, total.last_date, total.speakers, total.masks = (
            conn.execute(sql).fetchone())
        if dedup.mode != "none":
            total.duplicates = _count_duplicates(Selection(catalog), dedup, sites, progress)
    finally:
        catalog.close()
    return {**dict(sorted(sites.items())), "total": total}


def _count_duplicates(selection: Selection, dedup: DedupOptions, sites: dict[str, SiteStats],
                      progress: ProgressSink | None) -> int:
    with selection.snapshot():
        if progress:
            progress.stage("dedup", selection.count() if progress.enabled else None)
        clusters = find_clusters(selection.texts(), selection.text_of, selection.ids_of, dedup,
                                 tick=progress.advance if progress else None)
        for position, site in enumerate(selection.sites()):
            if clusters.is_duplicate(position):
                sites[site].duplicates += 1
    if progress:
        progress.close()
    return clusters.duplicates


def format_table(stats: dict[str, SiteStats]) -> str:
    """The figures as an aligned plain-text table (one row per site, then the total)."""
    head = ("site", "pages", "records", "characters", "dates", "speakers", "dup rate", "masks", "failed")
    rows = [head]
    for site, s in stats.items():
        dates = f"{s.first_date}..{s.last_date}" if s.first_date else "-"
        rows.append((site, str(s.pages), str(s.records), str(s.characters), dates, str(s.speakers),
                     f"{100 * s.duplicate_rate:.1f}%", str(s.masks), str(s.failed_pages)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for row in rows:  # names and date ranges left-aligned, numbers right-aligned
        cells = [c.ljust(w) if i in (0, 4) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
