"""Read a crawl back from its WARC files alone: every fetch, every crawl, every document with its pages.

``speechcrawl reprocess`` stands on this module to rebuild the catalog and the exports
with no network and no other input, which is what makes the WARC files the source of
truth.  One pass over the files collects the fetches, the crawls (from warcinfo) and
the document metadata records; a document's pages are then read by offset, revisits
resolved to the response that holds their payload, and Content-Encoding undone, so
the cleaners see the same bytes the live crawl handed them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from archive._content import decode_content
from archive._format import content_type_of, digest_of
from archive.documents import DOCUMENT_URI_PREFIX, ArchivedDocument, DocumentPage, document_from_block
from archive.exceptions import ArchiveError
from archive.ledger import ledger_entries
from archive.reader import ArchivedRecord, RevisitResolver, iter_records, read_record_at
from archive.verify import warc_files
from archive.warc import LEDGER_CONTENT_TYPE, OPEN_SUFFIX, RecordPointer

__all__ = ["ArchivedFetch", "CrawlSpan", "PageContent", "ArchiveContents", "read_archive", "read_fetches", "fetched_at"]

logger = logging.getLogger(__name__)


def fetched_at(warc_date: str) -> str:
    """The catalog's fetch time (UTC, to the second) of a WARC-Date, as the live crawl writes it."""
    return datetime.fromisoformat(warc_date).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ArchivedFetch:
    """One response or revisit record, or one re-check of a ledger record: a row of the catalog's ``fetches`` table."""

    site: str
    crawl_id: str
    url: str
    status: int | None
    content_type: str
    pointer: RecordPointer
    path: Path

    def catalog_row(self) -> dict[str, object]:
        """Its ``fetches`` row, as far as the records say (``reprocess``, and ``--resume`` adding what a kill lost)."""
        p = self.pointer
        return dict(crawl_id=self.crawl_id, site=self.site, url=self.url, status=self.status or 0,
                    fetched_at=fetched_at(p.date), content_type=self.content_type, warc_filename=p.filename,
                    warc_offset=p.offset, warc_length=p.length, warc_record_id=p.record_id,
                    payload_digest=p.payload_digest, revisit_of=p.revisit_of, warc_date=p.date)


@dataclass
class CrawlSpan:
    """One crawl of one site as its records show it: first and last WARC-Date."""

    crawl_id: str
    site: str
    started: str
    finished: str


@dataclass(frozen=True)
class PageContent:
    """A document page with its payload, Content-Encoding undone (revisits resolved)."""

    page: DocumentPage
    fetch: ArchivedFetch
    body: bytes


@dataclass
class ArchiveContents:
    """What one pass over the WARC files found."""

    fetches: list[ArchivedFetch] = field(default_factory=list)
    crawls: dict[tuple[str, str], CrawlSpan] = field(default_factory=dict)
    documents: list[ArchivedDocument] = field(default_factory=list)
    """In the order the crawl wrote them (WARC-Date), which is the order it stored the records."""
    by_record_id: dict[str, ArchivedFetch] = field(default_factory=dict)
    resolver: RevisitResolver = field(default_factory=lambda: RevisitResolver(None))
    damage: list[str] = field(default_factory=list)
    """Every damaged region or record the pass skipped ("FILE at offset N: what"): records may be missing."""

    def pages(self, document: ArchivedDocument) -> list[PageContent]:
        """The document's pages with their payloads; ArchiveError if one cannot be read or was altered.

        A page is used only if the record at its offset is the one the document names (a file
        that is not one gzip member per record gives the warcinfo for every offset) and its
        payload still has the digest written with it (a tampered text is never exported).
        """
        out = []
        for page in document.pages:
            fetch = self.by_record_id.get(page.record_id)
            if fetch is None:
                raise ArchiveError(f"{document.url}: page record {page.record_id} ({page.url}) is not in the archive")
            if fetch.pointer.line is not None:
                # A re-check of a ledger record: the payload is the capture it confirms.
                fetch = self._confirmed(document, fetch)
            record = read_record_at(fetch.path, fetch.pointer.offset)
            if record.record_id != fetch.pointer.record_id:
                raise ArchiveError(f"{fetch.path.name} at offset {fetch.pointer.offset} holds record "
                                   f"{record.record_id}, not {fetch.pointer.record_id}: the file is not one gzip member per "
                                   "record")
            if record.rec_type == "revisit":
                record = self.resolver.original(record)
            _check_payload(record)
            encoding = record.http_header("Content-Encoding")
            body = decode_content(record.payload, encoding) if encoding else record.payload
            out.append(PageContent(page, self.by_record_id[page.record_id], body))
        return out

    def _confirmed(self, document: ArchivedDocument, recheck: ArchivedFetch) -> ArchivedFetch:
        original = self.by_record_id.get(recheck.pointer.revisit_of or "")
        if original is None or original.pointer.line is not None:
            raise ArchiveError(f"{document.url}: the capture {recheck.pointer.revisit_of} re-check "
                               f"{recheck.pointer.record_id} ({recheck.url}) confirms is not in the archive")
        return original


def _check_payload(record: ArchivedRecord) -> None:
    """Raise ArchiveError when the payload no longer has the digest its record declares."""
    declared = record.header("WARC-Payload-Digest")
    if declared is None:
        return
    computed, ok = digest_of(declared, [record.payload])
    if not ok:
        raise ArchiveError(f"payload digest mismatch in {record.filename} at offset {record.offset} "
                           f"(header {declared}, computed {computed}): the record was altered or damaged")


