"""``speechcrawl reprocess --data DIR [--out DIR2]``"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands._common import (
    add_data_argument,
    add_out_argument,
    add_parser,
    add_progress_argument,
    fail,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "reprocess", help="rebuild the catalog and export from the WARC files alone",
                   description="Read DATA/warc (no network), run the current cleaners over every archived "
                               "document in crawl order, and write a new catalog.sqlite and export.jsonl to "
                               "--out. Fetch times come from WARC-Date, provenance from the WARC records. "
                               "Refuses while .open WARC files exist (a crawl running, or one killed: run "
                               "`speechcrawl archive repair` first).",
                   examples="  speechcrawl reprocess --data data\n"
                            "  speechcrawl reprocess --data data -o data-v2")
    add_data_argument(p, help="data directory to read (default: ./data)")
    add_out_argument(p, help="directory to write catalog.sqlite and export.jsonl to "
                             "(default: the data directory, replacing its catalog)")
    p.add_argument("--profiles", type=Path, default=None, metavar="DIR",
                   help="profiles directory (default: the shipped ones)")
    add_progress_argument(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archive.exceptions import ArchiveError
    from corpus.rebuild import reprocess
    from crawler.commands.progress import Progress
    from spiders.profiles import ProfileError

    try:
        summary = reprocess(args.data, args.out, profiles_dir=args.profiles,
                            progress=Progress("clean", enabled=args.progress))
    except (ArchiveError, ProfileError) as exc:
        return fail(str(exc))
    print(summary)
    return 1 if summary.skipped else 0
