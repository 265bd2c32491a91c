"""``speechcrawl export``"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands._common import add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "export", help="export records from the catalog as JSONL",
                   description="Write one JSON object per speech (a compilation yields one per 篇). Fields and "
                               "their meaning: docs/export.md.",
                   examples="  speechcrawl export --data data --out speeches.jsonl\n"
                            "  speechcrawl export --data data --out wenmi.jsonl.gz --site wenmi --masks keep")
    p.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: ./data)")
    p.add_argument("--out", type=Path, required=True, help="output file (.jsonl, .jsonl.gz)")
    p.add_argument("--site", default=None, help="only this site")
    p.add_argument("--masks", choices=["strip", "keep", "placeholder"], default="strip",
                   help="how masked spans (******, XX, 20xx) read in text (default: strip)")
    p.add_argument("--dedup", choices=["none", "exact"], default="exact",
                   help="mark exact duplicates (same text) and keep one (default: exact)")
    p.add_argument("--keep-dups", action="store_true", help="keep duplicates, only mark them in `dup`")
    p.add_argument("--fields", default=None, help="comma-separated fields to keep, e.g. id,title,text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from crawler.export import export  # imports the cleaners (lxml): only when exporting

    try:
        summary = export(args.data / "catalog.sqlite", args.out, site=args.site, masks=args.masks,
                         dedup=args.dedup, keep_dups=args.keep_dups,
                         fields=args.fields.split(",") if args.fields else None)
    except FileNotFoundError as exc:
        return fail(str(exc))
    print(f"{summary.written} records written to {summary.path}; {summary.removed_as_duplicates} removed as "
          f"duplicates")
    return 0
