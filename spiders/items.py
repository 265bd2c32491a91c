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

    def __repr__(self) -> str:
        return (f"Document(site={self.site!r}, url={self.url!r}, pages={len(self.pages)}, "
                f"generic={self.generic}, records={len(self.records)})")
