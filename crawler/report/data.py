"""What the crawl report shows, gathered from the catalog and the health monitor's JSON report.

A plain data object, so the template holds no queries and tests can check the figures apart
from how they are drawn.  Every query is bounded (per crawl and site, top-N lists with LIMIT).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corpus import history

__all__ = ["CrawlReport", "gather", "latest_crawl_id", "TOP", "HISTORY"]

TOP = 10
"""Rows in the slowest / largest lists and examples per warning."""
HISTORY = 10
"""Earlier crawls of the site the records chart compares with."""
BINS = 24
"""Bars of the pages-over-time chart at most."""


@dataclass
class CrawlReport:
    """One site's crawl, as the report shows it."""

    site: str
    crawl_id: str
    started_at: str
    finished_at: str | None
    status: str
    seconds: float | None
    pages: int
    bytes: int
    failures: list[dict[str, Any]]
    events: dict[str, int]
    statuses: list[tuple[str, int]]
    timeline: list[tuple[str, int]]
    hosts: list[dict[str, Any]]
    history: list[tuple[str, int]]
    warnings: list[dict[str, Any]]
    slowest: list[dict[str, Any]]
    largest: list[dict[str, Any]]
    generated_at: str = ""
    previous_crawl: str | None = None
    links_over_limit: int = 0
    """Links not followed because a page had more than SPEECHCRAWL_MAX_LINKS_PER_PAGE."""

    @property
    def host_bytes(self) -> list[tuple[str, int]]:
        return [(h["host"], h["bytes"]) for h in self.hosts]

    @property
    def host_ms(self) -> list[tuple[str, int]]:
        return [(h["host"], round(h["mean_ms"])) for h in self.hosts if h["mean_ms"] is not None]


def latest_crawl_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT id FROM crawls ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None


