"""What an export was asked for and what it wrote: the options, the summary, per-site counts.

Shared by :mod:`corpus.export` (which fills them) and :mod:`corpus.card` (which describes them),
so that neither needs the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cleaners import MaskMode
from corpus.dedup import DedupOptions
from corpus.schema import check_fields
from corpus.selection import ExportFilter

__all__ = ["Format", "ExportOptions", "ExportSummary", "SiteCounts"]

Format = Literal["jsonl", "parquet"]


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """Everything an export can be asked for (the CLI flags, validated)."""

    filters: ExportFilter = field(default_factory=ExportFilter)
    format: Format | None = None
    masks: MaskMode = "strip"
    dedup: DedupOptions = field(default_factory=DedupOptions)
    keep_dups: bool = False
    fields: tuple[str, ...] = ()
    card: bool = False

    def __post_init__(self) -> None:
        if self.masks not in ("strip", "keep", "placeholder"):
            raise ValueError(f"unknown mask mode {self.masks!r} (strip, keep, placeholder)")
        check_fields(list(self.fields))


@dataclass
class SiteCounts:
    """What one site contributed to an export (for the dataset card)."""

    records: int = 0
    characters: int = 0
    first_date: str | None = None
    last_date: str | None = None

    def add(self, record: Mapping[str, Any]) -> None:
        self.records += 1
        self.characters += len(record.get("text") or "")
        day = record.get("date")
        if day:
            self.first_date = min(self.first_date or day, day)
            self.last_date = max(self.last_date or day, day)


@dataclass
class ExportSummary:
    path: Path
    format: Format = "jsonl"
    written: int = 0
    skipped_by_filter: int = 0
    removed_as_duplicates: int = 0
    sites: dict[str, SiteCounts] = field(default_factory=dict)
    """Per-site counts, cleaner versions and WARC files are only gathered for --card."""
    cleaner_versions: set[str] = field(default_factory=set)
    warc_files: set[tuple[str, str]] = field(default_factory=set)
    """(site, file name) of every WARC file the written records point into."""
    card: Path | None = None

    def closing_line(self) -> str:
        return (f"{self.written} records written to {self.path}; {self.skipped_by_filter} skipped by filter; "
                f"{self.removed_as_duplicates} removed as duplicates")
