"""Recurring crawls: schedules stored in the catalog, and the loop that starts them when due.

A schedule says "crawl SITE every N (at HH:MM)"; ``speechcrawl scheduler`` runs in the
foreground and starts due crawls, either as child ``speechcrawl crawl`` processes or as
Scrapyd jobs (:mod:`crawler.scrapyd`).  The rules an archivist relies on:

- one crawl at a time per site: a run that comes due while the previous one is still
  going is recorded as ``skipped``, never started twice;
- one scheduler per data directory: a lock file (``DATA/scheduler.lock``, ``flock``)
  makes a second scheduler on the same catalog exit instead of running jobs twice;
- a job missed while no scheduler ran (downtime) runs once, not once per missed slot;
- SIGTERM stops cleanly: no new crawl starts, running crawls get SIGTERM (Scrapy's
  graceful stop) and are waited for; the schedule's next run resumes that crawl
  (``speechcrawl crawl --resume``) instead of starting over.

Times are stored as UTC ISO strings; ``--at HH:MM`` is the machine's local time.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from crawler.catalog import Catalog

logger = logging.getLogger(__name__)

__all__ = ["Schedule", "ScheduleError", "SchedulerLock", "Scheduler", "parse_interval", "next_slot",
           "add_schedule", "list_schedules", "remove_schedule", "runs"]

_INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A bad schedule (interval, time of day, unknown id) or a scheduler that cannot start."""


def parse_interval(text: str) -> int:
    """``"1d"`` → 86400.  Units: s, m, h, d, w."""
    match = _INTERVAL.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ScheduleError(f"bad interval {text!r}: use a number and a unit, e.g. 30m, 12h, 1d, 1w")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    id: int
    site: str
    every: int
    """Seconds between runs."""
    at: str | None
    """Local time of day (HH:MM) the slots are anchored to, or None (anchored to creation)."""
    crawl_args: tuple[str, ...]
    """Extra ``speechcrawl crawl`` arguments, validated when the schedule was added."""
    scrapyd: str | None
    created_at: datetime
    next_run_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Self:
        return cls(id=row["id"], site=row["site"], every=row["every_seconds"], at=row["at"],
                   crawl_args=tuple(json.loads(row["crawl_args"])), scrapyd=row["scrapyd"],
                   created_at=datetime.fromisoformat(row["created_at"]),
                   next_run_at=datetime.fromisoformat(row["next_run_at"]))


def _anchor(created: datetime, at: str | None) -> datetime:
    if at is None:
        return created
    match = _AT.match(at)
    if match is None:
        raise ScheduleError(f"bad time of day {at!r}: use HH:MM (24-hour, local time)")
    local = created.astimezone()
    return local.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)


def next_slot(every: int, at: str | None, created: datetime, after: datetime) -> datetime:
    """The first slot (anchor + k·every, k ≥ 0) strictly after ``after``."""
    anchor = _anchor(created, at)
    if anchor > after:
        return anchor.astimezone(UTC)
    steps = int((after - anchor).total_seconds() // every) + 1
    return (anchor + timedelta(seconds=steps * every)).astimezone(UTC)


def add_schedule(catalog: Catalog, site: str, every: str, *, at: str | None = None,
                 crawl_args: Sequence[str] = (), scrapyd: str | None = None) -> Schedule:
    """Store a schedule.  Without ``at`` its first run is due at once; with it, at the next HH:MM."""
    seconds = parse_interval(every)
    created = _now()
    first = _anchor(created, at).astimezone(UTC) if at is None else next_slot(seconds, at, created, created)
    cursor = catalog.conn.execute(
        "INSERT INTO schedules (site, every_seconds, at, crawl_args, scrapyd, created_at, next_run_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (site, seconds, at, json.dumps(list(crawl_args)), scrapyd, _iso(created), _iso(first)))
    return _get(catalog, int(cursor.lastrowid or 0))


def _get(catalog: Catalog, schedule_id: int) -> Schedule:
    row = catalog.conn.execute("SELECT * FROM schedules WHERE id = ?", (schedule_id,)).fetchone()
    if row is None:
        raise ScheduleError(f"no schedule with id {schedule_id} (see `speechcrawl schedule list`)")
    return Schedule.from_row(row)


def list_schedules(catalog: Catalog) -> list[Schedule]:
    return [Schedule.from_row(r) for r in catalog.conn.execute("SELECT * FROM schedules ORDER BY id")]


def remove_schedule(catalog: Catalog, schedule_id: int) -> Schedule:
    schedule = _get(catalog, schedule_id)
    catalog.conn.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))
    return schedule


def runs(catalog: Catalog, schedule_id: int | None = None) -> list[dict[str, object]]:
    sql, args = "SELECT * FROM schedule_runs", ()
    if schedule_id is not None:
        sql, args = sql + " WHERE schedule_id = ?", (schedule_id,)
    return [dict(r) for r in catalog.conn.execute(sql + " ORDER BY id", args)]


