"""The HTML crawl report: one self-contained file per site and crawl, ``DATA/reports/<site>-<crawl id>.html``.

Written after every crawl (``crawler.extensions.report``) and on demand (``speechcrawl report``).
:mod:`crawler.report.data` gathers the figures from the catalog and the health report,
:mod:`crawler.report.html` fills a Jinja2 template that draws the charts as plain SVG (no script library,
nothing fetched: the file works offline, from ``file://`` and on paper).
"""

from __future__ import annotations

from crawler.report.data import CrawlReport, gather
from crawler.report.html import report_path, write_crawl_reports, write_report

__all__ = ["CrawlReport", "gather", "report_path", "write_crawl_reports", "write_report"]
