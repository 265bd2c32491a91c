"""``speechcrawl crawls`` and ``speechcrawl crawls show ID``: what the catalog knows about each crawl.

Kept deliberately small (one query per table): the list of crawls with their counts, and for one
crawl its sites and every page that failed, with status and reason, so an operator sees at a
glance what a night's crawl could not get and why.
"""

from __future__ import annotations

import argparse
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from crawler.catalog import Catalog
from crawler.commands._common import add_parser, fail
from crawler.paths import CATALOG_NAME


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "crawls", help="list crawls, or show one crawl and its failed pages",
                   description="Crawls recorded in the catalog of a data directory, newest first, with pages "
                               "fetched, records stored and pages failed. `crawls show ID` lists each site of "
                               "one crawl and every failed page with its HTTP status and reason.",
                   examples="  speechcrawl crawls --data data\n  speechcrawl crawls show 20260101T020000000Z --data data")
    p.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: ./data)")
    p.set_defaults(handler=run_list)
    inner = p.add_subparsers(dest="crawls_command", metavar="ACTION")
    show = inner.add_parser("show", help="one crawl: its sites and failed pages",
                            description="One crawl: status and counts per site, then every failed page.")
    show.add_argument("crawl_id", metavar="ID")
    show.add_argument("--data", type=Path, default=argparse.SUPPRESS, help="data directory (default: ./data)")
    show.set_defaults(handler=run_show)


def _open(data: Path) -> Catalog:
    path = data / CATALOG_NAME
    if not path.exists():
        raise FileNotFoundError(f"no catalog at {path}: run `speechcrawl crawl` first")
    return Catalog(path)


def _counts(conn: sqlite3.Connection, table: str, crawl_id: str | None = None) -> dict[tuple[str, str], int]:
    """Rows of ``table`` per (crawl id, site)."""
    sql = f"SELECT crawl_id, site, COUNT(*) FROM {table}"  # table is one of three literals below
    rows = conn.execute(sql + " WHERE crawl_id = ? GROUP BY crawl_id, site" if crawl_id else
                        sql + " GROUP BY crawl_id, site", (crawl_id,) if crawl_id else ())
    return {(r[0], r[1]): r[2] for r in rows}


def crawl_rows(catalog: Catalog, crawl_id: str | None = None) -> list[dict[str, Any]]:
    """One dict per (crawl, site): status, times and the pages / records / failures counts."""
    sql = "SELECT id, site, started_at, finished_at, status FROM crawls"
    rows = catalog.conn.execute(sql + " WHERE id = ? ORDER BY site" if crawl_id else
                                sql + " ORDER BY started_at DESC, id DESC, site", (crawl_id,) if crawl_id else ())
    counts = {table: _counts(catalog.conn, table, crawl_id) for table in ("fetches", "records", "failures")}
    return [{**dict(r), **{t: c.get((r["id"], r["site"]), 0) for t, c in counts.items()}} for r in rows]


def _table(rows: list[dict[str, Any]], first: str) -> str:
    lines = [f"{first:<22} {'site':<14} {'status':<22} {'started':<25} {'pages':>6} {'records':>7} {'failed':>6}"]
    for r in rows:
        lines.append(f"{r['id'] if first == 'crawl' else '':<22} {r['site']:<14} {r['status']:<22} "
                     f"{r['started_at']:<25} {r['fetches']:>6} {r['records']:>7} {r['failures']:>6}")
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> int:
    try:
        catalog = _open(args.data)
    except FileNotFoundError as exc:
        return fail(str(exc))
    with closing(catalog):
        rows = crawl_rows(catalog)
    print(_table(rows, "crawl") if rows else f"no crawls in {args.data}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    try:
        catalog = _open(getattr(args, "data", Path("data")))
    except FileNotFoundError as exc:
        return fail(str(exc))
    with closing(catalog):
        rows = crawl_rows(catalog, args.crawl_id)
        failures = catalog.failures(args.crawl_id)
    if not rows:
        return fail(f"no crawl {args.crawl_id!r} in the catalog (list them with `speechcrawl crawls`)")
    print(f"crawl {args.crawl_id}\n{_table(rows, '')}\n\nfailed pages: {len(failures)}")
    for f in failures:
        status = str(f["status"]) if f["status"] is not None else "-"
        print(f"{status:>4}  {f['kind']:<18} {f['url']}\n      {f['reason']}")
    return 0
