"""The document metadata record: how an exported document is tied to the responses it came from.

For every article the crawler cleans, one WARC ``metadata`` record says which response
records it was stitched from, in page order, what each page linked to, which cleaner
version read it and which export records it produced (or why it produced none).  That
is what lets ``speechcrawl reprocess`` rebuild the corpus from the WARC files alone: the
page order of a paginated article is a fact of the crawl, not of the HTML, so it must be
archived with it.  Reading and writing live in one module so both sides agree.

The record's ``WARC-Target-URI`` is ``urn:speechcrawl:document:<article URL>`` rather than
the article URL itself, so a replay tool looking up the page never finds this JSON
instead of the page (the same reason browsertrix uses ``urn:pageinfo:``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from archive.exceptions import ArchiveError

__all__ = ["DOCUMENT_FORMAT", "DOCUMENT_URI_PREFIX", "DocumentPage", "DocumentRecord", "ArchivedDocument",
           "document_from_block"]

DOCUMENT_FORMAT = "speechcrawl-document/1"
DOCUMENT_URI_PREFIX = "urn:speechcrawl:document:"


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentPage:
    """One page of the article: its response (or revisit) record and what the crawler knew of it."""

    url: str
    """Canonical URL of the page (what the export's ``pages`` lists)."""
    record_id: str
    """WARC-Record-ID of the page's response or revisit record."""
    declared_encoding: str | None = None
    """Charset from the response's Content-Type, as the crawler passed it to the cleaners."""
    outlinks: list[str] = field(default_factory=list)
    """Absolute URLs of the links on the page, in document order, without repeats (at most the crawl's
    SPEECHCRAWL_MAX_LINKS_PER_PAGE links read)."""
    outlinks_omitted: int = 0
    """Links past that bound: counted, not listed."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentRecord:
    """One export record the document produced (a compilation produces one per 篇)."""

    id: str
    part_index: int | None = None
    title: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchivedDocument:
    """The content of a document metadata record."""

    site: str
    url: str
    crawl_id: str
    generic: bool
    cleaner_version: str
    pages: list[DocumentPage]
    records: list[DocumentRecord] = field(default_factory=list)
    dropped: str | None = None
    """Why cleaning produced no record (kept so a better cleaner can try again); None if it did."""

    @property
    def target_uri(self) -> str:
        return DOCUMENT_URI_PREFIX + self.url

    @property
    def refers_to(self) -> list[str]:
        """The page records, in page order (one WARC-Refers-To each)."""
        return [page.record_id for page in self.pages]

    def to_json(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: this runs once per document during the crawl, and
        # asdict deep-copies every outlink list.
        return {"format": DOCUMENT_FORMAT, "site": self.site, "url": self.url, "crawl_id": self.crawl_id,
                "generic": self.generic, "cleaner_version": self.cleaner_version,
                "pages": [{"url": p.url, "record_id": p.record_id, "declared_encoding": p.declared_encoding,
                           "outlinks": p.outlinks, "outlinks_omitted": p.outlinks_omitted} for p in self.pages],
                "records": [{"id": r.id, "part_index": r.part_index, "title": r.title} for r in self.records],
                "dropped": self.dropped}


def document_from_block(block: bytes, where: str) -> ArchivedDocument:
    """Parse a metadata record's block; ArchiveError naming ``where`` if it is not one of ours."""
    try:
        data = json.loads(block)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: 100 000 nested "["
        raise ArchiveError(f"{where}: document metadata is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != DOCUMENT_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ArchiveError(f"{where}: not a {DOCUMENT_FORMAT} record (format {found!r})")
    try:
        document = ArchivedDocument(
            site=str(data["site"]), url=str(data["url"]), crawl_id=str(data["crawl_id"]),
            generic=bool(data["generic"]), cleaner_version=str(data["cleaner_version"]),
            pages=[DocumentPage(**_known(p, DocumentPage)) for p in data["pages"]],
            records=[DocumentRecord(**_known(r, DocumentRecord)) for r in data["records"]],
            dropped=data.get("dropped"))
        _check_types(document)
    except (KeyError, TypeError) as exc:
        raise ArchiveError(f"{where}: document metadata lacks or mistypes a field: {exc}") from exc
    return document


def _check_types(document: ArchivedDocument) -> None:
    """TypeError unless every field has its annotated type and every text encodes as UTF-8: the JSON of a
    hostile record can hold a list for an id, or a lone surrogate ("\\ud800") no catalog or WACZ can store."""
    texts: list[object] = [document.site, document.url, document.crawl_id, document.cleaner_version]
    optional: list[object] = [document.dropped]
    for page in document.pages:
        texts += [page.url, page.record_id, *(page.outlinks if isinstance(page.outlinks, list) else [None])]
        optional.append(page.declared_encoding)
        if type(page.outlinks_omitted) is not int:
            raise TypeError(f"outlinks_omitted is a {type(page.outlinks_omitted).__name__}, not an int")
    for record in document.records:
        texts.append(record.id)
        optional.append(record.title)
        if record.part_index is not None and type(record.part_index) is not int:
            raise TypeError(f"part_index is a {type(record.part_index).__name__}, not an int")
    for text in texts + [x for x in optional if x is not None]:
        if not isinstance(text, str):
            raise TypeError(f"{text!r:.40} is a {type(text).__name__}, not a string")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise TypeError(f"{text!r:.40} is not UTF-8 text ({exc.reason})") from None


def _known(value: object, cls: type[DocumentPage] | type[DocumentRecord]) -> Mapping[str, Any]:
    """Known keys only: a newer writer may add fields, and an old reader must still read the rest."""
    if not isinstance(value, dict):
        raise TypeError(f"{cls.__name__} entry is a {type(value).__name__}, not an object")
    known = {f.name for f in fields(cls)}
    return {k: v for k, v in value.items() if k in known}
