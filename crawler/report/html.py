"""Render the crawl report into one self-contained HTML file (inline CSS and SVG, no script, no network).

Jinja2 with autoescaping: every URL, reason and warning comes from a crawled site and is escaped.
Charts are SVG bars drawn by a template macro; each bar carries its value as ``data-value`` and a
``<title>``, so a reader hovering, a screen reader and a test all see the same number.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from crawler.report.data import CrawlReport, gather

__all__ = ["environment", "render", "report_path", "write_report", "write_crawl_reports"]

_ENV: Environment | None = None


def environment() -> Environment:
    """The package's Jinja2 environment (templates in crawler/report/templates), autoescaping on."""
    global _ENV
    if _ENV is None:
        _ENV = Environment(loader=PackageLoader("crawler.report", "templates"),
                           autoescape=select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True)
        _ENV.filters["mb"] = lambda n: f"{(n or 0) / 1e6:.2f} MB"
        _ENV.filters["kb"] = lambda n: "-" if n is None else f"{n / 1e3:.1f} kB"
        _ENV.filters["ms"] = lambda n: "-" if n is None else f"{n:.0f} ms"
    return _ENV


def render(report: CrawlReport) -> str:
    return environment().get_template("report.html.j2").render(r=report)


def report_path(data: Path, site: str, crawl_id: str) -> Path:
    return data / "reports" / f"{site}-{crawl_id}.html"


def write_report(conn: sqlite3.Connection, data: Path, crawl_id: str, site: str) -> Path:
    """Write ``DATA/reports/<site>-<crawl id>.html`` whole (beside, then renamed); its path."""
    report = gather(conn, data, crawl_id, site)
    report.generated_at = datetime.now(UTC).isoformat(timespec="seconds")
    path = report_path(data, site, crawl_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(render(report), encoding="utf-8")
    os.replace(partial, path)
    return path


def write_crawl_reports(conn: sqlite3.Connection, data: Path, crawl_id: str) -> list[Path]:
    """One report per site of ``crawl_id``; KeyError if the catalog has no such crawl."""
    sites = [r[0] for r in conn.execute("SELECT site FROM crawls WHERE id = ? ORDER BY site", (crawl_id,))]
    if not sites:
        raise KeyError(f"no crawl {crawl_id!r} in the catalog")
    return [write_report(conn, data, crawl_id, site) for site in sites]
