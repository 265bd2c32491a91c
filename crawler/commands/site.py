"""``speechcrawl site new|check|list``: add a site, catch template breakage, see every site's health."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands._common import (
    add_data_argument,
    add_json_argument,
    add_parser,
    add_progress_argument,
    fail,
    positive_int,
)
from crawler.options import CrawlOptionsError, parse_origins
from crawler.site import SAMPLE_ARTICLES, SAMPLE_LISTS
from crawler.site.fixture import FixtureError


def _common(p: argparse.ArgumentParser, *, data: bool = True) -> None:
    p.add_argument("--profiles", type=Path, default=None, metavar="DIR",
                   help="your profile directory, used beside the bundled profiles (default: ./profiles)")
    p.add_argument("--fixtures", type=Path, default=None, metavar="DIR",
                   help="fixture directory (default: fixtures/ beside each profile: PROFILES/fixtures/NAME/)")
    if data:
        add_data_argument(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "site", help="add a site, check profiles against fixtures or live, list sites",
                   description="Maintain site profiles: propose one for a new site, replay recorded fixtures "
                               "through the current profiles and cleaners, check a few live pages for a broken "
                               "template, list every site with its health. See docs/adding-a-site.md.",
                   examples="  speechcrawl site new mysite --from-url https://www.example.gov.cn/zwgk/ldjh/\n"
                            "  speechcrawl site check\n  speechcrawl site check --live sucai\n"
                            "  speechcrawl site list")
    inner = p.add_subparsers(dest="site_command", metavar="ACTION")
    new = add_parser(inner, "new", help="propose a profile and record a fixture from a sample of a site",
                     description="Fetch the page at --from-url (a list page or an article: either works), its "
                                 "list page or a few of its articles, archive every fetch to WARC, propose a "
                                 "commented profile (PROFILES/NAME.toml, by default ./profiles/) and "
                                 "record the fixture (PROFILES/fixtures/NAME/). Review the profile, then run `speechcrawl site check NAME`.",
                     examples="  speechcrawl site new linjiang --from-url https://www.linjiang.gov.cn/zwgk/ldjh/\n"
                              "  speechcrawl site new gov --from-url http://127.0.0.1:8606/zwgk/ldjh/ "
                              "--allow-private")
    new.add_argument("name", metavar="NAME", help="profile name: lower-case letters, digits, - and _")
    new.add_argument("--from-url", required=True, metavar="URL", help="a list page or an article of the site")
    new.add_argument("--allow-private", action="store_true", help="allow loopback/private addresses (sandbox)")
    new.add_argument("--force", action="store_true", help="replace an existing profile and fixture")
    new.add_argument("--check", action="store_true",
                     help="then crawl a sample with the proposal (3 list pages, 20 articles, into DATA/check/) and "
                          "print coverage signals: list pages reached vs the pager's count, articles per list page, "
                          "records with no text or date; exit 1 on a warning")
    _common(new)
    new.set_defaults(handler=run_new)
    check = add_parser(inner, "check", help="replay fixtures offline (or crawl a live sample) and report changes",
                       description="Offline (default): replay each site's fixture WARC through the current "
                                   "profile and cleaners and diff the records against the expected ones; exit 1 "
                                   "with the diff on any change; --update accepts the new output. --live: crawl "
                                   "the first few list pages and articles now and flag a broken template "
                                   "(content selector matching nothing, metadata going empty, fewer records or "
                                   "shorter texts than the last crawl); with --update a healthy sample becomes "
                                   "the new fixture.",
                       examples="  speechcrawl site check\n  speechcrawl site check sucai --update\n"
                                "  speechcrawl site check --live sucai\n"
                                "  speechcrawl site check --live sucai --origin http://127.0.0.1:41234 --sandbox")
    check.add_argument("names", nargs="*", metavar="NAME", help="profiles to check (default: all)")
    check.add_argument("--update", action="store_true", help="accept the new output as the fixture's records")
    add_progress_argument(check)
    check.add_argument("--live", action="store_true", help="crawl a small sample of the live site instead")
    check.add_argument("--origin", action="append", default=[], metavar="[SITE=]URL",
                       help="with --live: the site is served from another origin (e.g. a sandbox port)")
    check.add_argument("--allow-private", action="store_true", help="with --live: allow loopback/private addresses")
    check.add_argument("--sandbox", action="store_true", help="with --live: loopback sandbox preset (no throttling)")
    check.add_argument("--articles", type=positive_int, default=SAMPLE_ARTICLES, metavar="N",
                       help=f"with --live: follow the first N article links (default {SAMPLE_ARTICLES}; "
                            f"and {SAMPLE_LISTS} list pages)")
    _common(check)
    check.set_defaults(handler=run_check)
    listing = add_parser(inner, "list", help="every site: domains, last crawl, records, health",
                         description="One line per profile: its domains, its last crawl in --data, the records "
                                     "that crawl produced, its health (the monitors' warnings) and its fixture.",
                         examples="  speechcrawl site list\n  speechcrawl site list --data /srv/speechcrawl --json")
    _common(listing)
    add_json_argument(listing)
    listing.set_defaults(handler=run_list)
    p.set_defaults(handler=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_new(args: argparse.Namespace) -> int:
    from crawler.site.new import NewSiteError, new_site
    from spiders.profiles import ProfileError  # lxml via the cleaners: not at CLI start-up

    try:
        made = new_site(args.name, args.from_url, data=args.data, profiles_dir=args.profiles, fixtures=args.fixtures,
                        allow_private=args.allow_private, force=args.force)
    except (ProfileError, NewSiteError) as exc:
        return fail(str(exc), getattr(exc, "exit_code", 2))
    print(made.report())
    if not args.check:
        return 0
    from crawler.paths import new_crawl_id
    from crawler.site.new import is_loopback
    from crawler.site.sample import check_sample

    sample = check_sample(made.profile, made.path.parent, args.data / "check" / new_crawl_id(),
                          allow_private=args.allow_private, loopback=is_loopback(args.from_url),
                          stated_pages=made.stated_pages, first_page_articles=made.first_page_articles)
    print(sample.report())
    return 1 if sample.warnings else 0


def run_check(args: argparse.Namespace) -> int:
    from spiders.profiles import ProfileError  # lxml via the cleaners: not at CLI start-up

    if args.live:
        return _run_live(args)
    if args.origin or args.articles != SAMPLE_ARTICLES or args.sandbox or args.allow_private:
        return fail("--origin, --articles, --sandbox and --allow-private go with --live", 2)
    from crawler.commands.progressbar import Progress
    from crawler.site.check import check_sites

    progress = Progress("check", enabled=args.progress)
    try:
        results = check_sites(args.names, profiles_dir=args.profiles, fixtures=args.fixtures, update=args.update,
                              tick=progress.advance)
    except (ProfileError, FixtureError) as exc:
        return fail(str(exc), 2)
    finally:
        progress.close()
    print("\n".join(r.report() for r in results))
    return 0 if all(r.ok for r in results) else 1


def _run_live(args: argparse.Namespace) -> int:
    from crawler.runner import resolve_targets
    from crawler.site.check import select_profiles
    from crawler.site.live import live_check
    from spiders.profiles import ProfileError  # lxml via the cleaners: not at CLI start-up

    try:
        names = [p.name for p in select_profiles(args.names, args.profiles)]
        profiles = resolve_targets(names, profiles_dir=args.profiles, origins=parse_origins(args.origin, names))
    except (ProfileError, CrawlOptionsError) as exc:
        return fail(str(exc), 2)
    results = live_check(profiles, args.data, fixtures=args.fixtures, allow_private=args.allow_private or args.sandbox,
                         sandbox=args.sandbox, update=args.update, articles=args.articles)
    print("\n".join(r.report() for r in results))
    return 0 if all(r.ok for r in results) else 1


def run_list(args: argparse.Namespace) -> int:
    from crawler.site.overview import format_rows, site_rows
    from spiders.profiles import ProfileError, load_profiles  # lxml via the cleaners: not at CLI start-up

    try:
        profiles = load_profiles(args.profiles)
    except ProfileError as exc:
        return fail(str(exc), 2)
    rows = site_rows(profiles, args.data, args.fixtures)
    if args.json:
        import dataclasses
        import json

        print(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        print(format_rows(rows))
    return 0
