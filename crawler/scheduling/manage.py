"""What the ``schedule`` and ``scheduler`` commands call: validation, listing, and wiring the loop.

Kept apart from :mod:`crawler.scheduling.store` (storage and timing, no Scrapy) so that the loop
can be tested with any launcher and the CLI handlers stay a few lines each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.catalog import CATALOG_NAME, Catalog
from crawler.options import CrawlOptionsError, parse_crawl_args
from crawler.runner import resolve_targets
from crawler.scheduling.launchers import LocalLauncher, ScrapydLauncher
from crawler.scheduling.loop import Launcher, Scheduler, SchedulerLock
from crawler.scheduling.store import Schedule, ScheduleError, add_schedule, list_schedules, runs
from spiders.profiles import ProfileError

__all__ = ["add", "format_schedules", "schedules_json", "build_scheduler", "run_locked"]


def _interval(seconds: int) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def add(catalog: Catalog, site: str, every: str | None, *, at: str | None, scrapyd: str | None,
        crawl_args: Sequence[str], cron: str | None = None) -> str:
    """Validate and store a schedule; returns the line to print."""
    args = list(crawl_args)
    try:
        resolve_targets([site])
    except ProfileError as exc:
        raise ScheduleError(str(exc)) from None
    try:
        parse_crawl_args(site, args)
    except CrawlOptionsError as exc:
        raise ScheduleError(f"bad crawl options {' '.join(args)!r}: {exc}") from None
    schedule = add_schedule(catalog, site, every, at=at, crawl_args=args, scrapyd=scrapyd, cron=cron)
    return (f"schedule {schedule.id}: {site} " + _when(schedule)
            + f", next run {schedule.next_run_at.astimezone().strftime('%Y-%m-%d %H:%M:%S %Z')}")


def _when(schedule: Schedule) -> str:
    if schedule.cron:
        return f"cron {schedule.cron!r} ({schedule.zone})"
    return f"every {_interval(schedule.every)}" + (f" at {schedule.at} ({schedule.zone})" if schedule.at else "")


def _last_runs(catalog: Catalog) -> dict[int, dict[str, Any]]:
    return {int(str(r["schedule_id"])): r for r in runs(catalog)}


def schedules_json(catalog: Catalog) -> list[dict[str, Any]]:
    last = _last_runs(catalog)
    return [{"id": s.id, "site": s.site, "every": _interval(s.every) if s.every else None, "at": s.at,
             "cron": s.cron, "zone": s.zone, "crawl_args": list(s.crawl_args),
             "scrapyd": s.scrapyd, "next_run_at": s.next_run_at.isoformat(), "last_run": last.get(s.id)}
            for s in list_schedules(catalog)]


def format_schedules(catalog: Catalog) -> str:
    schedules = list_schedules(catalog)
    if not schedules:
        return "no schedules (add one with `speechcrawl schedule add SITE --every 1d`)"
    last = _last_runs(catalog)
    lines = [f"{'id':>3}  {'site':<10} {'every':>6} {'at':>5}  {'next run (local)':<19}  last run"]
    for s in schedules:
        run = last.get(s.id)
        done = f"{run['status']} {str(run['started_at'])[:19]}" if run else "never"
        lines.append(f"{s.id:>3}  {s.site:<10} {_interval(s.every) if s.every else 'cron':>6} {s.at or '-':>5}  "
                     f"{s.next_run_at.astimezone().strftime('%Y-%m-%d %H:%M:%S')}  {done}"
                     + (f"  (cron {s.cron!r})" if s.cron else "")
                     + (f"  (scrapyd {s.scrapyd})" if s.scrapyd else ""))
    return "\n".join(lines)


def build_scheduler(data_dir: Path, *, scrapyd: str | None = None) -> tuple[Scheduler, Catalog]:
    """A Scheduler over DATA's catalog; jobs go to ``scrapyd`` if given, else to each schedule's own target."""
    catalog = Catalog(data_dir / CATALOG_NAME)
    local = LocalLauncher(data_dir)
    remote: dict[str, ScrapydLauncher] = {}

    def launcher_for(schedule: Schedule) -> Launcher:
        url = scrapyd or schedule.scrapyd
        if url is None:
            return local
        if url not in remote:
            remote[url] = ScrapydLauncher(url, data_dir)
        return remote[url]

    return Scheduler(catalog, launcher_for), catalog


def run_locked(scheduler: Scheduler, data_dir: Path, *, max_runs: int | None, duration: float | None) -> int:
    """Hold DATA's scheduler lock for the whole loop (a second scheduler fails with ScheduleError)."""
    with SchedulerLock(data_dir):
        print(f"scheduler running on {data_dir} (pid lock {data_dir / 'scheduler.lock'}); "
              f"{datetime.now(UTC).astimezone():%Y-%m-%d %H:%M:%S %Z}", flush=True)
        return scheduler.run(max_runs=max_runs, duration=duration)