class _Reader:
    """The state of the one pass: which warcinfo (crawl, site) each record belongs to."""

    def __init__(self) -> None:
        self.contents = ArchiveContents()
        self.warcinfo: dict[str, tuple[str, str]] = {}
        self.file_warcinfo = ""
        """The warcinfo record at the head of the file being read: the one records without WARC-Warcinfo-ID have."""
        self.dated: list[tuple[str, int, ArchivedDocument]] = []

    def read(self, path: Path) -> None:
        self.file_warcinfo = ""
        for record in iter_records(path, skip_damage=True, damage=self.contents.damage):
            try:
                fetched_at(record.date)
            except ValueError:
                message = f"{path.name} at offset {record.offset}: bad WARC-Date {record.date!r}; record skipped"
                logger.warning("%s", message)
                self.contents.damage.append(message)
                continue
            self.contents.resolver.add(path, record)
            kind = record.rec_type
            if kind == "warcinfo":
                fields = _warc_fields(record.block)
                self.warcinfo[record.record_id] = (fields.get("isPartOf", ""),
                                                   fields.get("site-profile") or path.parent.name)
                self.file_warcinfo = record.record_id
            elif kind in ("response", "revisit"):
                self._fetch(path, record)
            elif kind == "metadata" and record.header("Content-Type") == LEDGER_CONTENT_TYPE:
                self._ledger(path, record)
            elif kind == "metadata" and (record.target_uri or "").startswith(DOCUMENT_URI_PREFIX):
                self._document(path, record)

    def _document(self, path: Path, record: ArchivedRecord) -> None:
        """A document metadata record; one that is not one of ours is a logged skip, as a bad ledger is."""
        try:
            document = document_from_block(record.block, f"{path.name} at offset {record.offset}")
        except ArchiveError as exc:
            message = f"{exc}; document skipped"
            logger.warning("%s", message)
            self.contents.damage.append(message)
            return
        self.dated.append((record.date, len(self.dated), document))

    def _fetch(self, path: Path, record: ArchivedRecord) -> None:
        warcinfo_id = record.header("WARC-Warcinfo-ID") or self.file_warcinfo
        crawl_id, site = self.warcinfo.get(warcinfo_id, ("", path.parent.name))
        revisit_of = record.header("WARC-Refers-To") if record.rec_type == "revisit" else None
        pointer = RecordPointer(path.name, record.offset, record.length, record.record_id,
                                record.header("WARC-Payload-Digest") or "", record.date, revisit_of)
        self._add(ArchivedFetch(site, crawl_id, record.target_uri or "", record.http_status,
                                content_type_of(record.http_headers), pointer, path))

    def _ledger(self, path: Path, record: ArchivedRecord) -> None:
        """Each re-check of a ledger record is a fetch, pointing at the record and its line."""
        warcinfo_id = record.header("WARC-Warcinfo-ID") or self.file_warcinfo
        crawl_id, site = self.warcinfo.get(warcinfo_id, ("", path.parent.name))
        try:
            entries = ledger_entries(record.block)
        except ArchiveError as exc:
            message = f"{path.name} at offset {record.offset}: {exc}; re-check ledger skipped"
            logger.warning("%s", message)
            self.contents.damage.append(message)
            return
        for line, entry in enumerate(entries):
            pointer = RecordPointer(path.name, record.offset, record.length, entry["id"], entry["payload_digest"],
                                    entry["date"], entry["refers_to"], line)
            self._add(ArchivedFetch(site, crawl_id, entry["uri"], entry["status"], entry["content_type"], pointer,
                                    path))

    def _add(self, fetch: ArchivedFetch) -> None:
        self.contents.fetches.append(fetch)
        self.contents.by_record_id[fetch.pointer.record_id] = fetch
        date, key = fetch.pointer.date, (fetch.crawl_id, fetch.site)
        span = self.contents.crawls.setdefault(key, CrawlSpan(fetch.crawl_id, fetch.site, date, date))
        span.started, span.finished = min(span.started, date), max(span.finished, date)


def _warc_fields(block: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip(), value.strip())
    return fields


def read_archive(warc_dir: Path) -> ArchiveContents:
    """Read every WARC file under ``warc_dir`` once.

    Refuses a directory holding ``.open`` files: they are being written, or were left by
    a killed crawl, and their records would be silently missing.
    """
    if not warc_dir.is_dir():
        raise ArchiveError(f"no WARC directory at {warc_dir}")
    unfinished = sorted(p.name for p in warc_dir.rglob(f"*{OPEN_SUFFIX}"))
    if unfinished:
        raise ArchiveError(f"{len(unfinished)} WARC file(s) unfinished ({unfinished[0]}): stop the crawl, or run "
                           f"`speechcrawl archive repair {warc_dir}` after a killed one")
    reader = _Reader()
    for path in warc_files([warc_dir]):
        reader.read(path)
    reader.contents.documents = [doc for _, _, doc in sorted(reader.dated, key=lambda d: (d[0], d[1]))]
    logger.info("read %d fetches and %d documents from %s", len(reader.contents.fetches),
                len(reader.contents.documents), warc_dir)
    return reader.contents


def read_fetches(path: Path) -> list[ArchivedFetch]:
    """The fetches of one finished WARC file, in the order they were written (a resumed crawl adds the catalog
    rows its killed run had not committed: crawler.resume.catch_up_fetches).  Damaged regions are logged and
    skipped, as :func:`read_archive` does."""
    reader = _Reader()
    reader.read(path)
    for message in reader.contents.damage:
        logger.warning("%s", message)
    return reader.contents.fetches
