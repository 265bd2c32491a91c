"""Schedules stored in the catalog: "crawl SITE every N (at HH:MM)", their slots in time, their runs.

The loop that starts due crawls is :mod:`crawler.scheduling.loop`; how a crawl is started
(child process or Scrapyd job) is :mod:`crawler.scheduling.launchers`.

Times are stored as UTC ISO strings.  ``--at HH:MM`` and ``--cron`` are wall-clock times in the
schedule's zone (the machine's local zone when it was added, kept by name, read with zoneinfo):
a 03:00 crawl stays at 03:00 across daylight saving changes, it does not drift to 04:00.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from corpus.catalog import Catalog
from crawler.scheduling.cron import CronError, CronExpression

logger = logging.getLogger(__name__)

__all__ = ["Schedule", "ScheduleError", "parse_interval", "next_slot", "utc_now", "iso_utc", "local_zone_name",
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


def local_zone_name() -> str:
    """The IANA name of the machine's zone (``TZ``, else /etc/localtime, else /etc/timezone), or ``UTC``."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        candidates.append(target.partition("zoneinfo/")[2])
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        try:
            if name:
                _zone(name)
                return name
        except ScheduleError:
            continue
    return "UTC"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin") from None


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
    zone: str | None = None
    """IANA zone of ``at`` and ``cron`` (None: the machine's local zone, for schedules older than zones)."""
    cron: str | None = None
    """A five-field cron expression (``every`` is then 0), or None."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Self:
        return cls(id=row["id"], site=row["site"], every=row["every_seconds"], at=row["at"],
                   crawl_args=tuple(json.loads(row["crawl_args"])), scrapyd=row["scrapyd"],
                   created_at=datetime.fromisoformat(row["created_at"]),
                   next_run_at=datetime.fromisoformat(row["next_run_at"]), zone=row["zone"], cron=row["cron"])

    def next_after(self, after: datetime) -> datetime:
        """The schedule's first slot strictly after ``after`` (UTC)."""
        return next_slot(self.every, self.at, self.created_at, after, zone=self.zone, cron=self.cron)


def _anchor(created: datetime, at: str, zone: ZoneInfo) -> datetime:
    """The wall-clock (naive, in ``zone``) time ``at`` on the day the schedule was created."""
    match = _AT.match(at)
    if match is None:
        raise ScheduleError(f"bad time of day {at!r}: use HH:MM (24-hour, local time)")
    local = created.astimezone(zone).replace(tzinfo=None)
    return local.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)


def _aware(wall: datetime, zone: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def next_slot(every: int, at: str | None, created: datetime, after: datetime, *, zone: str | None = None,
              cron: str | None = None) -> datetime:
    """The first slot strictly after ``after``, in UTC.

    ``cron``: the expression's next match in ``zone``'s wall time.  ``at``: anchor + k·every in wall
    time (k ≥ 0), so a daily 03:00 is 03:00 in winter and in summer.  Neither: creation + k·every
    seconds (elapsed time; no wall clock involved).
    """
    tz = _zone(zone or local_zone_name())
    if cron is not None:
        try:
            expression = CronExpression.parse(cron)
        except CronError as exc:
            raise ScheduleError(str(exc)) from None
        return _aware(expression.next_after(after.astimezone(tz).replace(tzinfo=None)), tz)
    if at is None:
        if created > after:
            return created.astimezone(UTC)
        steps = int((after - created).total_seconds() // every) + 1
        return (created + timedelta(seconds=steps * every)).astimezone(UTC)
    anchor = _anchor(created, at, tz)
    wall_after = after.astimezone(tz).replace(tzinfo=None)
    # Start one step early (a DST change moves wall time by at most hours) and walk forward: bounded.
    steps = max(0, int((wall_after - anchor).total_seconds() // every) - 1)
    for k in range(steps, steps + 1000):
        slot = _aware(anchor + timedelta(seconds=k * every), tz)
        if slot > after:
            return slot
    raise ScheduleError(f"no slot found after {after.isoformat()}")  # pragma: no cover - every ≥ 1s


def add_schedule(catalog: Catalog, site: str, every: str | None, *, at: str | None = None,
                 crawl_args: Sequence[str] = (), scrapyd: str | None = None, cron: str | None = None,
                 zone: str | None = None, now: datetime | None = None) -> Schedule:
    """Store a schedule.  Without ``at`` or ``cron`` its first run is due at once; else at the next slot.

    ``zone`` defaults to the machine's local zone, stored by name so the slots keep following it.
    """
    if (every is None) == (cron is None):
        raise ScheduleError("give either --every (with an optional --at) or --cron")
    if cron is not None and at is not None:
        raise ScheduleError("--at goes with --every; a --cron expression names its own time of day")
    seconds = parse_interval(every) if every is not None else 0
    zone = zone or local_zone_name()
    _zone(zone)
    created = now or utc_now()
    first = created if at is None and cron is None else next_slot(seconds, at, created, created, zone=zone,
                                                                    cron=cron)
    if cron is not None:
        cron = CronExpression.parse(cron).text  # valid: next_slot parsed it
    cursor = catalog.conn.execute(
        "INSERT INTO schedules (site, every_seconds, at, crawl_args, scrapyd, created_at, next_run_at, zone, cron)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (site, seconds, at, json.dumps(list(crawl_args)), scrapyd, iso_utc(created), iso_utc(first), zone, cron))
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
