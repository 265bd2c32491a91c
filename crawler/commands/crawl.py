"""``speechcrawl crawl SITE|URL…``"""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.catalog import CATALOG_NAME, open_existing
from crawler.commands._common import add_parser, check_catalog_if_present, fail, positive_int
from crawler.options import CrawlOptionsError, add_crawl_options, check_private_seeds, check_target_urls
from crawler.resume import resumable_crawl
from crawler.settings import DEFAULT_CONTACT

if TYPE_CHECKING:
    from crawler.options import CrawlOptions
    from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "crawl", help="crawl sites by profile name or URL",
                   description="Crawl one or more sites. A name is a profile in spiders/profiles/; a URL whose "
                               "host has no profile is crawled in generic mode (same host, articles detected by "
                               "their content). Every fetch goes to DATA/warc/<site>/, records to the catalog.",
                   examples="  speechcrawl crawl https://news.example.cn/list.html --contact mailto:me@example.org\n"
                            "  speechcrawl crawl https://news.example.cn/list.html --max-pages 500 --max-duration 3600\n"
                            "  # the bundled profiles (wenmi, fanwen, …) are sandbox sites: serve them first\n"
                            "  speechcrawl sandbox serve &  speechcrawl crawl wenmi --sandbox --data data\n"
                            "  speechcrawl crawl wenmi --origin http://127.0.0.1:41234 --sandbox\n"
                            "  speechcrawl crawl mysite --profiles profiles --data data --resume   # after a crash")
    p.add_argument("targets", nargs="+", metavar="SITE|URL")
    add_crawl_options(p)
    p.add_argument("--redis", default=None, metavar="URL",
                   help="distributed crawl: seed the shared frontier on this Redis and return; `speechcrawl worker` "
                        "processes crawl it (docs/distributed.md)")
    p.add_argument("--wait", action="store_true",
                   help="with --redis: write the crawl's records into --data's catalog until the crawl is over")
    p.add_argument("--workers", type=positive_int, default=0, metavar="N",
                   help="distributed crawl on this machine: N worker processes on --redis (default: "
                        "SPEECHCRAWL_REDIS_URL, else redis://127.0.0.1:6379/0); implies --wait")
    p.set_defaults(handler=run)


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
    from crawler.options import crawl_settings, options_from_args, uses_placeholder_contact
    from crawler.runner import CrawlRefused, resolve_targets, run_crawl
    from spiders.profiles import ProfileError

    try:
        check_target_urls(args.targets)
        options = options_from_args(args, args.targets)
        profiles = resolve_targets(args.targets, profiles_dir=options.profiles_dir, origins=options.origins)
        check_private_seeds(profiles, crawl_settings(options))
        check_catalog_if_present(args.data)
        crawl_id = _crawl_id(args, profiles)
    except (CrawlOptionsError, ProfileError) as exc:
        return fail(str(exc), 2)
    if args.wait and not (args.redis or args.workers):
        return fail("--wait needs --redis URL (or --workers N)", 2)
    settings = crawl_settings(replace(options, crawl_id=crawl_id))
    if args.redis or args.workers:
        return _distributed(args, replace(options, crawl_id=crawl_id or settings["SPEECHCRAWL_CRAWL_ID"]), profiles,
                            settings["SPEECHCRAWL_REDIS_URL"])
    if not args.sandbox and uses_placeholder_contact(settings):
        logger.warning("no --contact given: site owners cannot reach you (User-Agent says %s)", DEFAULT_CONTACT)
    try:
        summary = run_crawl(profiles, settings)
    except CrawlRefused as exc:
        return fail(str(exc), 1)
    for site in summary.sites:
        print(f"{site.site}: {site.pages} pages, {site.records} records, finish: {site.finish_reason}")
        if site.error:
            fail(f"{site.site}: {site.error}; after freeing space: speechcrawl crawl {site.site} --resume "
                 f"--crawl-id {summary.crawl_id} --data {args.data}")
        for warning in site.warnings:
            print(f"  warning: {warning}")
    print(f"crawl {summary.crawl_id}: {summary.pages} pages, {summary.records} records, "
          f"{summary.warc_files} WARC files ({summary.warc_bytes} bytes) in {summary.seconds:.1f}s")
    if failed := sum(s.failed for s in summary.sites):
        print(f"{failed} pages failed: see `speechcrawl crawls show {summary.crawl_id} --data {args.data}`")
    finished = all(s.finish_reason == "finished" or s.finish_reason.startswith("closespider") for s in summary.sites)
    unreachable = failed_seeds(summary.data_dir / CATALOG_NAME, summary.crawl_id, profiles)
    for url, reason in unreachable:
        print(f"seed failed: {url}: {reason}")
    return 0 if finished and not unreachable and not any(s.warnings for s in summary.sites) else 1


def _distributed(args: argparse.Namespace, options: CrawlOptions, profiles: list[SiteProfile], setting_url: str) -> int:
    from crawler.distributed.dupefilter import Seen
    from crawler.distributed.launch import LOCAL_REDIS, NoRedis, launch
    from crawler.options import crawl_settings

    try:
        Seen.from_settings(crawl_settings(options))  # before the crawl is stored for every worker to read
    except ValueError as exc:
        return fail(str(exc), 2)
    url = args.redis or setting_url or LOCAL_REDIS
    crawl_id = str(options.crawl_id)
    try:
        started = launch(url, options, args.targets, profiles, crawl_id=crawl_id, wait=args.wait or bool(args.workers),
                         workers=args.workers)
    except NoRedis as exc:
        return fail(str(exc), 1)
    print(f"crawl {crawl_id}: {started.seeded} start requests seeded on {url}")
    if started.progress is None:
        print(f"start workers: speechcrawl worker --redis {url} --data DIR; write records: speechcrawl ingest "
              f"--redis {url} --data {args.data}")
        return 0
    print(started.progress.line())
    over = set(started.progress.finished) >= {p.name for p in profiles}
    if not over:
        fail(f"crawl {crawl_id} is not over (every worker stopped); continue it with `speechcrawl worker --redis {url}`")
    return 0 if over else 1


def failed_seeds(catalog_path: Path, crawl_id: str, profiles: list[SiteProfile]) -> list[tuple[str, str]]:
    """(start URL, reason) of every seed of the sites none of whose seeds could be fetched in this crawl.

    Such a site fetched nothing, so its crawl failed, whatever Scrapy's finish reason says.
    """
    if not catalog_path.is_file():
        return []
    catalog = open_existing(catalog_path)
    try:
        reasons = {f["url"]: f["reason"] for f in catalog.failures(crawl_id)}
    finally:
        catalog.close()
    out: list[tuple[str, str]] = []
    for profile in profiles:
        if profile.start_urls and all(url in reasons for url in profile.start_urls):
            out += [(url, reasons[url]) for url in profile.start_urls]
    return list(dict.fromkeys(out))
