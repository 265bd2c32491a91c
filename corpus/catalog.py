"""The catalog: a small SQLite database of crawls, fetches, failures and records.

It is derived data — ``speechcrawl reprocess`` rebuilds it from WARC files — but it
is what exports, stats and re-crawls read, so its schema changes go through
ordered, recorded migrations.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus import history

__all__ = ["Catalog", "CatalogError", "MIGRATIONS", "CATALOG_NAME", "open_existing"]

CATALOG_NAME = "catalog.sqlite"
"""The catalog's file name in a data directory (``DATA/catalog.sqlite``)."""

BUSY_TIMEOUT = 30.0
"""Seconds a connection waits for another process's write transaction before giving up."""

BUSY_ATTEMPTS = 10
"""How many times a write that found the database busy is tried again (after SQLite's own wait)."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _retry_busy(action: Callable[[], Any], *, attempts: int = BUSY_ATTEMPTS) -> Any:
    """Run ``action``; when SQLite says the database is locked, wait a little and run it again.

    SQLite's busy timeout covers most waits, but not all: a deferred transaction that must
    upgrade to a writer, or switching a fresh file to WAL while another process does, fails at
    once with "database is locked".  A catalog write is never dropped for that; after
    ``attempts`` tries (each after the busy timeout) the error is raised, never swallowed.
    """
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    raise AssertionError("unreachable")  # pragma: no cover


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


def _m002_schedules(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE schedules (
            id INTEGER PRIMARY KEY, site TEXT NOT NULL, every_seconds INTEGER NOT NULL, at TEXT,
            crawl_args TEXT NOT NULL DEFAULT '[]', scrapyd TEXT, created_at TEXT NOT NULL, next_run_at TEXT NOT NULL
        );
        CREATE TABLE schedule_runs (
            id INTEGER PRIMARY KEY, schedule_id INTEGER NOT NULL, site TEXT NOT NULL, due_at TEXT NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, crawl_id TEXT, handle TEXT, reason TEXT
        );
        CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id);
        """
    )


def _m005_export_filter_indexes(conn: sqlite3.Connection) -> None:
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


def _m003_failures_kind(conn: sqlite3.Connection) -> None:
    """One row per failed URL and crawl, with a kind: a resumed crawl re-fails a page, it does not add a row."""
    _run_script(
        conn,
        """
        ALTER TABLE failures ADD COLUMN kind TEXT NOT NULL DEFAULT 'http';
        DELETE FROM failures WHERE id NOT IN (SELECT MAX(id) FROM failures GROUP BY crawl_id, url);
        CREATE UNIQUE INDEX failures_crawl_url ON failures (crawl_id, url)
        """
    )


def _m004_fetch_warc_date(conn: sqlite3.Connection) -> None:
    """The exact WARC-Date of each fetch: a revisit names its original by id *and* date."""
    conn.execute("ALTER TABLE fetches ADD COLUMN warc_date TEXT")


def _m006_record_versions(conn: sqlite3.Connection) -> None:
    """Every version of a record kept, (id, version) the key; validators on fetches; events per crawl.

    SQLite cannot change a primary key in place, so the records table is rebuilt (its indexes
    with it).  See corpus.history for what the new columns mean.
    """
    _run_script(
        conn,
        """
        CREATE TABLE records_v (
            id TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, is_latest INTEGER NOT NULL DEFAULT 1,
            site TEXT NOT NULL, url TEXT NOT NULL, part_index INTEGER, crawl_id TEXT NOT NULL,
            fetched_at TEXT NOT NULL, text_sha1 TEXT NOT NULL, content_sha1 TEXT, cleaned_with TEXT,
            record TEXT NOT NULL, PRIMARY KEY (id, version)
        );
        INSERT INTO records_v (id, site, url, part_index, crawl_id, fetched_at, text_sha1, record)
            SELECT id, site, url, part_index, crawl_id, fetched_at, text_sha1, record FROM records;
        DROP TABLE records;
        ALTER TABLE records_v RENAME TO records;
        CREATE INDEX records_site ON records (site, url, part_index);
        CREATE INDEX records_url ON records (url, is_latest);
        CREATE INDEX records_date ON records (json_extract(record, '$.date'));
        CREATE INDEX records_fetched_day ON records (substr(fetched_at, 1, 10));
        CREATE INDEX records_speaker ON records (json_extract(record, '$.speaker'));
        ALTER TABLE fetches ADD COLUMN etag TEXT;
        ALTER TABLE fetches ADD COLUMN last_modified TEXT;
        CREATE TABLE record_events (
            crawl_id TEXT NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL, id TEXT NOT NULL, version INTEGER,
            event TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (crawl_id, id)
        );
        CREATE INDEX record_events_url ON record_events (crawl_id, site, url)
        """
    )


