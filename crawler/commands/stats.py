"""``speechcrawl stats``"""

from __future__ import annotations

import argparse
import json
import sqlite3

from crawler.commands._common import (
    UsageError,
    add_data_argument,
    add_json_argument,
    add_parser,
    add_progress_argument,
    add_set_argument,
    dedup_options,
    existing_catalog,
    fail,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "stats", help="per-site figures of a data directory",
                   description="Per site: pages fetched, records, characters of text, speech date range, distinct "
                               "speakers, duplicate rate (as `speechcrawl export` would remove), masks, failed pages.",
                   examples="  speechcrawl stats --data data\n"
                            "  speechcrawl stats --data data --json | jq .total")
    add_data_argument(p)
    add_json_argument(p)
    p.add_argument("--dedup", choices=["none", "exact", "near"], default=None,
                   help="which duplicates the duplicate rate counts (default: SPEECHCRAWL_EXPORT_DEDUP, near)")
    add_set_argument(p, "SPEECHCRAWL_EXPORT_")
    add_progress_argument(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from corpus.stats import catalog_stats, format_table
    from crawler.commands.progressbar import Progress

    try:
        dedup = dedup_options(args.dedup, None, args.set)
    except UsageError as exc:
        return fail(str(exc), 2)
    try:
        stats = catalog_stats(existing_catalog(args.data), dedup,
                              Progress("stats", enabled=args.progress))
    except (sqlite3.DatabaseError, OSError) as exc:
        return fail(str(exc))
    if args.json:
        print(json.dumps({site: s.as_dict() for site, s in stats.items()}, ensure_ascii=False, indent=1))
    else:
        print(format_table(stats))
    return 0
