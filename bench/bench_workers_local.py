"""A distributed crawl on one machine (``crawl --workers N``) against the local one-process crawl.

    python -m bench.bench_workers_local [--articles 200] [--workers 2] [--runs 3]

One sandbox process serves the five sites; a real redis-server (tests/harness/redis.py) holds the
frontier. The two crawls alternate (local, distributed, local, …), each into a fresh data dir with
a fresh crawl id; the medians of ``--runs`` wall times are compared, and both crawls' record counts
are printed (they must be equal). Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import env_info, run_measured
from sandbox import SITES, SandboxProcess
from tests.harness.redis import RedisServer


def _records(data: Path) -> int:
    conn = sqlite3.connect(data / "catalog.sqlite")
    try:
        return int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])
    finally:
        conn.close()


def _crawl(data: Path, origins: dict[str, str], crawl_id: str, *extra: str) -> float:
    run = run_measured([sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--sandbox", "--no-progress",
                        "--data", str(data), "--crawl-id", crawl_id,
                        *(f"--origin={site}={url}" for site, url in origins.items()), *extra])
    if run.returncode != 0:
        raise SystemExit(run.stdout + run.stderr)
    return run.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="articles per site (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each crawl (default 3)")
    args = parser.parse_args(argv)
    local: list[float] = []
    distributed: list[float] = []
    counts: set[tuple[str, int]] = set()
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess(articles=args.articles) as sandbox, \
            RedisServer(Path(tmp) / "redis") as redis:
        for run in range(args.runs):
            data = Path(tmp) / f"local{run}"
            local.append(_crawl(data, sandbox.urls, f"l{run}"))
            counts.add(("local", _records(data)))
            data = Path(tmp) / f"dist{run}"
            distributed.append(_crawl(data, sandbox.urls, f"d{run}", "--redis", redis.url,
                                      "--workers", str(args.workers)))
            counts.add(("distributed", _records(data)))
    print(f"distributed crawl benchmark ({env_info()}; sandbox: {len(SITES)} sites x {args.articles} articles; "
          f"medians of {args.runs}, interleaved)\n")
    print("| crawl | seconds (median) | ratio to local | records |")
    print("| --- | ---: | ---: | ---: |")
    by_kind = dict(counts)
    print(f"| local, one process | {statistics.median(local):.1f} | 1.00 | {by_kind['local']} |")
    print(f"| `--workers {args.workers}` | {statistics.median(distributed):.1f} | "
          f"**{statistics.median(distributed) / statistics.median(local):.2f}** | {by_kind['distributed']} |")
    if len(counts) != 2:
        print(f"\nrecord counts differ between runs: {sorted(counts)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