class SchedulerLock:
    """An exclusive ``flock`` on ``DATA/scheduler.lock``, released when the process ends (even by kill -9)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "scheduler.lock"
        self._fd: int | None = None

    def __enter__(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise ScheduleError(f"another scheduler (pid {holder}) is running on {self.path.parent}; "
                                "one scheduler per data directory") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


class Launcher(Protocol):
    """Starts crawls and reports whether one is still running (local processes or Scrapyd jobs)."""

    def start(self, schedule: Schedule, crawl_id: str, *, resume: bool = False) -> str:
        """Start a crawl (``resume``: continue the stopped crawl ``crawl_id``); return a handle."""

    def running(self, handle: str) -> bool | None:
        """True while running, False when finished OK, None when it failed (or is unknown)."""

    def stop_all(self, timeout: float) -> None:
        """Ask every running crawl to stop gracefully and wait up to ``timeout`` seconds."""


class Scheduler:
    """The loop behind ``speechcrawl scheduler``: poll the catalog, start due crawls, record runs."""

    def __init__(self, catalog: Catalog, launcher_for: Callable[[Schedule], Launcher], *,
                 tick: float = 0.25, clock: Callable[[], datetime] = _now) -> None:
        self.catalog = catalog
        self.launcher_for = launcher_for
        self.tick = tick
        self.clock = clock
        self.stop = threading.Event()
        self._active: dict[str, tuple[int, Launcher, str]] = {}
        """site -> (run row id, launcher, handle) of the crawl now running for that site."""
        self._launchers: list[Launcher] = []
        self.failed_starts = 0

    def run(self, *, max_runs: int | None = None, duration: float | None = None, stop_timeout: float = 60) -> int:
        """Loop until SIGTERM (``stop`` set), ``max_runs`` crawls started, or ``duration`` seconds."""
        started = time.monotonic()
        count = 0
        while not self.stop.is_set():
            self._reap()
            if max_runs is not None and count >= max_runs and not self._active:
                break
            if duration is not None and time.monotonic() - started >= duration:
                break
            if max_runs is None or count < max_runs:
                count += self._start_due(None if max_runs is None else max_runs - count)
            self.stop.wait(self.tick)
        self._shutdown(stop_timeout)
        return count

    def _start_due(self, budget: int | None) -> int:
        # Reads never wait in WAL mode, writes may (a running crawl commits its catalog batches):
        # so each due crawl is started first and its bookkeeping written after, keeping starts on time.
        now = self.clock()
        started = 0
        for schedule in list_schedules(self.catalog):
            if schedule.next_run_at > now or (budget is not None and started >= budget):
                continue
            if schedule.site in self._active:
                logger.warning("schedule %d: %s is still being crawled; this run is skipped", schedule.id,
                               schedule.site)
                self._record(schedule, now, "skipped")
            else:
                self._launch(schedule)
                started += 1
            following = next_slot(schedule.every, schedule.at, schedule.created_at, now)
            self.catalog.conn.execute("UPDATE schedules SET next_run_at = ? WHERE id = ?",
                                      (_iso(following), schedule.id))
        return started

    def _stopped(self, schedule: Schedule) -> str | None:
        """The crawl id of the schedule's last run when SIGTERM stopped it: the next run resumes it."""
        row = self.catalog.conn.execute("SELECT status, crawl_id FROM schedule_runs WHERE schedule_id = ?"
                                        " AND status != 'skipped' ORDER BY id DESC LIMIT 1", (schedule.id,)).fetchone()
        return str(row["crawl_id"]) if row is not None and row["status"] == "stopped" and row["crawl_id"] else None

    def _launch(self, schedule: Schedule) -> None:
        moment = self.clock()
        resumed = self._stopped(schedule)
        crawl_id = resumed or f"{moment.strftime('%Y%m%dT%H%M%S')}{moment.microsecond // 1000:03d}Z-s{schedule.id}"
        launcher = self.launcher_for(schedule)
        if launcher not in self._launchers:
            self._launchers.append(launcher)
        try:
            handle = launcher.start(schedule, crawl_id, resume=resumed is not None)
        except ScheduleError as exc:
            # Scrapyd down, a bad schedule: the scheduler keeps serving the others; the next slot retries.
            logger.error("schedule %d: could not start %s: %s", schedule.id, schedule.site, exc)
            self.failed_starts += 1
            run_id = self._record(schedule, moment, "failed", crawl_id=crawl_id)
            self._finish(run_id, "failed", reason=str(exc))
            return
        run_id = self._record(schedule, moment, "running", crawl_id=crawl_id, handle=handle)
        self._active[schedule.site] = (run_id, launcher, handle)
        logger.info("schedule %d: %s %s (crawl %s, %s)", schedule.id, "resumed" if resumed else "started",
                    schedule.site, crawl_id, handle)

    def _record(self, schedule: Schedule, moment: datetime, status: str, *, crawl_id: str | None = None,
                handle: str | None = None) -> int:
        cursor = self.catalog.conn.execute(
            "INSERT INTO schedule_runs (schedule_id, site, due_at, started_at, status, crawl_id, handle)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (schedule.id, schedule.site, _iso(schedule.next_run_at), _iso(moment), status, crawl_id, handle))
        return int(cursor.lastrowid or 0)

    def _reap(self) -> None:
        for site, (run_id, launcher, handle) in list(self._active.items()):
            state = launcher.running(handle)
            if state is True:
                continue
            self._finish(run_id, "finished" if state is False else "failed")
            del self._active[site]

    def _finish(self, run_id: int, status: str, *, reason: str | None = None) -> None:
        self.catalog.conn.execute("UPDATE schedule_runs SET status = ?, finished_at = ?, reason = ? WHERE id = ?",
                                  (status, _iso(self.clock()), reason, run_id))

    def _shutdown(self, timeout: float) -> None:
        if not self._active:
            return
        for launcher in self._launchers:
            launcher.stop_all(timeout)
        for run_id, launcher, handle in self._active.values():
            # A crawl that ended on its own before the signal keeps its outcome; the others were stopped.
            self._finish(run_id, "finished" if launcher.running(handle) is False else "stopped")
        self._active.clear()
