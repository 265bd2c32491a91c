"""Recurring crawls: interval maths, the schedule commands, and the real scheduler loop.

The loop tests run ``speechcrawl scheduler`` as a child process that itself starts real
``speechcrawl crawl`` processes against the sandbox; only the catalog is inspected.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from corpus.catalog import Catalog
from crawler.cli import main
from crawler.scheduling.loop import SchedulerLock
from crawler.scheduling.store import ScheduleError, next_slot, parse_interval
from tests import CLI, run_cli

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def test_parse_interval() -> None:
    assert [parse_interval(x) for x in ("2s", "30m", "12h", "1d", "1w")] == [2, 1800, 43200, 86400, 604800]
    for bad in ("", "1", "d", "0d", "1y", "-1d"):
        with pytest.raises(ScheduleError, match="bad interval"):
            parse_interval(bad)


def test_next_slot_without_anchor_steps_from_creation() -> None:
    assert next_slot(60, None, T0, T0 - timedelta(seconds=5)) == T0
    assert next_slot(60, None, T0, T0) == T0 + timedelta(seconds=60)
    # after downtime, the next slot is the first one in the future: missed slots are not replayed
    assert next_slot(60, None, T0, T0 + timedelta(seconds=3601)) == T0 + timedelta(seconds=3660)


def test_next_slot_with_time_of_day() -> None:
    local = T0.astimezone()
    slot = next_slot(86400, "03:00", T0, T0)
    assert slot.astimezone().hour == 3 and slot.astimezone().minute == 0
    assert timedelta(0) < slot - T0 <= timedelta(days=1)
    assert next_slot(86400, "03:00", T0, slot) - slot == timedelta(days=1)
    with pytest.raises(ScheduleError, match="HH:MM"):
        next_slot(86400, "25:00", local, local)


def test_schedule_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path)
    assert main(["schedule", "add", "wenmi", "--every", "1d", "--at", "03:00", "--data", data]) == 0
    assert main(["schedule", "add", "ribao", "--every", "12h", "--data", data, "--", "--max-pages", "50"]) == 0
    out = capsys.readouterr().out
    assert "schedule 1: wenmi every 1d at 03:00" in out and "schedule 2: ribao every 12h" in out
    assert main(["schedule", "list", "--data", data]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split()[:4] == ["1", "wenmi", "1d", "03:00"] and table[2].split()[:4] == ["2", "ribao", "12h", "-"]
    assert main(["schedule", "remove", "1", "--data", data]) == 0
    assert main(["schedule", "remove", "1", "--data", data]) == 2
    assert "no schedule with id 1" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["nosuch", "--every", "1d"], "unknown site 'nosuch'"),
    (["wenmi", "--every", "1x"], "bad interval"),
    (["wenmi", "--every", "1d", "--at", "3pm"], "bad time of day"),
    (["wenmi", "--every", "1d", "--", "--no-such-option"], "unrecognized arguments: --no-such-option"),
])
def test_schedule_add_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                        message: str) -> None:
    assert main(["schedule", "add", *argv, "--data", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert Catalog(tmp_path / "catalog.sqlite").conn.execute("SELECT COUNT(*) FROM schedules").fetchone()[0] == 0


def test_lock_is_exclusive(tmp_path: Path) -> None:
    with SchedulerLock(tmp_path):
        with pytest.raises(ScheduleError, match="another scheduler"), SchedulerLock(tmp_path):
            pass
    with SchedulerLock(tmp_path):  # released on exit
        pass


def _runs(data: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(data / "catalog.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM schedule_runs ORDER BY id")]
    finally:
        conn.close()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _add_slow_wenmi(data: Path, sandbox: Any, every: str = "2s", pages: int = 6) -> None:
    """A crawl of ``pages`` pages, one at a time, 0.5 s apart (4-6 s for 6 pages, with start-up):
    longer than the 2 s interval."""
    assert main(["schedule", "add", "wenmi", "--every", every, "--data", str(data), "--", "--sandbox",
                 "--origin", sandbox.urls["wenmi"], "--max-pages", str(pages), "-s", "DOWNLOAD_DELAY=0.5",
                 "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]) == 0


@pytest.mark.slow
def test_scheduler_runs_on_time_skips_overlaps_and_locks_out_a_second_scheduler(
        tmp_path: Path, sandbox: Any) -> None:
    _add_slow_wenmi(tmp_path, sandbox)
    # Two crawls, then the scheduler waits for them and stops: no dependence on how fast this machine is.
    first = subprocess.Popen([*CLI, "scheduler", "--data", str(tmp_path), "--max-runs", "2", "--duration", "240"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _runs(tmp_path) and time.monotonic() < deadline:  # the first scheduler holds the lock now
        time.sleep(0.1)
    second = subprocess.run([*CLI, "scheduler", "--data", str(tmp_path), "--duration", "3"],
                            capture_output=True, text=True, timeout=60)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    assert second.returncode == 1 and "another scheduler" in second.stderr
    runs = _runs(tmp_path)
    started = [r for r in runs if r["status"] != "skipped"]
    skipped = [r for r in runs if r["status"] == "skipped"]
    assert len(started) == 2 and skipped, runs  # each crawl lasts longer than the 2 s interval
    assert all(r["status"] == "finished" for r in started), runs
    for run in runs[1:]:  # the first one was due when the schedule was added, before the scheduler ran
        assert _at(run["started_at"]) - _at(run["due_at"]) < timedelta(seconds=1.5), run
    (_, end), (start, _) = [(_at(r["started_at"]), _at(r["finished_at"])) for r in started]
    assert start >= end, "two crawls of one site overlapped"
    for run in skipped:
        assert any(_at(r["started_at"]) <= _at(run["started_at"]) <= _at(r["finished_at"]) for r in started), \
            "a run was skipped while no crawl was running"
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    crawled = {row[0] for row in conn.execute("SELECT id FROM crawls WHERE site = 'wenmi'")}
    conn.close()
    assert {r["crawl_id"] for r in started} <= crawled


@pytest.mark.slow
def test_sigterm_stops_the_scheduler_and_the_next_run_resumes_the_crawl(tmp_path: Path, sandbox: Any) -> None:
    _add_slow_wenmi(tmp_path, sandbox, every="1h", pages=20)
    proc = subprocess.Popen([*CLI, "scheduler", "--data", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _runs(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, out + err
    [run] = _runs(tmp_path)
    assert run["status"] in ("stopped", "finished") and run["finished_at"]
    pid = int(str(run["handle"]).removeprefix("pid:"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert run["status"] == "stopped", run  # the crawl takes 10 s or more: SIGTERM arrives while it runs
    # An hour later (made due by hand): the stopped crawl is resumed, not started over.
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    conn.execute("UPDATE schedules SET next_run_at = ?", (datetime.now(UTC).isoformat(timespec="milliseconds"),))
    conn.commit()
    conn.close()
    again = run_cli("scheduler", "--data", str(tmp_path), "--max-runs", "1", timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    first, second = _runs(tmp_path)
    assert second["crawl_id"] == first["crawl_id"] and second["status"] == "finished"
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    [(status,)] = conn.execute("SELECT status FROM crawls WHERE id = ?", (first["crawl_id"],)).fetchall()
    ids = [row[0] for row in conn.execute("SELECT id FROM records WHERE is_latest = 1")]
    conn.close()
    assert status.startswith(("finished", "closespider")) and len(ids) == len(set(ids)) > 0
