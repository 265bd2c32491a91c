"""``speechcrawl crawls`` and ``speechcrawl crawls show ID``: what the catalog knows about each crawl.

Kept deliberately small (one query per table): the list of crawls with their counts, and for one
crawl its sites and every page that failed, with status and reason, so an operator sees at a
glance what a night's crawl could not get and why.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus import history
from corpus.catalog import CATALOG_NAME, Catalog, open_existing
from crawler.commands._common import add_data_argument, add_json_argument, add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "crawls", help="list crawls, or show one crawl and its failed pages",
                   description="Crawls recorded in the catalog of a data directory, newest first: pages fetched; "
                               "documents new, changed, unchanged and gone (taken down) against earlier crawls; "
                               "pages failed; WARC megabytes; duration. `crawls show ID` lists each site of one "
                               "crawl, its gone pages, and every failed page with its HTTP status and reason.",
                   examples="  speechcrawl crawls --data data\n  speechcrawl crawls --data data --json\n"
                            "  speechcrawl crawls show 20260101T020000000Z --data data")
    add_data_argument(p)
    add_json_argument(p)
    p.set_defaults(handler=run_list)
    inner = p.add_subparsers(dest="crawls_command", metavar="ACTION")
    show = add_parser(inner, "show", help="one crawl: its sites and failed pages",
                      description="One crawl: status and counts per site, then its gone pages and every failed page.",
                      examples="  speechcrawl crawls show 20260101T020000000Z --data data\n"
                               "  speechcrawl crawls show 20260101T020000000Z --data data --json")
    show.add_argument("crawl_id", metavar="ID")
    add_data_argument(show, default=argparse.SUPPRESS)
    add_json_argument(show)
    show.set_defaults(handler=run_show)


def _open(data: Path) -> Catalog:
    """The catalog of ``data``; CatalogError (a clear message, exit 1) when it is missing or damaged."""
    return open_existing(data / CATALOG_NAME)


def _counts(conn: sqlite3.Connection, table: str, crawl_id: str | None = None) -> dict[tuple[str, str], int]:
    """Rows of ``table`` per (crawl id, site)."""
    sql = f"SELECT crawl_id, site, COUNT(*) FROM {table}"  # table is one of three literals below
    rows = conn.execute(sql + " WHERE crawl_id = ? GROUP BY crawl_id, site" if crawl_id else
                        sql + " GROUP BY crawl_id, site", (crawl_id,) if crawl_id else ())
    return {(r[0], r[1]): r[2] for r in rows}


def _gone_urls(conn: sqlite3.Connection, crawl_id: str | None) -> set[tuple[str, str, str]]:
    """(crawl id, site, url) of the pages each crawl found taken down (listed apart from failures)."""
    sql = "SELECT DISTINCT crawl_id, site, url FROM record_events WHERE event = 'gone'"
    rows = conn.execute(sql + " AND crawl_id = ?" if crawl_id else sql, (crawl_id,) if crawl_id else ())
    return {(r[0], r[1], r[2]) for r in rows}


def _seconds(started: str, finished: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds() if finished else None
    except ValueError:
        return None


def crawl_rows(catalog: Catalog, crawl_id: str | None = None) -> list[dict[str, Any]]:
    """One dict per (crawl, site): status, times, pages, documents new/changed/unchanged/gone, failures, bytes."""
    sql = "SELECT id, site, started_at, finished_at, status, stats FROM crawls"
    rows = catalog.conn.execute(sql + " WHERE id = ? ORDER BY site" if crawl_id else
                                sql + " ORDER BY started_at DESC, id DESC, site", (crawl_id,) if crawl_id else ())
    counts = {table: _counts(catalog.conn, table, crawl_id) for table in ("fetches", "records")}
    gone = _gone_urls(catalog.conn, crawl_id)
    failed_gone: dict[tuple[str, str], int] = {}
    for f in catalog.failures(crawl_id):
        if (f["crawl_id"], f["site"], f["url"]) not in gone:
            key = (f["crawl_id"], f["site"])
            failed_gone[key] = failed_gone.get(key, 0) + 1
    events: dict[str, dict[str, dict[str, int]]] = {}
    out = []
    for r in rows:
        if r["id"] not in events:
            events[r["id"]] = history.crawl_counts(catalog.conn, r["id"])
        documents = events[r["id"]].get(r["site"], {})
        stats = json.loads(r["stats"]) if r["stats"] else {}
        out.append({**{k: r[k] for k in ("id", "site", "started_at", "finished_at", "status")},
                    **{t: c.get((r["id"], r["site"]), 0) for t, c in counts.items()},
                    **{e: documents.get(e, 0) for e in ("new", "changed", "unchanged", "gone")},
                    "failures": failed_gone.get((r["id"], r["site"]), 0),
                    "bytes": int(stats.get("speechcrawl/warc/bytes", 0) or 0),
                    "seconds": _seconds(r["started_at"], r["finished_at"]),
                    # A distributed crawl (docs/distributed.md): what each worker fetched, cleaned and failed.
                    "workers": dict(stats.get("workers") or {})})
    return out


_COLUMNS = ("pages", "new", "changed", "unchanged", "gone", "failed", "MB", "seconds")


def _table(rows: list[dict[str, Any]], first: str) -> str:
    lines = [f"{first:<22} {'site':<14} {'status':<22} {'started':<25} "
             + " ".join(f"{c:>{max(6, len(c))}}" for c in _COLUMNS)]
    for r in rows:
        values = [r["fetches"], r["new"], r["changed"], r["unchanged"], r["gone"], r["failures"],
                  f"{r['bytes'] / 1e6:.1f}", "-" if r["seconds"] is None else f"{r['seconds']:.0f}"]
        lines.append(f"{r['id'] if first == 'crawl' else '':<22} {r['site']:<14} {r['status']:<22} "
                     f"{r['started_at']:<25} " + " ".join(f"{v:>{max(6, len(c))}}" for v, c in zip(values, _COLUMNS,
                                                                                                 strict=True)))
        for worker, c in sorted(r["workers"].items()):
            ended = f", {c['closed']}" if c.get("closed") else ""
            lines.append(f"{'':<22}   worker {worker}: {c.get('pages', 0)} pages, {c.get('records', 0)} records, "
                         f"{c.get('failures', 0)} failed{ended}")
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> int:
    with closing(_open(args.data)) as catalog:
        rows = crawl_rows(catalog)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(_table(rows, "crawl") if rows else f"no crawls in {args.data}")
    if rows and not args.json:  # a hint, on stderr: stdout stays the table a script reads
        print(f"HTML reports: {args.data / 'reports'}/<site>-<crawl>.html (`speechcrawl report [CRAWL] --open`)",
              file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with closing(_open(getattr(args, "data", Path("data")))) as catalog:
        rows = crawl_rows(catalog, args.crawl_id)
        gone = _gone_urls(catalog.conn, args.crawl_id)
        failures = [f for f in catalog.failures(args.crawl_id) if (f["crawl_id"], f["site"], f["url"]) not in gone]
    if not rows:
        return fail(f"no crawl {args.crawl_id!r} in the catalog (list them with `speechcrawl crawls`)")
    if args.json:
        print(json.dumps({"id": args.crawl_id, "sites": rows, "gone": sorted(url for _, _, url in gone),
                          "failed": [{k: f[k] for k in ("site", "url", "status", "kind", "reason", "at")}
                                     for f in failures]}, ensure_ascii=False, indent=1))
        return 0
    print(f"crawl {args.crawl_id}\n{_table(rows, '')}")
    for path in (args.data / "reports" / f"{r['site']}-{args.crawl_id}.html" for r in rows):
        if path.exists():
            print(f"report: {path}")
    if gone:
        print(f"\ngone pages (taken down since an earlier crawl; their records are kept): {len(gone)}")
        for _, _, url in sorted(gone):
            print(f"      {url}")
    print(f"\nfailed pages: {len(failures)}")
    for f in failures:
        status = str(f["status"]) if f["status"] is not None else "-"
        print(f"{status:>4}  {f['kind']:<18} {f['url']}\n      {f['reason']}")
    return 0
