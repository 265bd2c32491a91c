"""Resuming a crawl that was killed (kill -9, power cut, OOM) at any instant.

What a killed crawl leaves, and what resuming does about it:

* WARC files still named ``….warc.gz.open``, possibly ending in half a record.  They are cut after
  their last complete record (:func:`archive.verify.repair`, which keeps the cut bytes as ``.tail``)
  and renamed, before the resumed crawl writes anything.  Every record the catalog points to was
  written before its catalog row, so a repair never cuts one that is referenced.
* A catalog whose last, uncommitted batch is gone (SQLite rolls it back), and the fetch rows of up to
  the last second, which the catalog pipeline commits in batches: their records are in the WARC
  files, and :func:`catch_up_fetches` adds them from there, so the catalog is again what
  ``reprocess`` would rebuild from the files.  Documents that were committed are skipped by URL
  (:class:`crawler.spidermiddlewares.resume.ResumeMiddleware`);
  everything else is fetched again.  Records are keyed by id, so a page cleaned twice is stored
  once, and an export never holds it twice.

Scrapy's JOBDIR is not used: its queue files are only consistent after a clean shutdown.  List
pages are cheap to fetch again; the frontier is rebuilt from them.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from archive.contents import read_fetches
from archive.exceptions import ArchiveError
from archive.verify import RepairReport, repair
from archive.warc import OPEN_SUFFIX
from corpus.catalog import Catalog

logger = logging.getLogger(__name__)

__all__ = ["resumable_crawl", "repair_unfinished", "catch_up_fetches", "done_documents", "repair_worker_files"]


def resumable_crawl(catalog_path: Path, sites: Iterable[str]) -> str | None:
    """The newest crawl of any of ``sites`` that did not finish, or None."""
    if not catalog_path.exists():
        return None
    names = list(sites)
    catalog = Catalog(catalog_path)
    try:
        row = catalog.conn.execute(
            f"SELECT id FROM crawls WHERE site IN ({', '.join('?' * len(names))}) GROUP BY id"
            " HAVING SUM(status != 'finished') > 0 ORDER BY MAX(started_at) DESC, id DESC LIMIT 1", names,
        ).fetchone()
    finally:
        catalog.close()
    return str(row[0]) if row else None


def repair_unfinished(directory: Path, prefix: str, crawl_id: str) -> list[RepairReport]:
    """Cut and rename the ``.open`` WARC files a killed run of ``crawl_id`` left in ``directory``.

    A file left with no complete record at all (killed while writing its warcinfo) is removed; its
    bytes stay in the ``.tail`` file next to it.  A file another live process still writes is left
    alone with an error: two crawls must not append to one crawl's archive.
    """
    if not directory.is_dir():
        return []
    return _repair_all(sorted(directory.glob(f"{prefix}-{crawl_id}-*{OPEN_SUFFIX}")))


def catch_up_fetches(catalog_path: Path, directory: Path, prefix: str, crawl_id: str) -> int:
    """Add the fetch rows a killed run of ``crawl_id`` wrote records for but never committed; how many.

    Called after :func:`repair_unfinished`, before the resumed run writes.  The rows a run commits
    follow the order of its records, so the missing ones are the last records of its files: the
    files are read from the one holding the last committed row on.  A row gets what the records
    say (what ``reprocess`` would give it), not the response timings the live crawl measured.
    """
    from crawler.pipelines.catalog import store_fetch  # the live crawl's rules for gone pages and failures

    pattern = re.compile(rf"{re.escape(prefix)}-{re.escape(crawl_id)}-\d{{20}}-\d{{5,}}\.warc\.gz")
    files = sorted(p for p in directory.glob(f"{prefix}-*.warc.gz") if pattern.fullmatch(p.name))
    if not files or not catalog_path.exists():
        return 0
    catalog = Catalog(catalog_path)
    added = 0
    try:
        row = catalog.conn.execute("SELECT warc_filename FROM fetches WHERE crawl_id = ? AND site = ? ORDER BY id DESC"
                                   " LIMIT 1", (crawl_id, prefix)).fetchone()
        names = [p.name for p in files]
        start = names.index(row[0]) if row is not None and row[0] in names else 0
        for path in files[start:]:
            with catalog.transaction():
                for fetch in read_fetches(path):
                    if fetch.crawl_id != crawl_id or catalog.has_fetch(fetch.url, fetch.pointer.record_id):
                        continue
                    store_fetch(catalog, fetch.catalog_row())
                    added += 1
    finally:
        catalog.close()
    if added:
        logger.warning("resume: %d fetches the killed run archived but had not committed were added to the catalog "
                       "from %s", added, directory)
    return added


def repair_worker_files(warc_dir: Path, worker_id: str) -> list[RepairReport]:
    """Repair the ``.open`` files a killed run of distributed-crawl worker ``worker_id`` left in any site's
    directory (``<site>-<crawl id>-<worker>-<time>-<serial>``); files live workers write are refused."""
    pattern = re.compile(rf".+-{re.escape(worker_id)}-\d{{20}}-\d{{5,}}\.warc\.gz{re.escape(OPEN_SUFFIX)}")
    if not warc_dir.is_dir():
        return []
    return _repair_all(sorted(p for p in warc_dir.glob(f"*/*{OPEN_SUFFIX}") if pattern.fullmatch(p.name)))


def _repair_all(paths: Iterable[Path]) -> list[RepairReport]:
    reports: list[RepairReport] = []
    for path in paths:
        try:
            report = repair(path)
        except ArchiveError as exc:
            logger.error("cannot repair %s: %s", path, exc)
            continue
        if report.bytes_removed:
            logger.warning("resume: cut %d bytes of an unfinished record from %s (kept in %s)",
                           report.bytes_removed, report.path.name, report.tail_path)
        if report.path.stat().st_size == 0:
            report.path.unlink()
        reports.append(report)
    return reports


def done_documents(catalog_path: Path, crawl_id: str, site: str) -> set[str]:
    """URLs of the documents this crawl already stored records for (they need no second fetch).

    Read from ``record_events``, not from the ``crawl_id`` of the record rows: a record this crawl
    found unchanged since an earlier crawl keeps the earlier crawl's row (corpus.history), and was
    fetched again on every resume when only the rows were asked.
    """
    if not catalog_path.exists():
        return set()
    conn = sqlite3.connect(catalog_path)
    try:
        rows = conn.execute("SELECT DISTINCT url FROM record_events WHERE crawl_id = ? AND site = ? AND event != 'gone'"
                            " UNION SELECT DISTINCT url FROM records WHERE crawl_id = ? AND site = ?",
                            (crawl_id, site, crawl_id, site))
        return {row[0] for row in rows}
    finally:
        conn.close()
