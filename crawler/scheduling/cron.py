"""Five-field cron expressions (``--cron "0 3 * * 1-5"``), evaluated in a schedule's local wall time.

Written here rather than taken from a package because the subset archivists need is small —
minute, hour, day of month, month, day of week; ``*``, numbers, ranges, lists, ``/`` steps
and English three-letter names — and the one rule that matters, slots in local time across
daylight saving changes, is the scheduler's (:mod:`crawler.scheduling.store`), not the parser's.
As in Vixie cron, when both day of month and day of week are restricted, a day matching either runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["CronError", "CronExpression"]

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
           ("month", 1, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
           ("day of week", 0, 7, {name: i for i, name in enumerate(_DAYS)}))
MAX_DAYS = 5 * 366 + 1
"""How far ahead a slot is looked for: an expression that never matches (``0 0 31 2 *``) is an error."""


class CronError(ValueError):
    """A cron expression that cannot be parsed, or never matches; the message names the field."""


def _number(text: str, names: dict[str, int], what: str) -> int:
    value = names.get(text.lower())
    if value is not None:
        return value
    if not text.isdigit():
        raise CronError(f"{what}: {text!r} is not a number")
    return int(text)


def _field(text: str, what: str, low: int, high: int, names: dict[str, int]) -> tuple[frozenset[int], bool]:
    """The values one field allows, and whether it was ``*`` (unrestricted)."""
    values: set[int] = set()
    for part in text.split(","):
        spec, slash, step_text = part.partition("/")
        step = _number(step_text, {}, what) if slash else 1
        if step < 1:
            raise CronError(f"{what}: step must be 1 or more in {part!r}")
        if spec == "*":
            start, end = low, high
        else:
            first, dash, last = spec.partition("-")
            start = _number(first, names, what)
            end = _number(last, names, what) if dash else (high if slash else start)
        if not low <= start <= end <= high:
            raise CronError(f"{what}: {part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values), text == "*"


@dataclass(frozen=True)
class CronExpression:
    """A parsed ``minute hour day-of-month month day-of-week`` expression."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday … 6 = Saturday (7 is read as 0)."""
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> CronExpression:
        parts = text.split()
        if len(parts) != 5:
            raise CronError(f"bad cron expression {text!r}: expected 5 fields (minute hour day-of-month month "
                            "day-of-week), e.g. \"0 3 * * 1-5\"")
        parsed = [_field(part, what, low, high, names) for part, (what, low, high, names) in zip(parts, _FIELDS,
                                                                                              strict=True)]
        weekdays = frozenset(day % 7 for day in parsed[4][0])
        expression = cls(text=" ".join(parts), minutes=parsed[0][0], hours=parsed[1][0], days=parsed[2][0],
                         months=parsed[3][0], weekdays=weekdays, any_day=parsed[2][1], any_weekday=parsed[4][1])
        expression.next_after(datetime(2000, 1, 1))  # one that never matches fails when added, not when due
        return expression

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        in_month, in_week = day.day in self.days, (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, after: datetime) -> datetime:
        """The first matching wall-clock minute strictly after ``after`` (naive, local wall time)."""
        start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(MAX_DAYS):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        moment = day.replace(hour=hour, minute=minute)
                        if moment >= start:
                            return moment
            day += timedelta(days=1)
        raise CronError(f"cron expression {self.text!r} matches no day in the next five years")
