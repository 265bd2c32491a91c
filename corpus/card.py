"""The dataset card written beside an export (``--card``): what is in it, how it was made, how to cite it.

A corpus file without its making-of gets cited wrongly: which sites, crawled when,
which filters, how duplicates were removed, which schema.  The card says all of that
in Markdown next to the export, ``<name>.card.md`` (``speeches.jsonl.gz`` ->
``speeches.card.md``), and lists every WARC file the records point into with its
size and SHA-256, so that anyone can check later that the archive they hold is the
one the corpus came from.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.catalog import Catalog
from corpus.records import SCHEMA_VERSION

if TYPE_CHECKING:
    from corpus.manifest import ExportOptions, ExportSummary

__all__ = ["card_path", "write_card"]

_SUFFIXES = (".gz", ".zst", ".zstd", ".jsonl", ".json", ".ndjson", ".parquet", ".pq")


def card_path(out: Path) -> Path:
    """``DIR/speeches.card.md`` for ``DIR/speeches.jsonl.gz`` (export suffixes dropped)."""
    name = out.name
    while any(name.lower().endswith(s) for s in _SUFFIXES):
        name = name[: name.rfind(".")]
    return out.with_name((name or "export") + ".card.md")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _speechcrawl_version() -> str:
    try:
        return version("speechcrawl")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _filters(options: ExportOptions) -> list[str]:
    f = options.filters
    lines = [f"- sites: {', '.join(f.sites) if f.sites else 'all'}"]
    if f.since or f.until:
        span = f"from {f.since or 'the start'} to {f.until or 'the end'}"
        lines.append(f"- speech date {span} (records without a date left out)" if f.by == "date"
                     else f"- fetch date {span}")
    if f.speaker:
        lines.append(f"- speaker: {f.speaker}")
    if f.contains:
        lines.append(f"- text contains: {f.contains}")
    if f.min_chars:
        lines.append(f"- at least {f.min_chars} characters of text")
    if options.fields:
        lines.append(f"- fields: {', '.join(options.fields)}")
    return lines


def _dedup(options: ExportOptions, summary: ExportSummary) -> list[str]:
    d = options.dedup
    if d.mode == "none":
        return ["None: `dup` is null and every selected record is written."]
    rule = ("same text once whitespace is removed" if d.mode == "exact" else
            f"Jaccard similarity of {d.shingle}-character shingles >= {d.threshold} (MinHash/LSH candidates, "
            "verified on the texts), clusters are connected pairs")
    kept = "all members kept and marked (--keep-dups)" if options.keep_dups else "one representative kept"
    return [f"- mode: {d.mode}: {rule}",
            f"- {kept}; the representative is the longest text of its cluster",
            f"- removed as duplicates: {summary.removed_as_duplicates}"]


def write_card(summary: ExportSummary, options: ExportOptions, catalog: Catalog, data_dir: Path) -> Path:
    """Write the card for ``summary`` and return its path."""
    crawls: dict[str, list[str]] = {}
    for crawl in catalog.crawls():
        crawls.setdefault(crawl["site"], []).append(crawl["started_at"][:10])
    lines = [f"# Dataset card: {summary.path.name}", "",
             f"Exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by speechcrawl {_speechcrawl_version()} from "
             f"`{data_dir / 'catalog.sqlite'}`: {summary.written} records ({summary.format}), "
             f"{summary.skipped_by_filter} skipped by filter, {summary.removed_as_duplicates} removed as duplicates.",
             "", "## Sites", "", "| site | records | characters | speech dates | crawled |",
             "| --- | ---: | ---: | --- | --- |"]
    for site, counts in sorted(summary.sites.items()):
        dates = f"{counts.first_date} to {counts.last_date}" if counts.first_date else "none"
        crawled = ", ".join(sorted(set(crawls.get(site, [])))) or "unknown"
        lines.append(f"| {site} | {counts.records} | {counts.characters} | {dates} | {crawled} |")
    lines += ["", "## Selection", "", *_filters(options), "", "## Cleaning", "",
              f"- cleaner version(s): {', '.join(sorted(summary.cleaner_versions)) or 'none'}",
              f"- masks (******, XX, 20xx …): {options.masks} (every mask is listed in `masks` in all modes)",
              "- boilerplate, injected ads and SEO filler removed; counts per record in `audit`",
              "", "## Duplicates", "", *_dedup(options, summary), "", "## Schema", "",
              f"Schema version {SCHEMA_VERSION}: `speechcrawl schema` prints the JSON Schema (docs/schema/record-v1.json); "
              "fields are described in docs/export.md.", "", "## Provenance and citation", "",
              "Every record's `provenance` points at the WARC records its pages came from (file, offset, length, "
              "WARC-Record-ID, payload digest). Cite the corpus together with these WARC files; their SHA-256 "
              "lets anyone check that an archive is the one this export was made from:", "",
              "| site | WARC file | bytes | sha256 |", "| --- | --- | ---: | --- |"]
    for site, name in sorted(summary.warc_files):
        path = data_dir / "warc" / site / name
        if path.exists():
            lines.append(f"| {site} | {name} | {path.stat().st_size} | {_sha256(path)} |")
        else:
            lines.append(f"| {site} | {name} | missing | missing |")
    target = card_path(summary.path)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
