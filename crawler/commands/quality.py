"""``speechcrawl quality``"""

from __future__ import annotations

import argparse
import json
import sys

from crawler.commands._common import add_json_argument, add_parser, positive_int


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "quality", help="score the cleaners against the sandbox gold",
                   description="Start the sandbox on random loopback ports, clean every article of its sites "
                               "(with their profiles, or --generic without) and compare with the gold records: "
                               "records expected/found, mean char-bigram F1, leaks, masks left, metadata exact "
                               "match per field. Exit code 1 when a target of docs/quality.md is missed.",
                   examples="  speechcrawl quality\n  speechcrawl quality --generic --site fanwen\n"
                            "  speechcrawl quality --articles 200 --json > quality.json")
    p.add_argument("--site", action="append", default=None, metavar="SITE",
                   help="score only this site (repeatable; default: all five)")
    p.add_argument("--generic", action="store_true", help="ignore the profiles: main-content detection")
    add_json_argument(p)
    p.add_argument("--articles", type=positive_int, default=None, metavar="N", help="articles per site (default 20)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from quality.scoring import format_report, missed_targets, run_quality
    from sandbox import SITES

    unknown = [s for s in args.site or () if s not in SITES]
    if unknown:
        sys.stderr.write(f"speechcrawl: error: unknown site {unknown[0]!r} (known: {', '.join(SITES)})\n")
        return 2
    report = run_quality(args.site, generic=args.generic, articles=args.articles)
    missed = missed_targets(report)
    report["missed_targets"] = missed
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else format_report(report))
    for line in missed if not args.json else ():
        sys.stderr.write(f"target missed: {line}\n")
    return 1 if missed else 0
