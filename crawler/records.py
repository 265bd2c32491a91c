"""Turning a cleaned document into export records (the published record, schema v1)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from cleaners import CLEANER_VERSION, clean, decode_html
from cleaners.types import CleanOptions, CleanRecord, CleanResult, Page
from spiders.items import Document

if TYPE_CHECKING:
    from spiders.profiles import SiteProfile

__all__ = ["SCHEMA_VERSION", "record_id", "build_records", "text_sha1", "Cleaned", "clean_document"]

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


def _one(doc: Document, rec: CleanRecord, result: CleanResult, cleaner_version: str,
         provenance: list[dict[str, Any]]) -> dict[str, Any]:
    part = None
    if rec.part is not None:
        part = {"index": rec.part.index, "count": rec.part.count, "label": rec.part.label,
                "parent_id": record_id(doc.url, None)}
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
class Cleaned:
    """What cleaning made of a document: its export records, or why there are none."""

    records: list[dict[str, Any]]
    outcome: Literal["records", "undecodable", "dropped_empty"]
    reason: str = ""


def clean_document(doc: Document, profile: SiteProfile | None, options: CleanOptions) -> Cleaned:
    """Decode each page and run the cleaners: one function for the crawl and for ``reprocess``.

    ``profile`` is None for a document crawled in generic mode.  The two callers must
    give the same records for the same pages, which is what makes a reprocessed corpus
    comparable with the live one.
    """
    forced = profile.encoding if profile is not None and profile.encoding != "auto" else None
    pages = []
    for page in doc.pages:
        decoded = decode_html(page.body, forced or page.declared_encoding)
        if decoded.text is None:
            return Cleaned([], "undecodable", f"{page.url}: undecodable ({decoded.reason})")
        pages.append(Page(url=page.url, html=decoded.text))
    rules = None if profile is None or profile.generic else profile.rules
    result = clean(pages, rules, options)
    if not result.records:
        return Cleaned([], "dropped_empty", f"{doc.url}: no speech after cleaning ({result.skipped})")
    return Cleaned(build_records(doc, result, CLEANER_VERSION), "records")
