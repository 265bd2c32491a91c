"""``speechcrawl reprocess --data DIR [--out DIR2]``"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.commands._common import (
    add_data_argument,
    add_out_argument,
    add_parser,
    add_progress_argument,
    fail,
)

if TYPE_CHECKING:
    from corpus.rebuild import ReprocessSummary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "reprocess", help="rebuild the catalog and export from the WARC files alone",
                   description="Read DATA/warc (no network), run the current cleaners over every archived "
                               "document in crawl order, and write a new catalog.sqlite and export.jsonl to "
                               "--out. Fetch times come from WARC-Date, provenance from the WARC records. "
                               "Refuses while .open WARC files exist (a crawl running, or one killed: run "
                               "`speechcrawl archive repair` first). Payload digests are checked: a damaged or altered "
                               "record is skipped and listed, and the command exits 1. A rebuilt catalog with fewer "
                               "records than the existing one does not replace it without --force.",
                   examples="  speechcrawl reprocess --data data\n"
                            "  speechcrawl reprocess --data data -o data-v2")
    add_data_argument(p, help="data directory to read (default: ./data)")
    add_out_argument(p, help="directory to write catalog.sqlite and export.jsonl to "
                             "(default: the data directory, replacing its catalog)")
    p.add_argument("--profiles", type=Path, default=None, metavar="DIR",
                   help="profiles directory (default: the shipped ones)")
    p.add_argument("--force", action="store_true",
                   help="replace the catalog even when the rebuilt one holds fewer records (damaged WARC files)")
    add_progress_argument(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archive.exceptions import ArchiveError
    from corpus.rebuild import ShrinkRefused, reprocess
    from crawler.commands.progressbar import Progress
    from spiders.profiles import ProfileError

    try:
        summary = reprocess(args.data, args.out, profiles_dir=args.profiles, force=args.force,
                            progress=Progress("clean", enabled=args.progress))
    except ShrinkRefused as exc:
        _print_skipped(exc.summary)
        return fail(str(exc))
    except (ArchiveError, ProfileError) as exc:
        return fail(str(exc))
    _print_skipped(summary)
    print(summary)
    return 1 if summary.skipped else 0


def _print_skipped(summary: ReprocessSummary) -> None:
    for skipped in summary.skipped:
        print(f"skipped: {skipped}")
