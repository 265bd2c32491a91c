"""``speechcrawl crawl SITE|URL…``"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands._common import add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "crawl", help="crawl sites by profile name or URL",
                   description="Crawl one or more sites. A name is a profile in spiders/profiles/; a URL whose "
                               "host has no profile is crawled in generic mode (same host, articles detected by "
                               "their content). Every fetch goes to DATA/warc/<site>/, records to the catalog.",
                   examples="  speechcrawl crawl wenmi --data data\n"
                            "  speechcrawl crawl https://news.example.cn/list.html --max-pages 500\n"
                            "  speechcrawl crawl wenmi --origin http://127.0.0.1:8601 --allow-private")
    p.add_argument("targets", nargs="+", metavar="SITE|URL")
    p.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: ./data)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow loopback/private addresses (only for sandboxes you run yourself)")
    p.add_argument("--origin", action="append", default=[], metavar="[SITE=]URL",
                   help="serve a profile from another origin, e.g. a sandbox on a random port")
    p.add_argument("--sandbox", action="store_true", help="loopback sandbox preset: no throttling, implies "
                                                           "--allow-private")
    p.add_argument("--max-pages", type=int, default=0, help="stop each site after N responses")
    p.add_argument("--max-depth", type=int, default=0, help="do not follow links deeper than N")
    p.add_argument("--crawl-id", default=None, help="crawl id (default: UTC timestamp)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="override a setting")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    p.set_defaults(handler=run)


def _origins(values: list[str], targets: list[str]) -> dict[str, str]:
    from spiders.profiles import ProfileError

    origins: dict[str, str] = {}
    for value in values:
        site, sep, url = value.partition("=")
        if not sep or "://" in site:
            if len(targets) != 1:
                raise ProfileError("--origin without SITE= needs exactly one target")
            site, url = targets[0], value
        origins[site] = url
    return origins


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: Scrapy takes a third of a second to import, and the
    # archive commands share this process's start-up.
    from crawler.runner import crawl_settings, resolve_targets, run_crawl
    from spiders.profiles import ProfileError

    try:
        profiles = resolve_targets(args.targets, origins=_origins(args.origin, args.targets))
    except ProfileError as exc:
        return fail(str(exc), 2)
    overrides = dict(item.split("=", 1) for item in args.set if "=" in item)
    settings = crawl_settings(args.data, crawl_id=args.crawl_id, allow_private=args.allow_private or args.sandbox,
                              sandbox=args.sandbox, max_pages=args.max_pages, max_depth=args.max_depth,
                              overrides=overrides)
    summary = run_crawl(profiles, settings, progress=not args.no_progress)
    for site in summary.sites:
        print(f"{site.site}: {site.pages} pages, {site.records} records, finish: {site.finish_reason}")
    print(f"crawl {summary.crawl_id}: {summary.pages} pages, {summary.records} records, "
          f"{summary.warc_files} WARC files ({summary.warc_bytes} bytes) in {summary.seconds:.1f}s")
    return 0 if all(s.finish_reason == "finished" or s.finish_reason.startswith("closespider")
                    for s in summary.sites) else 1
