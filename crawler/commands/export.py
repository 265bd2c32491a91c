"""``speechcrawl export``"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from archive.exceptions import ArchiveError
from crawler.commands._common import (
    UsageError,
    add_data_argument,
    add_out_argument,
    add_parser,
    add_progress_argument,
    add_set_argument,
    dedup_options,
    existing_catalog,
    fail,
)
from crawler.settings import SPEECHCRAWL_EXPORT_DEDUP, SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD

if TYPE_CHECKING:
    from corpus.export import ExportOptions, ExportSummary
    from crawler.commands.progressbar import Progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "export", help="export records from the catalog as JSONL or Parquet",
                   description="Write one record per speech (a compilation yields one per 篇), near-duplicates "
                               "removed. Fields and their meaning: docs/export.md; JSON Schema: `speechcrawl schema`.",
                   examples="  speechcrawl export --data data --out speeches.jsonl\n"
                            "  speechcrawl export --data data --out wenmi.jsonl.gz --site wenmi --masks keep\n"
                            "  speechcrawl export --data data --out 2023.parquet --since 2023 --until 2023 --card\n"
                            "  speechcrawl export --data data --out all.jsonl.zst --dedup near --keep-dups\n"
                            "  speechcrawl export --data data --out history.jsonl --versions all --site ribao\n"
                            "  speechcrawl export --data data -o - --site wenmi | jq -r .title   # - is stdout")
    add_data_argument(p)
    add_out_argument(p, required=True, help="output file: .jsonl, .jsonl.gz, .jsonl.zst or .parquet (- for stdout, "
                                            "JSONL)")
    p.add_argument("--format", choices=["jsonl", "parquet"], default=None, help="default: from the --out suffix")
    g = p.add_argument_group("filters")
    g.add_argument("--site", action="append", default=[], metavar="SITE", help="only this site (repeat, or a,b,c)")
    g.add_argument("--since", metavar="DATE", help="from this day on: YYYY-MM-DD, YYYY-MM or YYYY")
    g.add_argument("--until", metavar="DATE", help="up to this day, inclusive (same forms)")
    g.add_argument("--by", choices=["date", "fetched"], default="date",
                   help="--since/--until apply to the speech date (default) or the fetch date")
    g.add_argument("--speaker", metavar="NAME", help="only speeches by this speaker (exact name, e.g. 吴锦)")
    g.add_argument("--contains", metavar="TEXT", help="only records whose text contains TEXT")
    g.add_argument("--min-chars", type=int, default=0, metavar="N", help="only records with N+ characters of text")
    g.add_argument("--versions", choices=["latest", "all"], default="latest",
                   help="each record as it reads now (default), or every version re-crawls kept")
    p.add_argument("--masks", choices=["strip", "keep", "placeholder"], default="strip",
                   help="how masked spans (******, XX, 20xx) read in text (default: strip)")
    p.add_argument("--dedup", choices=["none", "exact", "near"], default=None,
                   help="exact: same text; near: similar text, see --threshold (default: SPEECHCRAWL_EXPORT_DEDUP, "
                        f"{SPEECHCRAWL_EXPORT_DEDUP})")
    p.add_argument("--threshold", type=float, default=None, metavar="X",
                   help="near: Jaccard similarity of 5-character shingles (default: "
                        f"SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD, {SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD})")
    p.add_argument("--keep-dups", action="store_true", help="keep duplicates, only mark them in `dup`")
    p.add_argument("--fields", default=None, metavar="FIELD,...", help="comma-separated fields to keep, e.g. id,title,text")
    p.add_argument("--card", action="store_true", help="also write a dataset card, NAME.card.md, beside --out")
    add_set_argument(p, "SPEECHCRAWL_EXPORT_")
    add_progress_argument(p)
    p.set_defaults(handler=run)


def _options(args: argparse.Namespace) -> ExportOptions:
    # numpy (dedup) and the cleaners (mask rendering) load only when exporting, not at CLI start-up.
    from corpus.export import ExportOptions
    from corpus.selection import ExportFilter

    filters = ExportFilter(sites=tuple(s for v in args.site for s in v.split(",") if s), since=args.since,
                           until=args.until, by=args.by, speaker=args.speaker, contains=args.contains,
                           min_chars=args.min_chars, versions=args.versions)
    return ExportOptions(filters=filters, format=args.format, masks=args.masks,
                         dedup=dedup_options(args.dedup, args.threshold, args.set), keep_dups=args.keep_dups,
                         fields=tuple(args.fields.split(",")) if args.fields else (), card=args.card)


KNOWN_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst", ".parquet", ".pq")
"""What ``--out`` may end in without ``--format``: any other name is refused, not silently written as JSONL."""

STDOUT = Path("-")


def check_out(out: Path, requested: str | None, card: bool) -> None:
    """``--out`` names a format we write (or ``--format`` says which); ``-`` is stdout, where no card goes."""
    if out == STDOUT:
        if card:
            raise UsageError("--card needs a file --out (the card is written beside it), not - (stdout)")
        return
    if requested is None and not out.name.lower().endswith(KNOWN_SUFFIXES):
        suffix = "".join(out.suffixes) or "no extension"
        raise UsageError(f"--out {out}: unknown export format ({suffix}); name it .jsonl, .jsonl.gz, .jsonl.zst "
                         "or .parquet, or say --format jsonl|parquet")


def _export_to_stdout(catalog: Path, options: ExportOptions, progress: Progress) -> ExportSummary:
    """Export into a private temporary file, then copy it to stdout: the writers replace files atomically."""
    from corpus.export import export

    with tempfile.TemporaryDirectory(prefix="speechcrawl-export-") as tmp:
        part = Path(tmp) / ("export.parquet" if options.format == "parquet" else "export.jsonl")
        summary = export(catalog, part, options, progress=progress)
        with part.open("rb") as stream:
            shutil.copyfileobj(stream, sys.stdout.buffer)
        sys.stdout.flush()
    summary.path = Path("(stdout)")  # the closing line names where the records went, not the temporary file
    return summary


def run(args: argparse.Namespace) -> int:
    from corpus.export import export, output_format
    from corpus.selection import SelectionError
    from crawler.commands.progressbar import Progress

    try:
        options = _options(args)
        check_out(args.out, options.format, options.card)
        output_format(args.out, options.format)
    except ValueError as exc:  # UsageError among them
        return fail(str(exc), 2)
    catalog = existing_catalog(args.data)
    progress = Progress("export", enabled=args.progress)
    try:
        if args.out == STDOUT:
            summary = _export_to_stdout(catalog, options, progress)
        else:
            summary = export(catalog, args.out, options, progress=progress)
    except SelectionError as exc:
        return fail(str(exc), 2)
    except (ArchiveError, sqlite3.DatabaseError, OSError) as exc:
        return fail(str(exc))
    line = summary.closing_line() + (f"; card: {summary.card}" if summary.card else "")
    print(line, file=sys.stderr if args.out == STDOUT else sys.stdout)
    return 0
