"""Typed items passed from the spider to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.warc import RecordPointer


@dataclass(frozen=True, kw_only=True)
class FetchedPage:
    """One page of an article as fetched: raw bytes kept so cleaning can decode them itself."""

    url: str
    status: int
    body: bytes
    declared_encoding: str | None
    fetched_at: str
    warc: RecordPointer | None = None

    def __repr__(self) -> str:
        # Never the body: Scrapy logs dropped items, and a page is tens of kilobytes.
        return f"FetchedPage(url={self.url!r}, status={self.status}, bytes={len(self.body)})"


@dataclass(kw_only=True)
class Document:
    """An article: its pages stitched in order.  The clean pipeline turns it into records."""

    site: str
    url: str
    pages: list[FetchedPage] = field(default_factory=list)
    generic: bool = False
    records: list[dict[str, object]] = field(default_factory=list)
    """Export records produced by the clean pipeline (one per speech)."""
    failures: list[FailedFetch] = field(default_factory=list)
    """Pages of this document that could not be used (the document keeps the pages before them)."""
    reused: bool = False
    """True when ``records`` are the catalog's latest records, given back because every page came back
    as a revisit of the payloads they were cleaned from: nothing new to archive or store."""

    def __repr__(self) -> str:
        return (f"Document(site={self.site!r}, url={self.url!r}, pages={len(self.pages)}, "
                f"generic={self.generic}, records={len(self.records)})")


@dataclass(frozen=True, kw_only=True)
class FailedFetch:
    """A page the crawl could not get or could not use, and why: the catalog lists it as failed.

    Yielded by the spider's errbacks (after the retries gave up) and by the clean pipeline for bodies
    that cannot be decoded, so a failure is an item like any other and the crawl goes on.  Pages of a
    document that yielded no text when they should have (corpus.records.yielded_nothing) ride on the
    document's ``failures``.
    """

    site: str
    url: str
    """The URL the crawl asked for (before redirects)."""
    status: int | None
    """HTTP status of the last response, or None when no response came (timeout, reset, refused)."""
    kind: str
    """A short machine-readable class: http, timeout, connection_lost, data_loss, too_large, redirect_loop,
    undecodable, non_html, empty, unparsable … (docs/reliability.md lists them)."""
    reason: str
    """What happened, for a person reading ``speechcrawl crawls show``."""
