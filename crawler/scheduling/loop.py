"""The loop behind ``speechcrawl scheduler``: start due crawls, one at a time per site, one loop per data dir.

Rules an archivist relies on (docs/scheduling.md):

- one crawl at a time per site: a run that comes due while the previous one is still
  going is recorded as ``skipped``, never started twice;
- one scheduler per data directory: a lock file (``DATA/scheduler.lock``, ``flock``)
  makes a second scheduler on the same catalog exit instead of running jobs twice;
- a job missed while no scheduler ran (downtime) runs once, not once per missed slot;
- SIGTERM stops cleanly: no new crawl starts, running crawls get SIGTERM (Scrapy's
  graceful stop) and are waited for; the schedule's next run resumes that crawl
  (``speechcrawl crawl --resume``) instead of starting over.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from corpus.catalog import Catalog
from crawler.crawllock import take_pid_lock
from crawler.scheduling.store import Schedule, ScheduleError, iso_utc, list_schedules, utc_now

logger = logging.getLogger(__name__)

__all__ = ["SchedulerLock", "Launcher", "Scheduler"]


class SchedulerLock:
    """An exclusive ``flock`` on ``DATA/scheduler.lock``, released when the process ends (even by kill -9)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "scheduler.lock"
        self._fd: int | None = None

    def __enter__(self) -> Self:
        fd = take_pid_lock(self.path)
        if isinstance(fd, str):
            raise ScheduleError(f"another scheduler (pid {fd}) is running on {self.path.parent}; "
                                "one scheduler per data directory")
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
                 tick: float = 0.25, clock: Callable[[], datetime] = utc_now) -> None:
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
            following = schedule.next_after(now)
            self.catalog.conn.execute("UPDATE schedules SET next_run_at = ? WHERE id = ?",
                                      (iso_utc(following), schedule.id))
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
            (schedule.id, schedule.site, iso_utc(schedule.next_run_at), iso_utc(moment), status, crawl_id, handle))
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
                                  (status, iso_utc(self.clock()), reason, run_id))

    def _shutdown(self, timeout: float) -> None:
        if not self._active:
            return
        for launcher in self._launchers:
            launcher.stop_all(timeout)
        for run_id, launcher, handle in self._active.values():
            # A crawl that ended on its own before the signal keeps its outcome; the others were stopped.
            self._finish(run_id, "finished" if launcher.running(handle) is False else "stopped")
        self._active.clear()
