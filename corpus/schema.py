"""The export record's JSON Schema (version 1): the published contract researchers code against.

The schema lives here, as data, so that an installed package can print it
(``speechcrawl schema``), validate fields named on the command line and derive the
Parquet column types from it; ``docs/schema/record-v1.json`` is its output, checked
by a test to be identical, so the published file cannot drift from the code.  A
change that removes or retypes a field needs a new ``SCHEMA_VERSION``; adding an
optional field does not.
"""

from __future__ import annotations

import json
from typing import Any

from corpus.records import SCHEMA_VERSION

__all__ = ["RECORD_SCHEMA", "FIELDS", "schema_json", "check_fields"]


def _nullable(kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], "description": description, **extra}


_PART = {
    "type": ["object", "null"],
    "description": "For one speech of a compilation page (篇一…篇十九): its place on the page; null otherwise.",
    "properties": {
        "index": {"type": "integer", "minimum": 1, "description": "1-based position on the page"},
        "count": {"type": "integer", "minimum": 1, "description": "speeches on the page"},
        "label": {"type": "string", "description": "the page's own label, e.g. 篇三 or 篇3"},
        "parent_id": {"type": "string", "description": "the id the page itself would have (part index 0)"},
    },
    "required": ["index", "count", "label", "parent_id"],
    "additionalProperties": False,
}
_MASK = {
    "type": "object",
    "properties": {
        "original": {"type": "string", "description": "the mask as the page showed it, e.g. ****** or XX"},
        "offset": {"type": "integer", "minimum": 0, "description": "character offset into text as exported"},
        "kind": {"type": "string", "description": "asterisk, latin, cross, year, blank …"},
    },
    "required": ["original", "offset", "kind"],
    "additionalProperties": False,
}
_AUDIT_ENTRY = {
    "type": "object",
    "properties": {"count": {"type": "integer", "minimum": 0}, "chars": {"type": "integer", "minimum": 0}},
    "required": ["count", "chars"],
    "additionalProperties": False,
}
_DUP = {
    "type": ["object", "null"],
    "description": "Duplicate cluster of the record within this export; null with --dedup none.",
    "properties": {
        "cluster": {"type": "string", "description": "id of the cluster's representative (the kept record)"},
        "of": {"type": ["string", "null"], "description": "id of the representative; null on the representative"},
        "similarity": {"type": "number", "minimum": 0, "maximum": 1,
                       "description": "Jaccard similarity of 5-character shingles to the representative"},
        "size": {"type": "integer", "minimum": 1, "description": "records in the cluster before removal"},
    },
    "required": ["cluster", "of", "similarity", "size"],
    "additionalProperties": False,
}
_GONE = {
    "type": ["object", "null"],
    "description": "null, or when a re-crawl found the page taken down (404/410)",
    "properties": {
        "at": {"type": "string", "description": "ISO time of the fetch that answered 404/410"},
        "status": {"type": "integer", "enum": [404, 410]},
        "crawl_id": {"type": "string"},
    },
    "required": ["at", "status", "crawl_id"],
    "additionalProperties": False,
}
_PROVENANCE = {
    "type": "object",
    "properties": {
        "url": {"type": "string"},
        "status": {"type": "integer"},
        "fetched_at": {"type": "string"},
        "warc_filename": _nullable("string", "file name under DATA/warc/<site>/"),
        "warc_offset": _nullable("integer", "byte offset of the WARC record in that file"),
        "warc_length": _nullable("integer", "compressed length of the WARC record"),
        "warc_record_id": _nullable("string", "WARC-Record-ID, e.g. <urn:uuid:…>"),
        "payload_digest": _nullable("string", "sha1 of the HTTP payload, base32, e.g. sha1:XZLW…"),
        "revisit_of": _nullable("string", "WARC-Refers-To of a revisit record, else null"),
    },
    "required": ["url", "status", "fetched_at"],
    "additionalProperties": False,
}

RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.invalid/speechcrawl/schema/record-v1.json",
    "title": "speechcrawl export record",
    "description": "One speech (a compilation page yields one record per 篇). Field meanings and examples: "
                   "docs/export.md.",
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{20}$",
               "description": "first 20 hex digits of sha1(url + '#' + part index)"},
        "site": {"type": "string", "description": "profile name, or generic-<host>"},
        "url": {"type": "string", "description": "canonical URL of the article's first page"},
        "pages": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                  "description": "every page URL stitched into the record, in order"},
        "part": _PART,
        "title": _nullable("string", "speech title"),
        "speaker": _nullable("string", "speaker's name, e.g. 吴锦"),
        "speaker_title": _nullable("string", "speaker's office, e.g. 荆州市委书记"),
        "occasion": _nullable("string", "meeting named by 在…上的讲话"),
        "date": _nullable("string", "speech or publication date, YYYY-MM-DD", pattern=r"^\d{4}-\d{2}-\d{2}$"),
        "source": _nullable("string", "source the page names, e.g. 荆州日报"),
        "text": {"type": "string", "description": "clean speech text, paragraphs separated by \\n"},
        "masks": {"type": "array", "items": _MASK, "description": "every masked span, in text order"},
        "audit": {"type": "object", "additionalProperties": _AUDIT_ENTRY,
                  "description": "what the cleaners removed, by kind: {kind: {count, chars}}"},
        "dup": _DUP,
        "mode": {"type": "string", "enum": ["profile", "generic"], "description": "how the page was cleaned"},
        "fetched_at": {"type": "string", "description": "ISO time (UTC) of the first page's fetch"},
        "version": {"type": "integer", "minimum": 1,
                    "description": "1, then n+1 each time a re-crawl finds the text or metadata changed"},
        "gone": _GONE,
        "provenance": {"type": "array", "items": _PROVENANCE, "description": "WARC pointers, one per page"},
        "schema_version": {"type": "string", "const": SCHEMA_VERSION},
        "cleaner_version": {"type": "string", "description": "version of the cleaners that produced text"},
    },
    "additionalProperties": False,
}
RECORD_SCHEMA["required"] = list(RECORD_SCHEMA["properties"])

FIELDS: tuple[str, ...] = tuple(RECORD_SCHEMA["properties"])
"""Every field of a record, in the order records are written."""


def schema_json() -> str:
    """The schema as published in docs/schema/record-v1.json (2-space indent, UTF-8, final newline)."""
    return json.dumps(RECORD_SCHEMA, ensure_ascii=False, indent=2) + "\n"


def check_fields(names: list[str]) -> list[str]:
    """``names`` validated against the schema (ValueError naming the unknown ones and the valid ones)."""
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; a record has: {', '.join(FIELDS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"field named twice in {','.join(names)}")
    return names