def _m007_schedule_zone_cron(conn: sqlite3.Connection) -> None:
    """A schedule's time zone (slots follow its wall clock across DST) and its cron expression, if any."""
    conn.execute("ALTER TABLE schedules ADD COLUMN zone TEXT")
    conn.execute("ALTER TABLE schedules ADD COLUMN cron TEXT")


def _m008_report_and_review(conn: sqlite3.Connection) -> None:
    """How long each fetch took and how big its body was (the crawl report's per-host and slowest/largest
    views; NULL in fetches written before the migration or rebuilt from WARC, which keeps neither), and
    the latest records per site counted from an index (the review app's sites page on 100,000 records).
    """
    _run_script(
        conn,
        """
        ALTER TABLE fetches ADD COLUMN elapsed_ms REAL;
        ALTER TABLE fetches ADD COLUMN body_bytes INTEGER;
        CREATE INDEX records_latest_site ON records (site) WHERE is_latest = 1
        """
    )


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_schedules", _m002_schedules),
    ("003_failures_kind", _m003_failures_kind),
    ("004_fetch_warc_date", _m004_fetch_warc_date),
    ("005_export_filter_indexes", _m005_export_filter_indexes),
    ("006_record_versions", _m006_record_versions),
    ("007_schedule_zone_cron", _m007_schedule_zone_cron),
    ("008_report_and_review", _m008_report_and_review),
]


class CatalogError(Exception):
    """A catalog that is missing or unreadable; the message names the file and what to do."""