def _seconds(started: str, finished: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds() if finished else None
    except ValueError:
        return None


def _timeline(times: list[str]) -> list[tuple[str, int]]:
    """Fetches per interval: at most BINS bars of equal width from the first fetch to the last."""
    stamps = sorted(datetime.fromisoformat(t).timestamp() for t in times)
    if not stamps:
        return []
    start, span = stamps[0], stamps[-1] - stamps[0]
    width = max(1.0, span / BINS)
    bins = [0] * (int(span // width) + 1)
    for s in stamps:
        bins[min(len(bins) - 1, int((s - start) // width))] += 1
    return [(f"+{i * width:.0f}s", n) for i, n in enumerate(bins)]


def _examples(conn: sqlite3.Connection, crawl_id: str, site: str, warning: str, failures: list[dict[str, Any]]
              ) -> list[str]:
    """URLs showing what a health warning is about (the failed pages, the leaking record, empty fields...)."""
    if warning.startswith("errors:"):
        return [f["url"] for f in failures[:TOP]]
    if warning.startswith("leaks:"):
        return [w for w in warning.replace("(", " ").replace(")", " ").split() if w.startswith(("http://", "https://"))]
    sql = "SELECT DISTINCT url FROM records WHERE crawl_id = ? AND site = ?"
    if warning.startswith("metadata field"):
        name = warning.split("'")[1] if "'" in warning else ""
        sql += f" AND COALESCE(json_extract(record, '$.{name}'), '') = ''" if name.isidentifier() else ""
    return [r[0] for r in conn.execute(sql + f" ORDER BY url LIMIT {TOP}", (crawl_id, site))]


def _health(data: Path, site: str, crawl_id: str) -> dict[str, Any]:
    path = data / "reports" / f"{site}-{crawl_id}.json"
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _fetch_rows(conn: sqlite3.Connection, crawl_id: str, site: str, order: str) -> list[dict[str, Any]]:
    sql = ("SELECT url, status, elapsed_ms, body_bytes, content_type FROM fetches WHERE crawl_id = ? AND site = ?"
           f" AND {order} IS NOT NULL ORDER BY {order} DESC, id LIMIT {TOP}")  # order: one of two literals
    return [dict(r) for r in conn.execute(sql, (crawl_id, site))]


def _hosts(conn: sqlite3.Connection, crawl_id: str, site: str) -> list[dict[str, Any]]:
    hosts: dict[str, dict[str, Any]] = {}
    for url, elapsed, size in conn.execute("SELECT url, elapsed_ms, body_bytes FROM fetches WHERE crawl_id = ?"
                                           " AND site = ?", (crawl_id, site)):
        h = hosts.setdefault(urlsplit(url).netloc, {"host": urlsplit(url).netloc, "pages": 0, "bytes": 0,
                                                     "ms": 0.0, "timed": 0})
        h["pages"] += 1
        h["bytes"] += size or 0
        if elapsed is not None:
            h["ms"] += elapsed
            h["timed"] += 1
    for h in hosts.values():
        h["mean_ms"] = h["ms"] / h["timed"] if h["timed"] else None
    return sorted(hosts.values(), key=lambda h: (-h["pages"], h["host"]))


def gather(conn: sqlite3.Connection, data: Path, crawl_id: str, site: str) -> CrawlReport:
    """The report of ``site`` in ``crawl_id``; KeyError if the catalog has no such crawl."""
    row = conn.execute("SELECT * FROM crawls WHERE id = ? AND site = ?", (crawl_id, site)).fetchone()
    if row is None:
        raise KeyError(f"no crawl {crawl_id!r} of site {site!r} in the catalog")
    stats = json.loads(row["stats"]) if row["stats"] else {}
    gone = {r[0] for r in conn.execute("SELECT url FROM record_events WHERE crawl_id = ? AND site = ? AND event = 'gone'",
                                       (crawl_id, site))}
    failures = [dict(r) for r in conn.execute("SELECT url, status, kind, reason FROM failures WHERE crawl_id = ?"
                                              " AND site = ? ORDER BY id", (crawl_id, site)) if r["url"] not in gone]
    times = [r[0] for r in conn.execute("SELECT fetched_at FROM fetches WHERE crawl_id = ? AND site = ?",
                                        (crawl_id, site))]
    statuses = [(str(r[0]), int(r[1])) for r in conn.execute(
        "SELECT status, COUNT(*) FROM fetches WHERE crawl_id = ? AND site = ? GROUP BY status ORDER BY status",
        (crawl_id, site))]
    earlier = conn.execute("SELECT id FROM crawls WHERE site = ? AND (started_at < ? OR (started_at = ? AND id <= ?))"
                           f" ORDER BY started_at DESC, id DESC LIMIT {HISTORY + 1}",
                           (site, row["started_at"], row["started_at"], crawl_id)).fetchall()
    past = [(str(r[0]), int(conn.execute("SELECT COUNT(*) FROM record_events WHERE crawl_id = ? AND site = ?"
                                         " AND event != 'gone'", (r[0], site)).fetchone()[0])) for r in earlier]
    health = _health(data, site, crawl_id)
    warnings = [{"text": str(w), "examples": _examples(conn, crawl_id, site, str(w), failures)}
                for w in health.get("warnings") or stats.get("speechcrawl/health/warnings") or []]
    return CrawlReport(
        site=site, crawl_id=crawl_id, started_at=row["started_at"], finished_at=row["finished_at"],
        status=row["status"], seconds=_seconds(row["started_at"], row["finished_at"]), pages=len(times),
        bytes=int(stats.get("speechcrawl/warc/bytes", 0) or 0), failures=failures,
        events=history.crawl_counts(conn, crawl_id).get(site, dict.fromkeys(("new", "changed", "unchanged", "gone"), 0)),
        statuses=statuses, timeline=_timeline(times), hosts=_hosts(conn, crawl_id, site), history=past[::-1],
        warnings=warnings, slowest=_fetch_rows(conn, crawl_id, site, "elapsed_ms"),
        largest=_fetch_rows(conn, crawl_id, site, "body_bytes"), previous_crawl=health.get("previous_crawl"),
        links_over_limit=int(stats.get("speechcrawl/spider/links_over_limit", 0) or 0))
