"""Where things live under a data directory, derived from settings in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archive.warc import WARC_DIRNAME
from corpus.catalog import CATALOG_NAME

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings



def new_crawl_id() -> str:
    """Sortable, readable and unique enough for one operator: UTC time to the millisecond."""
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"


def data_dir_from(settings: BaseSettings) -> Path:
    return Path(settings.get("SPEECHCRAWL_DATA_DIR") or "data")


def warc_dir_from(settings: BaseSettings) -> Path:
    return Path(settings.get("SPEECHCRAWL_WARC_DIR") or data_dir_from(settings) / WARC_DIRNAME)


def catalog_path_from(settings: BaseSettings) -> Path:
    return Path(settings.get("SPEECHCRAWL_CATALOG_PATH") or data_dir_from(settings) / CATALOG_NAME)


def crawl_id_from(settings: BaseSettings) -> str:
    crawl_id = settings.get("SPEECHCRAWL_CRAWL_ID")
    if not crawl_id:
        raise ValueError("SPEECHCRAWL_CRAWL_ID is empty: the add-on sets it; is ADDONS configured?")
    return str(crawl_id)
