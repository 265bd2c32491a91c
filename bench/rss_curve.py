"""Memory of a long generic crawl: the crawl process's RSS against pages fetched, and its peak.

    python -m bench.rss_curve [--articles 95000] [--interval 5] [--points 10] [--csv FILE]

Starts :mod:`bench.bench_site` with ``--articles`` articles (95,000 articles and their 4,750
list pages: ~100,000 pages) rendering each page when asked (``--lazy``: the site runs in its
own process, so its memory is not counted), then runs ``speechcrawl crawl URL --sandbox``
(generic mode: WARC, cleaning, catalog) and reads the crawl process's ``VmRSS`` and
``VmHWM`` from /proc every ``--interval`` seconds.  Pages fetched come from the crawl's own
progress line on stderr.  Prints ``--points`` rows of the curve (pages vs RSS) as a markdown
table for docs/benchmarks.md, then the peak (``VmHWM``, the kernel's high-water mark, which
also catches a peak between two samples).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.bench_site import running
from bench.common import env_info

_PROGRESS = re.compile(r"\[\s*([\d.]+)s\] \S+ (\d+)p/(\d+)r")


@dataclass
class Sample:
    seconds: float
    pages: int
    records: int
    rss_mb: float
    hwm_mb: float


class _ProgressReader(threading.Thread):
    """Reads the crawl's stderr to its end, keeping the last page and record counts it printed."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.pages = 0
        self.records = 0
        self.tail: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            if match := _PROGRESS.search(line):
                self.pages, self.records = int(match.group(2)), int(match.group(3))
            else:
                self.tail = [*self.tail[-20:], line]


def memory_mb(pid: int) -> tuple[float, float] | None:
    """VmRSS and VmHWM of one process in MB, or None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    if "VmRSS" not in values:  # a zombie: the process has exited, its memory is gone
        return None
    return int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024


@dataclass
class Crawl:
    samples: list[Sample]
    stdout: str
    returncode: int
    max_rss_mb: float
    """The kernel's account of the crawl's peak RSS once it has exited (``wait4``)."""


def sample_crawl(url: str, data: Path, interval: float, timeout: float, csv: Path | None = None) -> Crawl:
    """Run the crawl, sampling its memory until it exits; each sample also goes to ``csv`` as it is taken,
    so a run stopped early (a loaded machine crawls at a tenth of the speed) still leaves its curve."""
    argv = [sys.executable, "-m", "crawler.cli", "crawl", url, "--sandbox", "-q", "--data", str(data),
            "-s", f"SPEECHCRAWL_PROGRESS_INTERVAL={interval}"]
    with tempfile.TemporaryFile("w+") as out, (csv.open("w") if csv else open(os.devnull, "w")) as rows:
        rows.write("seconds,pages,records,rss_mb,hwm_mb\n")
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        reader = _ProgressReader(proc.stderr)
        reader.start()
        started = time.monotonic()
        samples: list[Sample] = []
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            memory = memory_mb(proc.pid)
            if memory is not None:
                sample = Sample(time.monotonic() - started, reader.pages, reader.records, *memory)
                samples.append(sample)
                rows.write(f"{sample.seconds:.1f},{sample.pages},{sample.records},{sample.rss_mb:.1f},"
                           f"{sample.hwm_mb:.1f}\n")
                rows.flush()
            if time.monotonic() - started > timeout:
                proc.kill()
            time.sleep(interval)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join(timeout=10)
        out.seek(0)
        stdout = out.read()
    if proc.returncode != 0:
        stdout += "".join(reader.tail)
    return Crawl(samples, stdout, proc.returncode, usage.ru_maxrss / 1024)


def curve(samples: list[Sample], points: int) -> list[Sample]:
    """About ``points`` samples spread evenly over pages fetched, with the first, the last and the largest RSS."""
    if not samples:
        return []
    last = samples[-1].pages or 1
    chosen = {0, len(samples) - 1, max(range(len(samples)), key=lambda i: samples[i].rss_mb)}
    for k in range(1, points):
        target = last * k / points
        chosen.add(min(range(len(samples)), key=lambda i: abs(samples[i].pages - target)))
    return [samples[i] for i in sorted(chosen)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=95_000)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples (default 5)")
    parser.add_argument("--points", type=int, default=10, help="rows of the printed curve (default 10)")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="stop the crawl after this many seconds")
    parser.add_argument("--csv", type=Path, help="also write every sample to this file, as it is taken")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with running(args.articles, lazy=True) as (url, *_), tempfile.TemporaryDirectory() as tmp:
        crawl = sample_crawl(url, Path(tmp) / "data", args.interval, args.timeout, args.csv)
    samples = crawl.samples
    if crawl.returncode != 0:
        print(crawl.stdout, file=sys.stderr)
        raise SystemExit(f"crawl exited with {crawl.returncode}")
    summary = re.search(r": (\d+) pages, (\d+) records", crawl.stdout)
    print(f"RSS curve of a generic crawl ({env_info()}; bench site {args.articles} articles, "
          f"{summary.group(1) if summary else '?'} pages, {summary.group(2) if summary else '?'} records; "
          f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end; a sample every {args.interval:g} s)\n")
    print("| minutes | pages fetched | records | RSS MB |")
    print("| ---: | ---: | ---: | ---: |")
    for s in curve(samples, args.points):
        print(f"| {s.seconds / 60:.1f} | {s.pages} | {s.records} | {s.rss_mb:.0f} |")
    if summary:
        print(f"| end | {summary.group(1)} | {summary.group(2)} | (exited) |")
    peak = max((s.hwm_mb for s in samples), default=0.0)
    print(f"\npeak RSS: **{peak:.0f} MB** (last VmHWM sampled), {crawl.max_rss_mb:.0f} MB (wait4, to the exit); "
          f"{samples[-1].seconds / 60 if samples else 0:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
