"""Turning a cleaned document into export records (the published record, schema v1)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from cleaners import CLEANER_VERSION, clean, decode_html
from cleaners.types import CleanOptions, CleanRecord, CleanResult, Page
from spiders.items import Document, FailedFetch

if TYPE_CHECKING:
    from spiders.profiles import SiteProfile

__all__ = ["SCHEMA_VERSION", "record_id", "build_records", "offline_records", "text_sha1", "Cleaned", "Undecodable",
           "clean_document", "yielded_nothing"]

SCHEMA_VERSION = "1"


def record_id(url: str, part_index: int | None) -> str:
    """Stable id: the same canonical URL and part always give the same id, across crawls."""
    return hashlib.sha1(f"{url}#{part_index or 0}".encode()).hexdigest()[:20]


def text_sha1(text: str) -> str:
    return hashlib.sha1("".join(text.split()).encode()).hexdigest()


def _provenance(doc: Document) -> list[dict[str, Any]]:
    out = []
    for page in doc.pages:
        entry: dict[str, Any] = {"url": page.url, "status": page.status, "fetched_at": page.fetched_at}
        if page.warc is not None:
            entry.update(
                warc_filename=page.warc.filename, warc_offset=page.warc.offset, warc_length=page.warc.length,
                warc_record_id=page.warc.record_id, payload_digest=page.warc.payload_digest,
                revisit_of=page.warc.revisit_of,
            )
        out.append(entry)
    return out


def _part(url: str, rec: CleanRecord) -> dict[str, Any] | None:
    """A compilation part as exported: its place, and the id of the page (compilation) holding it."""
    if rec.part is None:
        return None
    return {"index": rec.part.index, "count": rec.part.count, "label": rec.part.label,
            "parent_id": record_id(url, None)}


def offline_records(urls: Sequence[str], result: CleanResult, cleaner_version: str,
                    site: str | None = None) -> list[dict[str, Any]]:
    """Records of pages cleaned from disk (``speechcrawl clean``): the export record without crawl
    fields (fetch time, WARC provenance, dup), ids computed the same way from the first URL."""
    return [{
        "id": record_id(urls[0], rec.part.index if rec.part else None), "site": site, "url": urls[0],
        "pages": list(urls), "part": _part(urls[0], rec), "title": rec.title, "speaker": rec.speaker,
        "speaker_title": rec.speaker_title, "occasion": rec.occasion, "date": rec.date, "source": rec.source,
        "text": rec.text, "masks": [asdict(m) for m in rec.masks], "audit": rec.audit, "mode": result.mode,
        "schema_version": SCHEMA_VERSION, "cleaner_version": cleaner_version,
    } for rec in result.records]


def _one(doc: Document, rec: CleanRecord, result: CleanResult, cleaner_version: str,
         provenance: list[dict[str, Any]]) -> dict[str, Any]:
    part = _part(doc.url, rec)
    return {
        "id": record_id(doc.url, rec.part.index if rec.part else None),
        "site": doc.site,
        "url": doc.url,
        "pages": [p.url for p in doc.pages],
        "part": part,
        "title": rec.title,
        "speaker": rec.speaker,
        "speaker_title": rec.speaker_title,
        "occasion": rec.occasion,
        "date": rec.date,
        "source": rec.source,
        "text": rec.text,
        "masks": [asdict(m) for m in rec.masks],
        "audit": rec.audit,
        "dup": None,
        "mode": result.mode,
        "fetched_at": doc.pages[0].fetched_at if doc.pages else None,
        "provenance": provenance,
        "schema_version": SCHEMA_VERSION,
        "cleaner_version": cleaner_version,
    }


def build_records(doc: Document, result: CleanResult, cleaner_version: str) -> list[dict[str, Any]]:
    provenance = _provenance(doc)
    return [_one(doc, rec, result, cleaner_version, provenance) for rec in result.records]


@dataclass(frozen=True)
class Undecodable:
    """Page ``index`` of a document that no charset reads cleanly (never guessed into mojibake)."""

    index: int
    url: str
    status: int
    reason: str

    def __str__(self) -> str:
        return f"{self.url}: undecodable ({self.reason})"


@dataclass(frozen=True)
class Cleaned:
    """What cleaning made of a document: its export records, or why there are none.

    ``undecodable`` names the first page that could not be decoded: the document ends before it
    (a first page leaves nothing to clean), as it would had that page failed to download.
    """

    records: list[dict[str, Any]]
    outcome: Literal["records", "undecodable", "dropped_empty"]
    reason: str = ""
    result: CleanResult | None = None
    undecodable: Undecodable | None = None


def clean_document(doc: Document, profile: SiteProfile | None, options: CleanOptions) -> Cleaned:
    """Decode each page and run the cleaners: one function for the crawl, ``reprocess`` and ``site check``.

    ``profile`` is None for a document crawled in generic mode.  The callers must give the same
    records for the same pages, which is what makes a reprocessed corpus comparable with the live one.
    """
    forced = profile.encoding if profile is not None and profile.encoding != "auto" else None
    pages = []
    bad: Undecodable | None = None
    for index, page in enumerate(doc.pages):
        decoded = decode_html(page.body, forced or page.declared_encoding)
        if decoded.text is None:
            bad = Undecodable(index, page.url, page.status, decoded.reason or "no charset reads it")
            break
        pages.append(Page(url=page.url, html=decoded.text))
    if bad is not None and bad.index == 0:
        return Cleaned([], "undecodable", str(bad), undecodable=bad)
    rules = None if profile is None or profile.generic else profile.rules
    result = clean(pages, rules, options)
    if not result.records:
        return Cleaned([], "dropped_empty", f"{doc.url}: no speech after cleaning ({result.skipped})",
                       result=result, undecodable=bad)
    kept = doc if bad is None else replace(doc, pages=doc.pages[:bad.index])
    return Cleaned(build_records(kept, result, CLEANER_VERSION), "records", result=result, undecodable=bad)


def yielded_nothing(doc: Document, cleaned: Cleaned) -> list[FailedFetch]:
    """The pages of ``doc`` that gave no text for a reason the catalog must list as a failure.

    A page whose markup no parser could read (``unparsable``), and, in profile mode, an article
    page that cleaned to nothing (``empty``): the profile said it was an article.  In generic mode
    every page is a candidate, and most (lists, indexes) hold no speech by design: those are only
    counted, never listed.  The crawl (crawler.pipelines.clean) and ``reprocess`` (corpus.rebuild)
    list the same pages.
    """
    result = cleaned.result
    if result is None:
        return []
    failures = [FailedFetch(site=doc.site, url=doc.pages[index].url, status=doc.pages[index].status,
                            kind="unparsable", reason=f"no text: {why}") for index, why in result.unreadable]
    if cleaned.outcome == "dropped_empty" and not doc.generic and all(index for index, _ in result.unreadable):
        failures.append(FailedFetch(site=doc.site, url=doc.url, status=doc.pages[0].status, kind="empty",
                                    reason=f"no text after cleaning: {result.skipped}"))
    return failures
