"""``speechcrawl schedule add|list|remove`` and ``speechcrawl scheduler``."""

from __future__ import annotations

import argparse
import json
import signal
from types import FrameType

from corpus.catalog import CATALOG_NAME, Catalog, open_existing
from crawler.commands._common import (
    add_data_argument,
    add_json_argument,
    add_parser,
    check_catalog_if_present,
    fail,
)
from crawler.options import non_negative_float, non_negative_int
from crawler.scheduling.store import ScheduleError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "schedule", help="recurring crawls: add, list, remove",
                   description="Schedules live in DATA/catalog.sqlite; `speechcrawl scheduler` runs them. "
                               "See docs/scheduling.md.",
                   examples="  speechcrawl schedule add wenmi --every 1d --at 03:00\n"
                            "  speechcrawl schedule add ribao --every 12h -- --max-pages 500\n"
                            "  speechcrawl schedule list\n  speechcrawl schedule remove 3")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = add_parser(verbs, "add", help="crawl SITE every interval",
                     description="Add a schedule: `speechcrawl schedule add SITE --every N [--at HH:MM] [-- "
                                 "CRAWL OPTIONS]` or `--cron EXPR`. Options after `--` are passed to "
                                 "`speechcrawl crawl`. Without --at or --cron the first run is due at once; with "
                                 "them, at the next slot in local time (it stays put across daylight saving).",
                     examples="  speechcrawl schedule add wenmi --every 1d --at 03:00\n"
                              "  speechcrawl schedule add wenmi --cron \"0 3 * * 1-5\"\n"
                              "  speechcrawl schedule add wenmi --every 1w --scrapyd http://127.0.0.1:6800/")
    add.add_argument("site", metavar="SITE|URL", help="profile name (see `speechcrawl site list`) or a URL (generic mode)")
    add.add_argument("--every", default=None, metavar="INTERVAL", help="interval: 30m, 12h, 1d, 1w …")
    add.add_argument("--at", default=None, metavar="HH:MM", help="anchor runs to this local time of day")
    add.add_argument("--cron", default=None, metavar="EXPR",
                     help='instead of --every: a cron expression in local time, e.g. "0 3 * * 1-5"')
    add.add_argument("--scrapyd", default=None, metavar="URL", help="submit this job to a Scrapyd instead")
    add.set_defaults(passthrough=[])
    listing = add_parser(verbs, "list", help="show schedules and their last run",
                         description="One line per schedule.", examples="  speechcrawl schedule list --json")
    add_json_argument(listing)
    remove = add_parser(verbs, "remove", help="delete a schedule", description="Delete a schedule by id "
                        "(its past runs stay in the catalog).", examples="  speechcrawl schedule remove 3")
    remove.add_argument("id", type=non_negative_int, metavar="ID")
    for verb in (add, listing, remove):
        add_data_argument(verb)
    p.set_defaults(handler=run)

    s = add_parser(sub, "scheduler", help="run due crawls in the foreground",
                   description="Start the crawls of DATA's schedules when due, one at a time per site. One "
                               "scheduler per data directory (lock). SIGTERM stops it cleanly.",
                   examples="  speechcrawl scheduler --data data\n"
                            "  speechcrawl scheduler --scrapyd http://127.0.0.1:6800/")
    add_data_argument(s)
    s.add_argument("--scrapyd", default=None, metavar="URL", help="submit every job to this Scrapyd")
    s.add_argument("--max-runs", type=non_negative_int, default=None, metavar="N",
                   help="stop after starting N crawls (and waiting)")
    s.add_argument("--duration", type=non_negative_float, default=None, metavar="SECONDS",
                   help="stop after this many seconds")
    s.set_defaults(handler=run_scheduler)


def run(args: argparse.Namespace) -> int:
    from crawler.scheduling.manage import add, format_schedules, schedules_json

    path = args.data / CATALOG_NAME
    # Only `add` may create the catalog; list and remove never create data (a mistyped --data says so).
    catalog = Catalog(path) if args.verb == "add" and not path.exists() else open_existing(path)
    try:
        if args.verb == "add":
            print(add(catalog, args.site, args.every, at=args.at, cron=args.cron, scrapyd=args.scrapyd,
                      crawl_args=args.passthrough))
        elif args.verb == "list":
            print(json.dumps(schedules_json(catalog), ensure_ascii=False, indent=1) if args.json
                  else format_schedules(catalog))
        else:
            from crawler.scheduling.store import remove_schedule

            print(f"removed schedule {remove_schedule(catalog, args.id).id}")
    except ScheduleError as exc:
        return fail(str(exc), 2)
    finally:
        catalog.close()
    return 0


def run_scheduler(args: argparse.Namespace) -> int:
    from crawler.scheduling.manage import build_scheduler, run_locked

    def on_signal(signum: int, frame: FrameType | None) -> None:
        scheduler.stop.set()

    check_catalog_if_present(args.data)
    try:
        scheduler, catalog = build_scheduler(args.data, scrapyd=args.scrapyd)
    except ScheduleError as exc:
        return fail(str(exc), 2)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        started = run_locked(scheduler, args.data, max_runs=args.max_runs, duration=args.duration)
    except ScheduleError as exc:
        return fail(str(exc), 1)
    finally:
        catalog.close()
    failed = scheduler.failed_starts
    print(f"scheduler stopped: {started} crawls started" + (f", {failed} could not start" if failed else ""))
    return 1 if failed else 0