def open_existing(path: str | Path) -> Catalog:
    """Open the catalog at ``path`` only if it exists and is a SQLite database.

    Read-only commands use this instead of :class:`Catalog`, which creates a missing file:
    a mistyped ``--data`` must not leave an empty catalog behind, and a damaged file must
    say which file and how to get it back (the WARC files are the source of truth).
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"no catalog at {path}: run `speechcrawl crawl` first")
    damaged = (f"{path} is not a readable speechcrawl catalog ({{}}); move it aside and rebuild it from the "
               f"WARC files with `speechcrawl reprocess --data {path.parent}`")
    try:
        probe = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
        try:
            probe.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
        return Catalog(path)
    except sqlite3.OperationalError as exc:  # locked, unreadable: the file itself may be fine
        raise CatalogError(f"cannot open the catalog {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        raise CatalogError(damaged.format(exc)) from None


class Catalog:
    """SQLite catalog at ``path`` (``":memory:"`` for tests); migrations applied on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Several processes share a catalog (crawls, scheduler, export): wait for a writer, don't fail.
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT)
        try:
            self.conn.row_factory = sqlite3.Row
            _retry_busy(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))
            self.conn.execute("PRAGMA synchronous=NORMAL")
            _retry_busy(self._migrate)
        except sqlite3.Error:
            self.conn.close()
            raise

    def _migrate(self) -> None:
        """Apply the missing migrations, holding the write lock from reading the applied set to the last one.

        Several processes may open a fresh catalog at once (a crawl per site, the scheduler): without
        the lock, two would read "nothing applied" and the second would fail creating tables.
        """
        applied = "SELECT name FROM _speechcrawl_migrations"
        exists = self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_speechcrawl_migrations'").fetchone()
        if exists and {r[0] for r in self.conn.execute(applied)} >= {name for name, _ in MIGRATIONS}:
            return  # the common case: nothing to do, no write lock taken
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("CREATE TABLE IF NOT EXISTS _speechcrawl_migrations "
                              "(name TEXT PRIMARY KEY, applied_at TEXT)")
            done = {r[0] for r in self.conn.execute(applied)}
            for name, migration in MIGRATIONS:
                if name not in done:
                    migration(self.conn)
                    self.conn.execute("INSERT INTO _speechcrawl_migrations VALUES (?, datetime('now'))", (name,))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def close(self) -> None:
        self.conn.close()

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        """One write statement; outside a transaction, retried while another process holds the database."""
        if self.conn.in_transaction:
            self.conn.execute(sql, args)
        else:
            _retry_busy(lambda: self.conn.execute(sql, args))

    # -- crawls -------------------------------------------------------------------------
    def start_crawl(self, crawl_id: str, site: str, started_at: str) -> None:
        self._write("INSERT OR IGNORE INTO crawls (id, site, started_at) VALUES (?, ?, ?)",
                    (crawl_id, site, started_at))

    def finish_crawl(self, crawl_id: str, site: str, finished_at: str, status: str,
                     stats: Mapping[str, Any]) -> None:
        self._write("UPDATE crawls SET finished_at = ?, status = ?, stats = ? WHERE id = ? AND site = ?",
                    (finished_at, status, json.dumps(stats, default=str), crawl_id, site))

    def set_crawl_stats(self, crawl_id: str, site: str, stats: Mapping[str, Any]) -> None:
        """Replace a running crawl's stats (a distributed crawl's writer keeps its per-worker counts there)."""
        self._write("UPDATE crawls SET stats = ? WHERE id = ? AND site = ?",
                    (json.dumps(stats, default=str), crawl_id, site))

    def crawls(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM crawls ORDER BY started_at, site")]

    def site_crawls(self, site: str) -> list[dict[str, Any]]:
        """Crawls of one site, newest first, with ``stats`` decoded (health is judged from them)."""
        rows = self.conn.execute("SELECT * FROM crawls WHERE site = ? ORDER BY started_at DESC, id DESC", (site,))
        return [{**dict(r), "stats": json.loads(r["stats"]) if r["stats"] else {}} for r in rows]

    # -- fetches and failures ------------------------------------------------------------
    def add_fetch(self, **row: Any) -> None:
        cols = ", ".join(row)
        self._write(f"INSERT INTO fetches ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))

    def add_failure(self, *, crawl_id: str, site: str, url: str, status: int | None, reason: str, at: str,
                    kind: str = "http") -> None:
        """Record that ``url`` failed in this crawl; a later failure of the same URL replaces the row."""
        self._write(
            "INSERT INTO failures (crawl_id, site, url, status, reason, at, kind) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (crawl_id, url) DO UPDATE SET site = excluded.site, status = excluded.status,"
            " reason = excluded.reason, at = excluded.at, kind = excluded.kind",
            (crawl_id, site, url, status, reason, at, kind))

    def has_fetch(self, url: str, warc_record_id: str) -> bool:
        """Whether this response record is listed already (a record writer may be handed it twice)."""
        return self.conn.execute("SELECT 1 FROM fetches WHERE url = ? AND warc_record_id = ?",
                                 (url, warc_record_id)).fetchone() is not None

    def clear_failure(self, crawl_id: str, url: str) -> None:
        """``url`` was fetched fine after all (a retry in a resumed crawl): it is no longer a failure."""
        self._write("DELETE FROM failures WHERE crawl_id = ? AND url = ?", (crawl_id, url))

    def fetched_urls(self, crawl_id: str | None = None) -> list[str]:
        if crawl_id is None:
            return [r[0] for r in self.conn.execute("SELECT url FROM fetches ORDER BY id")]
        return [r[0] for r in self.conn.execute("SELECT url FROM fetches WHERE crawl_id = ? ORDER BY id", (crawl_id,))]

    def archived_payloads(self, site: str) -> Iterator[tuple[str, str, str, str, str]]:
        """(url, payload digest, record id, WARC-Date, file name) of each full response of ``site``.

        What a new crawl may write revisit records against instead of storing a payload again.
        """
        yield from self.conn.execute(
            "SELECT url, payload_digest, warc_record_id, warc_date, warc_filename FROM fetches WHERE site = ?"
            " AND revisit_of IS NULL AND warc_date IS NOT NULL AND payload_digest IS NOT NULL"
            " AND warc_record_id IS NOT NULL ORDER BY id", (site,))

    def failures(self, crawl_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM failures", ()
        if crawl_id is not None:
            sql, args = sql + " WHERE crawl_id = ?", (crawl_id,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    # -- records -----------------------------------------------------------------------------
    def put_record(self, record: Mapping[str, Any], *, crawl_id: str, text_sha1: str, cleaned_with: str = "") -> str:
        """Store ``record`` as its first or next version, or note it unchanged (corpus.history); the event."""
        return history.store_record(self.conn, record, crawl_id=crawl_id, text_sha1=text_sha1,
                                    cleaned_with=cleaned_with)

    def mark_gone(self, url: str, *, crawl_id: str, status: int, at: str) -> int:
        return history.mark_gone(self.conn, url, crawl_id=crawl_id, status=status, at=at)

    def iter_records(self, site: str | None = None, *, versions: str = "latest") -> Iterator[dict[str, Any]]:
        clauses = (["site = ?"] if site is not None else []) + (["is_latest = 1"] if versions == "latest" else [])
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        args = (site,) if site is not None else ()
        for (raw,) in self.conn.execute(f"SELECT record FROM records{where} ORDER BY site, url, part_index, version",
                                        args):
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
            # IMMEDIATE: take the write lock now, waiting for it (busy timeout, then retries); a deferred
            # BEGIN that upgrades later fails at once when another process wrote meanwhile.
            _retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            self.outer = True
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
