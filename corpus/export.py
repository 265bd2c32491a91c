"""Export records from the catalog: selection, duplicate clusters, mask rendering, JSONL or Parquet.

The catalog stores each record as the cleaners made it under the default mask mode
("strip"), with every mask's original string and its offset in that text.  That is
enough to render any mode at export time without re-cleaning: "keep" puts the
originals back at their offsets, "placeholder" puts a fixed token there.

An export reads its selection twice inside one snapshot: once to find duplicate
clusters (corpus.dedup keeps a few bytes a record), once to write the records one
at a time.  Nothing holds the corpus in memory, so a million records export in the
memory of one Parquet row group.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from cleaners import PLACEHOLDER, Mask, MaskMode
from cleaners import render_masks as _render
from corpus.catalog import Catalog
from corpus.dedup import Clusters, find_clusters
from corpus.formats.jsonl import compression_for, write_jsonl
from corpus.formats.parquet import write_parquet
from corpus.manifest import ExportOptions, ExportSummary, Format, SiteCounts
from corpus.progress import NO_PROGRESS, ProgressSink
from corpus.schema import FIELDS, RECORD_SCHEMA
from corpus.selection import Selection

__all__ = ["ExportOptions", "ExportSummary", "SiteCounts", "export", "output_format", "render_masks",
           "PLACEHOLDER"]

logger = logging.getLogger(__name__)

_PARQUET_SUFFIXES = (".parquet", ".pq")


def output_format(out: Path, requested: str | None = None) -> Format:
    """The format ``--format`` names, else the one the suffix names (``.parquet``), else JSONL."""
    is_parquet = out.suffix.lower() in _PARQUET_SUFFIXES
    if requested is None:
        return "parquet" if is_parquet else "jsonl"
    if requested == "jsonl" and is_parquet:
        raise ValueError(f"--format jsonl but {out.name} ends in {out.suffix}")
    if requested == "parquet" and compression_for(out) != "none":
        raise ValueError(f"Parquet compresses its own columns: drop {out.suffix} from {out.name}")
    if requested not in ("jsonl", "parquet"):
        raise ValueError(f"unknown format {requested!r} (jsonl, parquet)")
    return cast(Format, requested)


def render_masks(text: str, masks: list[dict[str, Any]], mode: str) -> tuple[str, list[dict[str, Any]]]:
    """Stored (strip-mode) text and mask dicts as they read under ``mode``; see cleaners.render_masks."""
    if mode not in ("strip", "keep", "placeholder"):
        raise ValueError(f"unknown mask mode {mode!r} (strip, keep, placeholder)")
    objects = [Mask(original=m["original"], offset=int(m["offset"]), kind=m.get("kind", "")) for m in masks]
    rendered, out = _render(text, objects, cast(MaskMode, mode))
    return rendered, [asdict(m) for m in out]


def export(catalog_path: Path, out: Path, options: ExportOptions | None = None, *,
           progress: ProgressSink | None = None) -> ExportSummary:
    """Write the selected records to ``out`` (JSONL, ``.gz``/``.zst`` compressed, or Parquet)."""
    options = options or ExportOptions()
    if not catalog_path.exists():
        raise FileNotFoundError(f"no catalog at {catalog_path}: run `speechcrawl crawl` first")
    summary = ExportSummary(path=out, format=output_format(out, options.format))
    progress = progress or NO_PROGRESS
    catalog = Catalog(catalog_path)
    try:
        selection = Selection(catalog, options.filters)
        selection.check_sites()
        with selection.snapshot():
            clusters = None
            if options.dedup.mode != "none":
                progress.stage("dedup", selection.count() if progress.enabled else None)
                clusters = find_clusters(selection.texts(), selection.text_of, selection.ids_of, options.dedup,
                                         tick=progress.advance)
                progress.stage("write", len(clusters.rep))
            else:
                progress.stage("write", selection.count() if progress.enabled else None)
            summary.skipped_by_filter = selection.total()
            rows = _rows(selection, clusters, options, summary, progress)
            out.parent.mkdir(parents=True, exist_ok=True)
            if summary.format == "parquet":
                write_parquet(rows, out, RECORD_SCHEMA, fields=options.fields or None)
            else:
                write_jsonl(rows, out, compress=compression_for(out))
            summary.skipped_by_filter -= summary.written + summary.removed_as_duplicates
        progress.close()
        if options.card:
            from corpus.card import write_card  # only for --card: it hashes WARC files

            summary.card = write_card(summary, options, catalog, catalog_path.parent)
    finally:
        catalog.close()
    logger.info("export: %s", summary.closing_line())
    return summary


def _rows(selection: Selection, clusters: Clusters | None, options: ExportOptions, summary: ExportSummary,
          progress: ProgressSink) -> Iterator[dict[str, Any]]:
    """The records to write, in export order, each finished (dup, masks, fields)."""
    for position, (rowid, raw) in enumerate(selection.records()):
        progress.advance()
        record = json.loads(raw)
        if "version" not in record:  # stored before the catalog kept versions (migration 006)
            record = {name: record.get(name, 1 if name == "version" else None) for name in FIELDS}
        if clusters is not None:
            if clusters.rowids[position] != rowid:  # both reads share one snapshot: this is a bug
                raise RuntimeError(f"selection changed between reads at record {position}")
            record["dup"] = clusters.dup(position, record["id"])
            if record["dup"]["of"] == record["id"]:
                # Another version of the same record (--versions all): an edit, not a copy.
                record["dup"] = {**record["dup"], "of": None, "similarity": 1.0}
            elif clusters.is_duplicate(position) and not options.keep_dups:
                summary.removed_as_duplicates += 1
                continue
        if options.masks != "strip":  # the stored form is strip: nothing to render
            record["text"], record["masks"] = render_masks(record["text"], record.get("masks") or [], options.masks)
        if options.card:
            _note(summary, record)
        if options.fields:
            record = {k: record.get(k) for k in options.fields}
        summary.written += 1
        yield record


def _note(summary: ExportSummary, record: Mapping[str, Any]) -> None:
    summary.sites.setdefault(record["site"], SiteCounts()).add(record)
    summary.cleaner_versions.add(str(record.get("cleaner_version")))
    for page in record.get("provenance") or []:
        if page.get("warc_filename"):
            summary.warc_files.add((record["site"], page["warc_filename"]))
