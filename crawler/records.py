"""Turning a cleaned document into export records (the published record, schema v1)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from cleaners.types import CleanRecord, CleanResult
from spiders.items import Document

__all__ = ["SCHEMA_VERSION", "record_id", "build_records", "offline_records", "text_sha1"]

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
