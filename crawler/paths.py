"""Where things live under a data directory, derived from settings in one place.

Crawl ids and site names become parts of file names (``warc/<site>/<site>-<id>-….warc.gz``,
``reports/<site>-<id>.json``, ``locks/<site>.lock``): an id such as ``../../x`` or ``a/b`` would
write outside the data directory, or nowhere. So ids are checked before a crawl starts
(:func:`check_crawl_id`), and every path built from one is checked to stay where it belongs
(:func:`contained`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archive.warc import WARC_DIRNAME
from corpus.catalog import CATALOG_NAME

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["UnsafeNameError", "check_crawl_id", "check_site_name", "contained", "file_stem", "new_crawl_id", "data_dir_from",
           "warc_dir_from", "catalog_path_from", "crawl_id_from",
           "check_worker_id"]

MAX_ID_LENGTH = 100
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class UnsafeNameError(ValueError):
    """A crawl id or site name that cannot safely become part of a file name; the message says why."""


def _check_name(kind: str, value: str, max_length: int) -> str:
    if not isinstance(value, str) or not value:
        raise UnsafeNameError(f"{kind} is empty")
    if len(value) > max_length:
        raise UnsafeNameError(f"{kind} is {len(value)} characters long; at most {max_length}")
    if not _SAFE_NAME.fullmatch(value) or ".." in value:
        raise UnsafeNameError(f"{kind} {value!r} is not a safe name: use letters, digits, '.', '_' and '-', "
                              "starting with a letter or digit, no '..'")
    return value


def check_crawl_id(crawl_id: str) -> str:
    """``crawl_id`` if it can be part of a file name (letters, digits, ``._-``, ≤100 characters), else raise."""
    return _check_name("crawl id", crawl_id, MAX_ID_LENGTH)


def check_site_name(site: str) -> str:
    """``site`` if it can name a directory and be part of a file name, else raise :class:`UnsafeNameError`."""
    return _check_name("site name", site, 255 - MAX_ID_LENGTH - 40)


def check_worker_id(worker_id: str) -> str:
    """A distributed crawl's worker id (part of its WARC file names), if safe, else raise."""
    return _check_name("worker id", worker_id, 40)


def file_stem(name: str) -> str:
    """``name`` as part of a file name: itself when it is a safe name, else a slug and a short hash.

    For names that are valid but not file names, such as the URL a generic-mode schedule crawls.
    """
    try:
        return _check_name("name", name, 120)
    except UnsafeNameError:
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")[:60] or "site"
        return f"{slug}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


def contained(base: Path, path: Path) -> Path:
    """``path`` if it resolves inside ``base`` (symlinks followed), else raise :class:`UnsafeNameError`."""
    resolved, root = path.resolve(), base.resolve()
    if resolved != root and root not in resolved.parents:
        raise UnsafeNameError(f"{path} is outside {base}")
    return path


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
    return check_crawl_id(str(crawl_id))
