"""Data-safety campaign (issue 23): faults that used to lose, fake or silently drop data, several trials each.

    python -m bench.data_safety [--trials 3]      # as root: the disk-full rows mount a tmpfs

Prints the rows of docs/reliability.md "Never lose, fake or silently drop data": per fault, the
trials, pages expected / archived / recorded as failed, records lost, and the exit statuses seen.
The fast cases also run in the suite (tests/test_data_safety.py, tests/test_reprocess_damage.py,
tests/test_archive_verify.py, tests/test_schedule_zones.py); this script runs the slow ones and
repeats them, so the figures are measured, not assumed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import env_info
from corpus.catalog import Catalog
from sandbox import SandboxProcess
from tests.harness.crawls import archive_problems, exported

CLI = [sys.executable, "-m", "crawler.cli"]


@dataclass
class Row:
    fault: str
    trials: int = 0
    expected: int = 0
    archived: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost: int = 0
    statuses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        def span(values: list[int]) -> str:
            return f"{min(values)}–{max(values)}" if values and min(values) != max(values) else str(values[0] if values
                                                                                                    else "-")
        problems = "; ".join(sorted(set(self.problems))) or "none"
        return (f"| {self.fault} | {self.trials} | {self.expected or '-'} | {span(self.archived)} | {span(self.failed)} "
                f"| {self.lost} | {', '.join(sorted(set(self.statuses)))} | {problems} |")


def _crawl(data: Path, origin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data),
                           f"--origin=wenmi={origin}", "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0", *extra],
                          capture_output=True, text=True, timeout=600)


def _mount(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True, capture_output=True)


def _catalog_counts(data: Path, crawl_id: str) -> tuple[int, int]:
    catalog = Catalog(data / "catalog.sqlite")
    try:
        return len(set(catalog.fetched_urls(crawl_id))), len(catalog.failures(crawl_id))
    finally:
        catalog.close()


def disk_full(row: Row, sb: SandboxProcess, work: Path, clean: dict[str, str], size: str) -> None:
    """The whole data dir on a tmpfs of ``size``: the crawl must stop, exit 1, and resume after growing it."""
    data = work / "data"
    _mount(data, f"size={size}")
    try:
        first = _crawl(data, sb.urls["wenmi"], "--crawl-id", "full")
        row.statuses.append(f"{first.returncode} then")
        if first.returncode == 0 or "cannot write" not in first.stderr or "Traceback" in first.stderr:
            row.problems.append("the full disk was not reported in one line with exit 1")
        subprocess.run(["mount", "-o", "remount,size=64m", str(data)], check=True)
        second = _crawl(data, sb.urls["wenmi"], "--crawl-id", "full", "--resume")
        row.statuses[-1] += f" {second.returncode} (resume)"
        got = {r["id"]: r["text"] for r in exported(data)}
        row.lost += len(set(clean) - set(got)) + sum(got[k] != v for k, v in clean.items() if k in got)
        archived, failed = _catalog_counts(data, "full")
        row.archived.append(archived)
        row.failed.append(failed)
        row.problems += archive_problems(data)
    finally:
        subprocess.run(["umount", str(data)], check=True)


def read_only(row: Row, sb: SandboxProcess, work: Path, clean: dict[str, str]) -> None:
    data = work / "ro"
    _mount(data, "size=1m,ro")
    try:
        proc = _crawl(data, sb.urls["wenmi"])
        row.statuses.append(str(proc.returncode))
        lines = [line for line in proc.stderr.splitlines() if line.startswith("speechcrawl: error:")]
        if len(lines) != 1 or "Read-only file system" not in lines[0] or "Traceback" in proc.stderr:
            row.problems.append(f"not one clear line: {proc.stderr[-200:]!r}")
        row.archived.append(0)
        row.failed.append(0)
    finally:
        subprocess.run(["umount", str(data)], check=True)


def concurrent(row: Row, sb: SandboxProcess, work: Path, clean: dict[str, str]) -> None:
    """Two crawls of one site on one data dir, started together: one runs, the other refuses with its pid."""
    data = work / "two"
    procs = [subprocess.Popen([*CLI, "crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data),
                               f"--origin=wenmi={sb.urls['wenmi']}", "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    codes = sorted(p.returncode for p in procs)
    row.statuses.append("/".join(map(str, codes)))
    refused = [err for _, err in outs if "another crawl of wenmi (pid" in err]
    if codes != [0, 1] or len(refused) != 1:
        row.problems.append(f"exit statuses {codes}, {len(refused)} refusal(s)")
    got = {r["id"]: r["text"] for r in exported(data)}
    row.lost += len(set(clean) - set(got))
    catalog = Catalog(data / "catalog.sqlite")
    row.archived.append(len(set(catalog.fetched_urls())))
    row.failed.append(len(catalog.failures()))
    catalog.close()
    row.problems += archive_problems(data)


def hostile_ids(row: Row, sb: SandboxProcess, work: Path, clean: dict[str, str]) -> None:
    for crawl_id in ("../../x", "a/b", "a\nb", "x" * 300):
        data = work / f"ids{len(row.statuses)}"
        proc = _crawl(data, sb.urls["wenmi"], "--crawl-id", crawl_id)
        row.statuses.append(str(proc.returncode))
        escaped = [p for p in work.parent.rglob("*") if "x" == p.name]
        if proc.returncode != 2 or data.exists() or escaped or "Traceback" in proc.stderr:
            row.problems.append(f"{crawl_id!r}: rc {proc.returncode}, data dir created: {data.exists()}")
    row.archived.append(0)
    row.failed.append(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("run as root: the disk-full and read-only rows mount a tmpfs", file=sys.stderr)
        return 2
    print(env_info())
    with SandboxProcess(port_base=0) as sb, tempfile.TemporaryDirectory(prefix="data-safety-") as tmp:
        base = Path(tmp)
        reference = base / "clean"
        proc = _crawl(reference, sb.urls["wenmi"])
        assert proc.returncode == 0, proc.stderr
        clean = {r["id"]: r["text"] for r in exported(reference)}
        catalog = Catalog(reference / "catalog.sqlite")
        pages = len(set(catalog.fetched_urls()))
        catalog.close()
        cases: list[tuple[Row, Callable[..., None], tuple[object, ...]]] = [
            (Row("disk full mid-crawl (data dir on a 320 KB tmpfs), then --resume"), disk_full, ("320k",)),
            (Row("disk full mid-crawl (data dir on a 512 KB tmpfs), then --resume"), disk_full, ("512k",)),
            (Row("read-only data dir"), read_only, ()),
            (Row("two crawls of one site on one data dir"), concurrent, ()),
            (Row("hostile --crawl-id (../../x, a/b, newline, 300 chars)"), hostile_ids, ()),
        ]
        started = time.monotonic()
        for number, (row, run, extra) in enumerate(cases):
            row.expected = pages
            for trial in range(args.trials):
                work = base / f"{number}-{run.__name__}-{trial}"
                work.mkdir()
                run(row, sb, work, clean, *extra)
                row.trials += 1
        print(f"{time.monotonic() - started:.0f} s")
    print("| fault | trials | pages expected | archived | recorded as failed | records lost | exit status | problems |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row, _, _ in cases:
        print(row.line())
    return 1 if any(row.problems or row.lost for row, _, _ in cases) else 0


if __name__ == "__main__":
    raise SystemExit(main())
