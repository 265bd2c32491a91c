"""``speechcrawl demo``"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands._common import add_out_argument, add_parser, positive_int


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "demo", help="crawl the bundled sandbox end to end",
                   description="Start the five sandbox sites on loopback, crawl them, write WARC + catalog + "
                               "JSONL export under --out, print a summary, stop the sandbox.",
                   examples="  speechcrawl demo\n  speechcrawl demo --out /tmp/demo --articles 100")
    add_out_argument(p, default=Path("demo-output"), help="output directory (default: ./demo-output)")
    p.add_argument("--articles", type=positive_int, default=None, metavar="N",
                   help="articles per sandbox site (default: sandbox's)")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a crawl setting, as `speechcrawl crawl -s` does")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from crawler.commands._common import fail
    from crawler.demo import format_summary, run_demo
    from crawler.options import CrawlOptionsError, parse_overrides

    try:
        overrides = parse_overrides(args.set)
    except CrawlOptionsError as exc:
        return fail(str(exc), 2)
    result = run_demo(args.out, articles=args.articles, progress=not args.no_progress, overrides=overrides)
    print(format_summary(result))
    ok = result.crawl.records > 0 and all(s.finish_reason == "finished" for s in result.crawl.sites)
    return 0 if ok else 1
