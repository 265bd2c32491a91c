"""Schedules in local wall time across daylight saving, cron expressions, and URL schedules that run.

Clocks are fixed (``now=`` and ``after=``), zones named (Europe/Berlin changes on 2026-03-29 and
2026-10-25), so the tests do not depend on the machine's zone or the date they run.
"""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from corpus.catalog import Catalog
from crawler.cli import main
from crawler.paths import file_stem
from crawler.scheduling.cron import CronError, CronExpression
from crawler.scheduling.store import ScheduleError, add_schedule, next_slot
from tests import CLI

BERLIN = ZoneInfo("Europe/Berlin")


def _local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z")


def test_a_daily_0300_stays_at_0300_across_both_dst_changes(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    created = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    schedule = add_schedule(catalog, "wenmi", "1d", at="03:00", zone="Europe/Berlin", now=created)
    catalog.close()
    assert _local(schedule.next_run_at) == "2026-03-02 03:00 CET"
    # The scheduler's own arithmetic, run on a fixed clock through spring and autumn: every run at 03:00.
    slot, seen = schedule.next_run_at, []
    for _ in range(250):
        seen.append(slot)
        slot = schedule.next_after(slot)
    assert {s.astimezone(BERLIN).strftime("%H:%M") for s in seen} == {"03:00"}
    assert [s.astimezone(BERLIN).date() for s in seen] == [seen[0].astimezone(BERLIN).date() + timedelta(days=i)
                                                           for i in range(250)]
    april = next(s for s in seen if s.astimezone(BERLIN).date().isoformat() == "2026-04-10")
    assert april == datetime(2026, 4, 10, 1, 0, tzinfo=UTC) and _local(april) == "2026-04-10 03:00 CEST"
    assert _local(next_slot(86400, "03:00", created, datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
                            zone="Europe/Berlin")) == "2026-10-25 03:00 CET"


def test_cron_expressions_follow_local_time() -> None:
    after = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # a Friday, two days before the spring change
    weekdays = [after]
    for _ in range(6):
        weekdays.append(next_slot(0, None, after, weekdays[-1], zone="Europe/Berlin", cron="0 3 * * 1-5"))
    assert [_local(s) for s in weekdays[1:]] == [
        "2026-03-30 03:00 CEST", "2026-03-31 03:00 CEST", "2026-04-01 03:00 CEST", "2026-04-02 03:00 CEST",
        "2026-04-03 03:00 CEST", "2026-04-06 03:00 CEST"]


@pytest.mark.parametrize(("text", "after", "expected"), [
    ("*/15 * * * *", "2026-01-01 10:07", "2026-01-01 10:15"),
    ("30 2 1,15 * *", "2026-01-01 03:00", "2026-01-15 02:30"),
    ("0 0 * feb sun", "2026-01-20 00:00", "2026-02-01 00:00"),
    ("0 12 13 * 5", "2026-01-01 00:00", "2026-01-02 12:00"),  # day of month OR Friday, as in cron
    ("0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"),
    ("5 4 * * 7", "2026-01-01 00:00", "2026-01-04 04:05"),  # 7 is Sunday too
])
def test_cron_fields(text: str, after: str, expected: str) -> None:
    got = CronExpression.parse(text).next_after(datetime.fromisoformat(after))
    assert got == datetime.fromisoformat(expected)


@pytest.mark.parametrize(("text", "message"), [
    ("0 3 * *", "expected 5 fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"),
    ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("*/0 * * * *", "step"), ("0 0 31 2 *", "matches no day"),
    ("a * * * *", "not a number"),
])
def test_bad_cron_expressions(text: str, message: str) -> None:
    with pytest.raises(CronError, match=message):
        CronExpression.parse(text)


def test_schedule_add_takes_cron_and_refuses_bad_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path)
    assert main(["schedule", "add", "wenmi", "--cron", "0 3 * * 1-5", "--data", data]) == 0
    assert "schedule 1: wenmi cron '0 3 * * 1-5'" in capsys.readouterr().out
    for argv, message in ((["--cron", "0 3 * *"], "expected 5 fields"), ([], "either --every"),
                          (["--cron", "0 3 * * *", "--every", "1d"], "either --every"),
                          (["--cron", "0 3 * * *", "--at", "03:00"], "--at goes with --every")):
        assert main(["schedule", "add", "wenmi", *argv, "--data", data]) == 2
        assert message in capsys.readouterr().err
    with pytest.raises(ScheduleError, match="unknown time zone"):
        add_schedule(Catalog(tmp_path / "catalog.sqlite"), "wenmi", "1d", zone="Mars/Olympus")


def test_file_stem_of_a_url_is_a_plain_file_name() -> None:
    stem = file_stem("http://127.0.0.1:8601/../../etc/passwd?x=1")
    assert "/" not in stem and ".." not in stem and len(stem) < 80
    assert file_stem("wenmi") == "wenmi" and file_stem("a/b") != file_stem("a-b")


@pytest.mark.slow
def test_a_url_schedule_runs(tmp_path: Path, sandbox: Any) -> None:
    url = sandbox.urls["wenmi"] + "/"
    assert main(["schedule", "add", url, "--every", "1d", "--data", str(tmp_path), "--", "--sandbox",
                 "--max-pages", "2"]) == 0
    proc = subprocess.run([*CLI, "scheduler", "--data", str(tmp_path), "--max-runs", "1", "--duration", "120"],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    [(status,)] = conn.execute("SELECT status FROM schedule_runs").fetchall()
    conn.close()
    assert status == "finished"
    [log] = (tmp_path / "logs").iterdir()
    assert log.name.endswith(".log") and "crawl" in log.read_text(encoding="utf-8")
