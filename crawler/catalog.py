"""The catalog: a small SQLite database of crawls, fetches, failures and records.

It is derived data — ``speechcrawl reprocess`` rebuilds it from WARC files — but it
is what exports, stats and re-crawls read, so its schema changes go through
ordered, recorded migrations.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Catalog", "MIGRATIONS"]


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Statement by statement: ``executescript`` would COMMIT and break the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _m001_initial(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE crawls (
            id TEXT NOT NULL, site TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running', stats TEXT,
            PRIMARY KEY (id, site)
        );
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY, crawl_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL,
            status INTEGER NOT NULL, fetched_at TEXT NOT NULL, content_type TEXT,
            warc_filename TEXT, warc_offset INTEGER, warc_length INTEGER, warc_record_id TEXT,
            payload_digest TEXT, revisit_of TEXT
        );
        CREATE INDEX fetches_url ON fetches (url);
        CREATE INDEX fetches_crawl ON fetches (crawl_id, site);
        CREATE TABLE failures (
            id INTEGER PRIMARY KEY, crawl_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL,
            status INTEGER, reason TEXT NOT NULL, at TEXT NOT NULL
        );
        CREATE TABLE records (
            id TEXT PRIMARY KEY, site TEXT NOT NULL, url TEXT NOT NULL, part_index INTEGER,
            crawl_id TEXT NOT NULL, fetched_at TEXT NOT NULL, text_sha1 TEXT NOT NULL, record TEXT NOT NULL
        );
        CREATE INDEX records_site ON records (site, url, part_index);
        """
    )


def _m002_exports_filter_indexes(conn: sqlite3.Connection) -> None:
    """Indexes on the expressions export filters use (--since/--until by date or fetch day, --speaker).

    Expression indexes, not new columns: the stored record stays the one source of the
    values, and nothing that writes records has to change.
    """
    _run_script(
        conn,
        """
        CREATE INDEX records_date ON records (json_extract(record, '$.date'));
        CREATE INDEX records_fetched_day ON records (substr(fetched_at, 1, 10));
        CREATE INDEX records_speaker ON records (json_extract(record, '$.speaker'));
        """
    )


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_exports_filter_indexes", _m002_exports_filter_indexes),
]


class Catalog:
    """SQLite catalog at ``path`` (``":memory:"`` for tests); migrations applied on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS _speechcrawl_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {r[0] for r in self.conn.execute("SELECT name FROM _speechcrawl_migrations")}
        for name, migration in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                migration(self.conn)
                self.conn.execute("INSERT INTO _speechcrawl_migrations VALUES (?, datetime('now'))", (name,))

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def close(self) -> None:
        self.conn.close()

    # -- crawls -------------------------------------------------------------------------
    def start_crawl(self, crawl_id: str, site: str, started_at: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO crawls (id, site, started_at) VALUES (?, ?, ?)",
                          (crawl_id, site, started_at))

    def finish_crawl(self, crawl_id: str, site: str, finished_at: str, status: str,
                     stats: Mapping[str, Any]) -> None:
        self.conn.execute("UPDATE crawls SET finished_at = ?, status = ?, stats = ? WHERE id = ? AND site = ?",
                          (finished_at, status, json.dumps(stats, default=str), crawl_id, site))

    def crawls(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM crawls ORDER BY started_at, site")]

    # -- fetches and failures ------------------------------------------------------------
    def add_fetch(self, **row: Any) -> None:
        cols = ", ".join(row)
        self.conn.execute(f"INSERT INTO fetches ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))

    def add_failure(self, *, crawl_id: str, site: str, url: str, status: int | None, reason: str, at: str) -> None:
        self.conn.execute("INSERT INTO failures (crawl_id, site, url, status, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
                          (crawl_id, site, url, status, reason, at))

    def fetched_urls(self, crawl_id: str | None = None) -> list[str]:
        if crawl_id is None:
            return [r[0] for r in self.conn.execute("SELECT url FROM fetches ORDER BY id")]
        return [r[0] for r in self.conn.execute("SELECT url FROM fetches WHERE crawl_id = ? ORDER BY id", (crawl_id,))]

    def failures(self, crawl_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM failures", ()
        if crawl_id is not None:
            sql, args = sql + " WHERE crawl_id = ?", (crawl_id,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    # -- records -----------------------------------------------------------------------------
    def put_record(self, record: Mapping[str, Any], *, crawl_id: str, text_sha1: str) -> None:
        part = record.get("part")
        self.conn.execute(
            "INSERT OR REPLACE INTO records (id, site, url, part_index, crawl_id, fetched_at, text_sha1, record)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (record["id"], record["site"], record["url"], part["index"] if part else None, crawl_id,
             record["fetched_at"], text_sha1, json.dumps(record, ensure_ascii=False)),
        )

    def iter_records(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        sql, args = "SELECT record FROM records", ()
        if site is not None:
            sql, args = sql + " WHERE site = ?", (site,)
        for (raw,) in self.conn.execute(sql + " ORDER BY site, url, part_index", args):
            yield json.loads(raw)

    def count(self, table: str) -> int:
        if table not in {"records", "fetches", "failures", "crawls"}:
            raise ValueError(f"unknown table {table!r}")
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


class _Transaction:
    """``with catalog.transaction():`` — BEGIN/COMMIT, ROLLBACK on error; nesting is flattened."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
            self.outer = True
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
