"""``speechcrawl reprocess``: rebuild the catalog and the export from the WARC files alone.

The WARC files are the source of truth; the catalog is derived.  This runs the current
cleaners over every archived document (exported or dropped at crawl time) in the
order the crawl stored them, with the pages, status codes, fetch times (WARC-Date) and
provenance pointers read from the WARC records, so with the same cleaner version the
export equals the live one, and with a better one it is the better corpus.  It never
touches the network.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from archive.contents import ArchiveContents, fetched_at, read_archive
from archive.documents import ArchivedDocument
from archive.exceptions import ArchiveError
from archive.files import replaced_when_done
from archive.warc import WARC_DIRNAME
from cleaners.types import CleanOptions
from corpus.catalog import CATALOG_NAME, Catalog
from corpus.export import export
from corpus.history import seen_unchanged
from corpus.progress import NO_PROGRESS, ProgressSink
from corpus.records import clean_document, text_sha1, yielded_nothing
from spiders.items import Document, FetchedPage
from spiders.profiles import SiteProfile, load_profiles

__all__ = ["ReprocessSummary", "ShrinkRefused", "reprocess"]

logger = logging.getLogger(__name__)

EXPORT_NAME = "export.jsonl"


@dataclass
class ReprocessSummary:
    catalog: Path
    export: Path
    fetches: int = 0
    documents: int = 0
    records: int = 0
    dropped: int = 0
    skipped: list[str] = field(default_factory=list)
    """Documents that could not be rebuilt, with the reason (also logged)."""

    def __str__(self) -> str:
        return (f"{self.documents} documents, {self.fetches} fetches: {self.records} records, {self.dropped} "
                f"documents without a speech, {len(self.skipped)} skipped; catalog {self.catalog}, export "
                f"{self.export}")


class ShrinkRefused(ArchiveError):
    """The rebuilt catalog would hold fewer records than the one it replaces; the old one is kept."""

    def __init__(self, message: str, summary: ReprocessSummary) -> None:
        super().__init__(message)
        self.summary = summary


def reprocess(data_dir: Path, out_dir: Path | None = None, *, profiles_dir: Path | None = None,
              force: bool = False, progress: ProgressSink = NO_PROGRESS) -> ReprocessSummary:
    """Rebuild ``out_dir/catalog.sqlite`` and ``out_dir/export.jsonl`` from ``data_dir/warc``.

    ``out_dir`` defaults to ``data_dir``.  The new catalog is built beside the old one and
    replaces it only once complete, and only if it holds at least as many records: a damaged
    or truncated archive must not shrink a catalog in place (``force`` replaces it anyway).
    Every damaged region and every document that could not be rebuilt (digest mismatch,
    unreadable page) is listed in ``summary.skipped``.  Raises ArchiveError when the WARC
    files cannot be read as a whole (missing directory, unfinished files), ShrinkRefused
    when the new catalog would be smaller.
    """
    out_dir = out_dir or data_dir
    contents = read_archive(data_dir / WARC_DIRNAME)
    profiles = load_profiles(profiles_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / CATALOG_NAME
    summary = ReprocessSummary(catalog=final, export=out_dir / EXPORT_NAME, fetches=len(contents.fetches))
    summary.skipped.extend(contents.damage)
    with replaced_when_done(final, remove=_remove_database) as part:
        _remove_database(part)
        catalog = Catalog(part)
        try:
            with catalog.transaction():
                progress.stage("clean", len(contents.documents))
                _fill(catalog, contents, profiles, summary, progress)
            rebuilt = _latest_records(catalog)
        finally:
            catalog.close()
        existing = _existing_records(final)
        if existing is not None and rebuilt < existing and not force:
            raise ShrinkRefused(f"the rebuilt catalog would hold {rebuilt} records, {final} holds {existing}: "
                                f"kept the old one ({len(summary.skipped)} damaged or skipped, see above); "
                                "--force replaces it", summary)
        _remove_database(final)
    export(final, summary.export, progress=progress)  # closes the progress line
    return summary


def _latest_records(catalog: Catalog) -> int:
    return int(catalog.conn.execute("SELECT COUNT(*) FROM records WHERE is_latest = 1").fetchone()[0])


def _existing_records(path: Path) -> int | None:
    """Latest records in the catalog at ``path``; None when there is none (or it is not a catalog)."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM records WHERE is_latest = 1").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None  # not a catalog (stale or damaged file): nothing to keep


