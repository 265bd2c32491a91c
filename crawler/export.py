"""Export records from the catalog: mask rendering, duplicate marking, JSONL streaming.

The catalog stores each record as the cleaners made it under the default mask mode
("strip"), with every mask's original string and its offset in that text.  That is
enough to render any mode at export time without re-cleaning: "keep" puts the
originals back at their offsets, "placeholder" puts a fixed token there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, cast

from archive.export import write_jsonl
from cleaners import PLACEHOLDER, Mask, MaskMode
from cleaners import render_masks as _render
from crawler.catalog import Catalog
from crawler.records import text_sha1

__all__ = ["ExportSummary", "export", "render_masks", "PLACEHOLDER"]

logger = logging.getLogger(__name__)

DedupMode = Literal["none", "exact"]


@dataclass
class ExportSummary:
    path: Path
    written: int = 0
    skipped_by_filter: int = 0
    removed_as_duplicates: int = 0


def render_masks(text: str, masks: list[dict[str, Any]], mode: str) -> tuple[str, list[dict[str, Any]]]:
    """Stored (strip-mode) text and mask dicts as they read under ``mode``; see cleaners.render_masks."""
    if mode not in ("strip", "keep", "placeholder"):
        raise ValueError(f"unknown mask mode {mode!r} (strip, keep, placeholder)")
    objects = [Mask(original=m["original"], offset=int(m["offset"]), kind=m.get("kind", "")) for m in masks]
    rendered, out = _render(text, objects, cast(MaskMode, mode))
    return rendered, [asdict(m) for m in out]


def _mark_duplicates(records: Iterable[dict[str, Any]], dedup: DedupMode) -> Iterator[dict[str, Any]]:
    """Exact duplicates (same text, whitespace ignored) point at the first record seen with that text."""
    first_by_hash: dict[str, str] = {}
    for record in records:
        if dedup == "exact":
            digest = text_sha1(str(record.get("text") or ""))
            first = first_by_hash.setdefault(digest, record["id"])
            if first != record["id"]:
                record["dup"] = {"cluster": first, "of": first, "similarity": 1.0}
            else:
                record["dup"] = {"cluster": first, "of": None, "similarity": 1.0}
        yield record


def export(catalog_path: Path, out: Path, *, site: str | None = None, masks: str = "strip",
           dedup: DedupMode = "exact", keep_dups: bool = False, fields: list[str] | None = None) -> ExportSummary:
    """Stream the catalog's records to ``out`` (JSONL, ``.gz`` compressed when the name says so)."""
    if not catalog_path.exists():
        raise FileNotFoundError(f"no catalog at {catalog_path}: run `speechcrawl crawl` first")
    summary = ExportSummary(path=out)
    catalog = Catalog(catalog_path)

    def rows() -> Iterator[Mapping[str, Any]]:
        for record in _mark_duplicates(catalog.iter_records(site=site), dedup):
            if record.get("dup") and record["dup"].get("of") and not keep_dups:
                summary.removed_as_duplicates += 1
                continue
            record["text"], record["masks"] = render_masks(record["text"], record.get("masks") or [], masks)
            if fields:
                record = {k: record.get(k) for k in fields}
            summary.written += 1
            yield record

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_jsonl(rows(), out, compress="gzip" if out.suffix == ".gz" else "none")
    finally:
        catalog.close()
    return summary
