"""Schedules stored in the catalog: "crawl SITE every N (at HH:MM)", their slots in time, their runs.

The loop that starts due crawls is :mod:`crawler.scheduling.loop`; how a crawl is started
(child process or Scrapyd job) is :mod:`crawler.scheduling.launchers`.

Times are stored as UTC ISO strings; ``--at HH:MM`` is the machine's local time.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Self

from corpus.catalog import Catalog

logger = logging.getLogger(__name__)

__all__ = ["Schedule", "ScheduleError", "parse_interval", "next_slot", "utc_now", "iso_utc",
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


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
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
    created = utc_now()
    first = _anchor(created, at).astimezone(UTC) if at is None else next_slot(seconds, at, created, created)
    cursor = catalog.conn.execute(
        "INSERT INTO schedules (site, every_seconds, at, crawl_args, scrapyd, created_at, next_run_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (site, seconds, at, json.dumps(list(crawl_args)), scrapyd, iso_utc(created), iso_utc(first)))
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