def _remove_database(path: Path) -> None:
    """A database and its WAL files: a stale ``-wal`` next to a new file would be replayed into it."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _fill(catalog: Catalog, contents: ArchiveContents, profiles: dict[str, SiteProfile],
          summary: ReprocessSummary, progress: ProgressSink = NO_PROGRESS) -> None:
    for span in contents.crawls.values():
        catalog.start_crawl(span.crawl_id, span.site, fetched_at(span.started))
        catalog.finish_crawl(span.crawl_id, span.site, fetched_at(span.finished), "reprocessed", {})
    for fetch in contents.fetches:
        catalog.add_fetch(**fetch.catalog_row())
        if fetch.status is not None and fetch.status >= 400:
            catalog.add_failure(crawl_id=fetch.crawl_id, site=fetch.site, url=fetch.url, status=fetch.status,
                                reason=f"HTTP {fetch.status}", at=fetched_at(fetch.pointer.date))
    options = CleanOptions()
    for archived in contents.documents:
        progress.advance()
        summary.documents += 1
        try:
            doc = _document(archived, contents)
        except ArchiveError as exc:
            logger.warning("skipped document %s: %s", archived.url, exc)
            summary.skipped.append(f"{archived.url}: {exc}")
            continue
        profile = None if archived.generic else profiles.get(archived.site)
        if profile is None and not archived.generic:
            reason = f"{archived.url}: no profile {archived.site!r} in the profiles directory"
            logger.warning("skipped document %s", reason)
            summary.skipped.append(reason)
            continue
        cleaned = clean_document(doc, profile, options)
        if not cleaned.records:
            summary.dropped += 1
        fetched = {page.url: page.fetched_at for page in doc.pages}
        for failed in yielded_nothing(doc, cleaned):  # as the crawl lists them (crawler.pipelines.clean)
            catalog.add_failure(crawl_id=archived.crawl_id, site=failed.site, url=failed.url, status=failed.status,
                                reason=failed.reason, at=fetched.get(failed.url, doc.pages[0].fetched_at),
                                kind=failed.kind)
        for record in cleaned.records:
            catalog.put_record(record, crawl_id=archived.crawl_id, text_sha1=text_sha1(str(record["text"])))
        summary.records += len(cleaned.records)
    _unchanged_documents(catalog, contents)


def _unchanged_documents(catalog: Catalog, contents: ArchiveContents) -> None:
    """A revisit of a document's page (or a re-check of a ledger record, which points at the capture it confirms
    as a revisit does) in a crawl without a metadata record for that document: the
    crawl found it unchanged and reused its records (crawler.pipelines.warc), so say so in the history."""
    started: dict[str, str] = {}
    for span in contents.crawls.values():
        started[span.crawl_id] = min(started.get(span.crawl_id, span.started), span.started)
    documented = {(d.crawl_id, d.url) for d in contents.documents}
    for fetch in contents.fetches:
        if fetch.pointer.revisit_of is None or (fetch.crawl_id, fetch.url) in documented:
            continue
        when = started.get(fetch.crawl_id, "")
        seen_unchanged(catalog.conn, fetch.url, fetch.crawl_id, {c for c, s in started.items() if s <= when})


def _document(archived: ArchivedDocument, contents: ArchiveContents) -> Document:
    pages = [FetchedPage(url=c.page.url, status=c.fetch.status or 0, body=c.body,
                         declared_encoding=c.page.declared_encoding, fetched_at=fetched_at(c.fetch.pointer.date),
                         warc=c.fetch.pointer) for c in contents.pages(archived)]
    return Document(site=archived.site, url=archived.url, pages=pages, generic=archived.generic)
