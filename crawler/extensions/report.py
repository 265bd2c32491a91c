"""HtmlReport: writes the crawl's HTML report (``DATA/reports/<site>-<crawl id>.html``) when its engine stops.

At ``engine_stopped``, not ``spider_closed``: by then the catalog pipeline has closed the crawl's
row with its stats and the health monitor has written its warnings, whatever order their
``spider_closed`` handlers ran in.  A report that cannot be written is logged, never fails the crawl.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from corpus.catalog import Catalog
from crawler.paths import catalog_path_from, crawl_id_from, data_dir_from
from crawler.report import write_report

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["HtmlReport"]


class HtmlReport:
    """Scrapy extension. Settings: SPEECHCRAWL_REPORT_ENABLED, SPEECHCRAWL_DATA_DIR, SPEECHCRAWL_CATALOG_PATH."""

    def __init__(self, crawler: Crawler, data: Path, catalog_path: Path, crawl_id: str) -> None:
        self.crawler, self.data, self.catalog_path, self.crawl_id = crawler, data, catalog_path, crawl_id

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        if not s.getbool("SPEECHCRAWL_REPORT_ENABLED") or not s.getbool("SPEECHCRAWL_CATALOG_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_REPORT_ENABLED or SPEECHCRAWL_CATALOG_ENABLED is off")
        ext = cls(crawler, data_dir_from(s), catalog_path_from(s), crawl_id_from(s))
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        site = self.crawler.spidercls.name
        if not self.catalog_path.exists():
            return
        catalog = Catalog(self.catalog_path)
        try:
            path = write_report(catalog.conn, self.data, self.crawl_id, site)
        except (KeyError, OSError, sqlite3.Error):
            logger.warning("could not write the HTML report of %s", site, exc_info=True)
            return
        finally:
            catalog.close()
        logger.info("report: %s", path)
