"""``speechcrawl crawl SITE|URL…``"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.commands._common import add_data_argument, add_parser, fail
from crawler.paths import CATALOG_NAME
from crawler.resume import resumable_crawl
from crawler.settings import DEFAULT_CONTACT, user_agent

if TYPE_CHECKING:
    from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "crawl", help="crawl sites by profile name or URL",
                   description="Crawl one or more sites. A name is a profile in spiders/profiles/; a URL whose "
                               "host has no profile is crawled in generic mode (same host, articles detected by "
                               "their content). Every fetch goes to DATA/warc/<site>/, records to the catalog.",
                   examples="  speechcrawl crawl wenmi --data data\n"
                            "  speechcrawl crawl https://news.example.cn/list.html --max-pages 500\n"
                            "  speechcrawl crawl wenmi --origin http://127.0.0.1:8601 --allow-private\n"
                            "  speechcrawl crawl wenmi --contact mailto:archive@example.org --max-duration 3600\n"
                            "  speechcrawl crawl wenmi --data data --resume     # after a crash or kill -9")
    p.add_argument("targets", nargs="+", metavar="SITE|URL")
    add_data_argument(p)
    p.add_argument("--profiles", type=Path, default=None, metavar="DIR",
                   help="directory of profile files (default: spiders/profiles/)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow loopback/private addresses (only for sandboxes you run yourself)")
    p.add_argument("--origin", action="append", default=[], metavar="[SITE=]URL",
                   help="serve a profile from another origin, e.g. a sandbox on a random port")
    p.add_argument("--sandbox", action="store_true", help="loopback sandbox preset: no throttling, implies "
                                                           "--allow-private")
    p.add_argument("--max-pages", type=int, default=0, help="stop each site after N responses")
    p.add_argument("--max-depth", type=int, default=0, help="do not follow links deeper than N")
    p.add_argument("--max-duration", type=float, default=0, metavar="SECONDS",
                   help="stop each site after this many seconds")
    p.add_argument("--contact", default=None, metavar="URL",
                   help="URL or mailto: site owners can reach you at; goes into the User-Agent")
    p.add_argument("--user-agent", default=None, help="the whole User-Agent string (overrides --contact)")
    p.add_argument("--crawl-id", default=None, help="crawl id (default: UTC timestamp)")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed crawl: --crawl-id, or the newest unfinished crawl of these sites")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="override a setting")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    p.set_defaults(handler=run)


def parse_origins(values: list[str], targets: list[str]) -> dict[str, str]:
    """``--origin [SITE=]URL`` values by site (a bare URL needs exactly one target)."""
    from spiders.profiles import ProfileError  # lxml via the cleaners: not at CLI start-up

    origins: dict[str, str] = {}
    for value in values:
        site, sep, url = value.partition("=")
        if not sep or "://" in site:
            if len(targets) != 1:
                raise ProfileError("--origin without SITE= needs exactly one target")
            site, url = targets[0], value
        origins[site] = url
    return origins


def _crawl_id(args: argparse.Namespace, profiles: list[SiteProfile]) -> str | None:
    """--crawl-id, or with --resume alone the newest unfinished crawl of these sites."""
    from spiders.profiles import ProfileError

    if not args.resume or args.crawl_id:
        return str(args.crawl_id) if args.crawl_id else None
    crawl_id = resumable_crawl(args.data / CATALOG_NAME, [p.name for p in profiles])
    if crawl_id is None:
        raise ProfileError(f"nothing to resume in {args.data}: no unfinished crawl of these sites "
                           "(run without --resume, or give --crawl-id)")
    print(f"resuming crawl {crawl_id}")
    return crawl_id


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: Scrapy takes a third of a second to import, and every other
    # command (archive verify, export …) shares this module's import at start-up.
    from crawler.runner import crawl_settings, resolve_targets, run_crawl
    from spiders.profiles import ProfileError

    if args.contact and not args.contact.startswith(("http://", "https://", "mailto:")):
        return fail(f"--contact must be an http(s) URL or a mailto: address, got {args.contact!r}", 2)
    try:
        profiles = resolve_targets(args.targets, profiles_dir=args.profiles,
                                   origins=parse_origins(args.origin, args.targets))
        crawl_id = _crawl_id(args, profiles)
    except ProfileError as exc:
        return fail(str(exc), 2)
    overrides = dict(item.split("=", 1) for item in args.set if "=" in item)
    if args.profiles:
        overrides.setdefault("SPEECHCRAWL_PROFILES_DIR", str(args.profiles))
    settings = crawl_settings(args.data, crawl_id=crawl_id, allow_private=args.allow_private or args.sandbox,
                              sandbox=args.sandbox, max_pages=args.max_pages, max_depth=args.max_depth,
                              max_duration=args.max_duration, resume=args.resume,
                              user_agent=args.user_agent or (user_agent(args.contact) if args.contact else None),
                              overrides=overrides)
    if not args.sandbox and DEFAULT_CONTACT in settings.get("USER_AGENT", ""):
        logger.warning("no --contact given: site owners cannot reach you (User-Agent says %s)", DEFAULT_CONTACT)
    summary = run_crawl(profiles, settings, progress=not args.no_progress)
    for site in summary.sites:
        print(f"{site.site}: {site.pages} pages, {site.records} records, finish: {site.finish_reason}")
        for warning in site.warnings:
            print(f"  warning: {warning}")
    print(f"crawl {summary.crawl_id}: {summary.pages} pages, {summary.records} records, "
          f"{summary.warc_files} WARC files ({summary.warc_bytes} bytes) in {summary.seconds:.1f}s")
    if failed := sum(s.failed for s in summary.sites):
        print(f"{failed} pages failed: see `speechcrawl crawls show {summary.crawl_id} --data {args.data}`")
    finished = all(s.finish_reason == "finished" or s.finish_reason.startswith("closespider") for s in summary.sites)
    return 0 if finished and not any(s.warnings for s in summary.sites) else 1
