"""``speechcrawl report [CRAWL] [--data DIR] [--open]``: (re)write a crawl's HTML reports and say where they are."""

from __future__ import annotations

import argparse

from crawler.commands._common import add_data_argument, add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "report", help="write a crawl's HTML report (one file per site) and print its path",
                   description="Write DATA/reports/<site>-<crawl id>.html for every site of CRAWL (default: the "
                               "latest crawl) from the catalog and the health reports, and print the paths. Each "
                               "file is self-contained (inline CSS and SVG charts): it works offline, from file://, "
                               "and printed. Crawls write their report when they end; this rewrites it.",
                   examples="  speechcrawl report --data data\n"
                            "  speechcrawl report 20260101T020000000Z --data data --open")
    p.add_argument("crawl_id", metavar="CRAWL", nargs="?", help="crawl id (see `speechcrawl crawls`)")
    add_data_argument(p)
    p.add_argument("--open", action="store_true", help="open the report(s) in the default web browser")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sqlite3
    import webbrowser
    from contextlib import closing

    from corpus.catalog import CATALOG_NAME, Catalog
    from crawler.report import write_crawl_reports
    from crawler.report.data import latest_crawl_id

    if not (args.data / CATALOG_NAME).exists():
        return fail(f"no catalog at {args.data / CATALOG_NAME}: run `speechcrawl crawl` first")
    try:
        with closing(Catalog(args.data / CATALOG_NAME)) as catalog:
            crawl_id = args.crawl_id or latest_crawl_id(catalog.conn)
            if crawl_id is None:
                return fail(f"no crawls in {args.data}")
            paths = write_crawl_reports(catalog.conn, args.data, crawl_id)
    except KeyError as exc:
        return fail(f"{exc.args[0]} (list them with `speechcrawl crawls`)")
    except (OSError, sqlite3.Error) as exc:
        return fail(str(exc))
    for path in paths:
        print(path)
        if args.open:
            webbrowser.open(path.resolve().as_uri())
    return 0
