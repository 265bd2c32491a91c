"""Read-only queries behind the review app's pages: sites, crawls, the record search, one record.

The connection is opened read-only (``mode=ro``): the app cannot change the catalog, whatever a
request asks.  The search filters on indexed expressions where there are some (site, speaker,
date: migrations 005/006) and pages with LIMIT/OFFSET over the ``records_site`` index order, one
row more than a page to know whether a next page exists, so no page costs a count of the table.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import history
from corpus.catalog import CATALOG_NAME

__all__ = ["connect", "Search", "PAGE_SIZE", "sites", "crawls", "search", "record", "versions", "events", "health",
           "site_names"]

PAGE_SIZE = 50
MAX_PAGE = 10_000
"""Pages past this are refused (an OFFSET that deep is a scan, and nobody reads that far)."""


def connect(data: Path) -> sqlite3.Connection:
    """The catalog of ``data``, read-only; FileNotFoundError if there is none."""
    path = data / CATALOG_NAME
    if not path.exists():
        raise FileNotFoundError(f"no catalog at {path}: run `speechcrawl crawl` first")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def health(data: Path, site: str, crawl_id: str, stats: dict[str, Any]) -> list[str]:
    """The health warnings of one site's crawl: from its JSON report, else from the stored stats."""
    try:
        report = json.loads((data / "reports" / f"{site}-{crawl_id}.json").read_text(encoding="utf-8"))
        return [str(w) for w in report.get("warnings") or []]
    except (OSError, ValueError, AttributeError):
        return [str(w) for w in stats.get("speechcrawl/health/warnings") or []]


def sites(conn: sqlite3.Connection, data: Path) -> list[dict[str, Any]]:
    """Per site: its last crawl, that crawl's warnings and gone pages, the records it holds (latest versions).

    Counted without reading the records' JSON: on 100,000 records that is the difference between
    a few milliseconds and seconds (docs/report.md, "Review app").
    """
    counts = {r[0]: r[1] for r in conn.execute("SELECT site, COUNT(*) FROM records WHERE is_latest = 1 GROUP BY site")}
    out = []
    for row in conn.execute("SELECT c.* FROM crawls c WHERE c.started_at = (SELECT MAX(started_at) FROM crawls d"
                            " WHERE d.site = c.site) GROUP BY c.site ORDER BY c.site"):
        stats = json.loads(row["stats"]) if row["stats"] else {}
        gone = conn.execute("SELECT COUNT(DISTINCT url) FROM record_events WHERE crawl_id = ? AND site = ?"
                            " AND event = 'gone'", (row["id"], row["site"])).fetchone()[0]
        out.append({"site": row["site"], "crawl_id": row["id"], "finished_at": row["finished_at"],
                    "status": row["status"], "records": counts.get(row["site"], 0), "gone": gone,
                    "warnings": health(data, row["site"], row["id"], stats)})
    return out


def crawls(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every (crawl, site), newest first, with pages and documents new / changed / unchanged / gone."""
    pages = {(r[0], r[1]): r[2] for r in conn.execute("SELECT crawl_id, site, COUNT(*) FROM fetches"
                                                      " GROUP BY crawl_id, site")}
    failed = {(r[0], r[1]): r[2] for r in conn.execute("SELECT crawl_id, site, COUNT(*) FROM failures"
                                                       " GROUP BY crawl_id, site")}
    events: dict[str, dict[str, dict[str, int]]] = {}
    out = []
    for row in conn.execute("SELECT id, site, started_at, finished_at, status FROM crawls"
                            " ORDER BY started_at DESC, id DESC, site"):
        if row["id"] not in events:
            events[row["id"]] = history.crawl_counts(conn, row["id"])
        out.append({**dict(row), "pages": pages.get((row["id"], row["site"]), 0),
                    "failures": failed.get((row["id"], row["site"]), 0),
                    **{e: events[row["id"]].get(row["site"], {}).get(e, 0)
                       for e in ("new", "changed", "unchanged", "gone")}})
    return out


@dataclass(frozen=True)
class Search:
    """The record list's filters, as the form sends them (all optional)."""

    text: str = ""
    speaker: str = ""
    site: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def where(self) -> tuple[str, list[Any]]:
        clauses, args = ["is_latest = 1"], []
        if self.site:
            clauses.append("site = ?")
            args.append(self.site)
        if self.speaker:
            clauses.append("json_extract(record, '$.speaker') = ?")
            args.append(self.speaker)
        if self.since:
            clauses.append("json_extract(record, '$.date') >= ?")
            args.append(self.since)
        if self.until:
            clauses.append("json_extract(record, '$.date') <= ?")
            args.append(self.until + "\uffff")
        if self.text:
            # instr: a literal substring, no LIKE wildcards to escape.  The stored JSON keeps CJK as is
            # (ensure_ascii=False), so a term JSON would not escape is first looked for in the raw row,
            # and only rows holding it are parsed: a search with no match scans bytes, not JSON.
            if json.dumps(self.text, ensure_ascii=False)[1:-1] == self.text:
                clauses.append("instr(record, ?) > 0")
                args.append(self.text)
            clauses.append("(instr(json_extract(record, '$.text'), ?) > 0 OR instr(json_extract(record, '$.title'),"
                           " ?) > 0)")
            args.extend([self.text, self.text])
        return " AND ".join(clauses), args


def search(conn: sqlite3.Connection, s: Search) -> tuple[list[dict[str, Any]], bool]:
    """One page of matching records (latest versions, in site / URL order) and whether there is a next page."""
    where, args = s.where()
    page = min(max(1, s.page), MAX_PAGE)
    rows = conn.execute(
        "SELECT id, site, url, version, json_extract(record, '$.title') AS title, json_extract(record, '$.speaker')"
        " AS speaker, json_extract(record, '$.date') AS date, length(json_extract(record, '$.text')) AS chars"
        f" FROM records WHERE {where} ORDER BY site, url, part_index LIMIT ? OFFSET ?",
        [*args, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE]).fetchall()
    return [dict(r) for r in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def record(conn: sqlite3.Connection, record_id: str, version: int | None = None) -> dict[str, Any] | None:
    """The record (its latest version, or ``version``) with its catalog columns, or None."""
    sql = "SELECT * FROM records WHERE id = ? AND " + ("version = ?" if version is not None else "is_latest = 1")
    row = conn.execute(sql, (record_id, version) if version is not None else (record_id,)).fetchone()
    if row is None:
        return None
    return {**json.loads(row["record"]), "_version": row["version"], "_crawl_id": row["crawl_id"],
            "_cleaned_with": row["cleaned_with"], "_rowid_key": row["id"]}


def versions(conn: sqlite3.Connection, record_id: str) -> list[dict[str, Any]]:
    """Every version of a record, oldest first, with the crawl that stored it and the events of every crawl."""
    rows = conn.execute("SELECT version, crawl_id, fetched_at, is_latest, json_extract(record, '$.text') AS text,"
                        " json_extract(record, '$.gone') AS gone FROM records WHERE id = ? ORDER BY version",
                        (record_id,))
    return [dict(r) for r in rows]


def events(conn: sqlite3.Connection, record_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute("SELECT crawl_id, event, version, at FROM record_events WHERE id = ?"
                                          " ORDER BY at, crawl_id", (record_id,))]


def site_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT site FROM crawls ORDER BY site")]
