"""Distributed crawls: pages/s with 1, 2, 4, 8 workers sharing one Redis, against today's single process.

    python -m bench.bench_distributed [--articles 2000] [--hosts 20] [--delay 0.2] [--workers 1,2,4,8]
                                      [--rounds 3] [--via workers|crawl] [-s NAME=VALUE ...]

Latency-bound on purpose: bench.bench_site serves ``--hosts`` sites (the articles split between
them, real-shaped pages of 25–40 KB) on as many ports, answering every request ``--delay`` seconds
late, as far-away servers do.  In each round, interleaved so drift on a shared machine hits every
run alike:

- **single process**: today's ``speechcrawl crawl URL… --sandbox`` of all hosts (one crawler per host);
- **N workers**, for each N of ``--workers``, through a redis-server of its own (emptied before each
  run), either ``--via workers`` (default): ``speechcrawl crawl URL… --sandbox --redis URL`` seeds the
  crawl, then N × ``speechcrawl worker --redis URL --data DIR --id wN --exit-when-idle 5`` crawl it
  (wall time from the workers' start to the last one's exit, less the 5 idle seconds), or
  ``--via crawl``: ``speechcrawl crawl URL… --sandbox --redis URL --workers N`` does both.

Pages are counted at the server (``/_bench/served`` of every host), so every row counts alike
whatever crawled them.  Beside the crawling processes' CPU, each row gives the CPU the bench site's
server and redis-server spent in the same run (per page), and how busy the machine's cores were
(all processes, from ``/proc/stat``): a row at ~100 % was CPU-bound, whatever its settings said.  ``-s`` settings go to every crawl (default: CONCURRENT_REQUESTS_PER_DOMAIN=2,
the per-host politeness that makes the crawl latency-bound).  When the distributed commands are
missing, their rows say "distributed workers not available".  Prints a markdown table for
docs/benchmarks.md: pages/s (median), × 1 worker, × single process.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.bench_site import SERVED, running
from bench.common import Measured, env_info, run_measured
from tests.harness.redis import RedisServer

CLI = [sys.executable, "-m", "crawler.cli"]
IDLE = 5
"""Seconds a worker waits with nothing to do before it exits (--exit-when-idle)."""
UNAVAILABLE = "distributed workers not available"


def served(urls: list[str]) -> int:
    """Requests the bench hosts have answered so far."""
    total = 0
    for url in urls:
        with urllib.request.urlopen(url.rstrip("/") + SERVED, timeout=10) as answer:
            total += int(answer.read())
    return total


def _ticks_to_seconds(ticks: int) -> float:
    return ticks / os.sysconf("SC_CLK_TCK")


def helpers_cpu() -> float:
    """CPU seconds used so far by this process's live children: the bench site's server and redis-server."""
    total = 0
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if fields[1] == me:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return _ticks_to_seconds(total)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of every core since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]  # guest time is in user already
    idle = values[3] + values[4]  # idle, iowait
    return _ticks_to_seconds(sum(values) - idle), _ticks_to_seconds(sum(values))


def available(via: str) -> bool:
    """Whether this tree has the distributed commands the run needs (``worker``, ``crawl --workers``)."""
    if via == "workers":
        return subprocess.run([*CLI, "worker", "--help"], capture_output=True, timeout=60).returncode == 0
    help_text = subprocess.run([*CLI, "crawl", "--help"], capture_output=True, text=True, timeout=60).stdout
    return "--workers" in help_text and "--redis" in help_text


def _check(run: Measured | subprocess.CompletedProcess[str], what: str) -> None:
    if run.returncode not in (0, 1):  # 1: the crawl finished with a warning (health monitors), still a crawl
        raise SystemExit(f"{what} failed ({run.returncode}):\n{run.stdout}{run.stderr}")


@dataclass
class Run:
    seconds: float
    """Wall time of the crawl."""
    cpu_seconds: float
    """User + system CPU of every crawling process."""


def single_process(urls: list[str], data: Path, sets: list[str]) -> Run:
    """Today's one-process crawl of every host."""
    run = run_measured([*CLI, "crawl", *urls, "--sandbox", "--no-progress", "--data", str(data), *sets])
    _check(run, "speechcrawl crawl")
    return Run(run.seconds, run.cpu_seconds)


def _workers_together(redis_url: str, data: Path, n: int, extra: list[str]) -> Run:
    """Start N workers at once; wall time until the last exits, less the idle time before it did."""
    data.mkdir(parents=True, exist_ok=True)
    started, cpu = time.monotonic(), 0.0
    procs = []
    for i in range(1, n + 1):
        with (data / f"w{i}.out").open("w") as out:
            procs.append(subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--data", str(data / f"w{i}"),
                                           "--id", f"w{i}", "--exit-when-idle", str(IDLE), *extra],
                                          stdout=out, stderr=subprocess.STDOUT))
    for i, proc in enumerate(procs, 1):
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        log = (data / f"w{i}.out").read_text(errors="replace")
        _check(subprocess.CompletedProcess(proc.args, proc.returncode, log, ""), "speechcrawl worker")
    return Run(time.monotonic() - started - IDLE, cpu)


def distributed(urls: list[str], data: Path, sets: list[str], redis: RedisServer, n: int, via: str,
                worker_args: list[str]) -> Run:
    """A crawl of every host by N workers through ``redis`` (emptied first)."""
    from redis import Redis

    with Redis.from_url(redis.url) as client:
        client.flushdb()
    base = [*CLI, "crawl", *urls, "--sandbox", "--no-progress", "--redis", redis.url, *sets]
    if via == "crawl":
        run = run_measured([*base, "--workers", str(n), "--data", str(data)])
        _check(run, "speechcrawl crawl --workers")
        return Run(run.seconds, run.cpu_seconds)  # wait4 counts the children it waited for too
    seed = subprocess.run([*base, "--data", str(data / "seed")], capture_output=True, text=True, timeout=600)
    _check(seed, "speechcrawl crawl --redis (seeding)")
    return _workers_together(redis.url, data, n, worker_args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="articles over all hosts (default 2000)")
    parser.add_argument("--hosts", type=int, default=20, help="hosts, one port each (default 20)")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before every answer (default 0.2)")
    parser.add_argument("--workers", default="1,2,4,8", help="worker counts to measure (default 1,2,4,8)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--via", choices=("workers", "crawl"), default="workers",
                        help="N × `speechcrawl worker` after a seeding crawl, or `crawl --workers N`")
    parser.add_argument("-s", "--set", action="append", default=None, metavar="NAME=VALUE",
                        help="a setting for every crawl (default: CONCURRENT_REQUESTS_PER_DOMAIN=2)")
    parser.add_argument("--worker-args", default="", metavar="ARGS",
                        help="more arguments for every `worker` command (--via workers), e.g. \"--sandbox\"")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    sets = [arg for pair in (args.set or ["CONCURRENT_REQUESTS_PER_DOMAIN=2"]) for arg in ("-s", pair)]
    has_workers = available(args.via)
    rates: dict[str, list[float]] = {}
    cpu_ms: dict[str, list[float]] = {}
    helper_ms: dict[str, list[float]] = {}
    busy: dict[str, list[float]] = {}
    pages: dict[str, int] = {}
    load: list[float] = []
    with running(args.articles, hosts=args.hosts, delay=args.delay) as urls, \
            tempfile.TemporaryDirectory() as tmp, RedisServer(Path(tmp) / "redis") as redis:
        for n in range(args.rounds):
            load.append(os.getloadavg()[0])
            jobs: list[tuple[str, int | None]] = [("single process (`speechcrawl crawl`)", None)]
            jobs += [(f"{w} worker{'s' if w > 1 else ''}", w) for w in counts] if has_workers else []
            for name, workers in jobs:
                before, helpers_before, machine_before = served(urls), helpers_cpu(), machine_busy()
                data = Path(tmp) / f"{n}-{workers or 0}"
                run = (single_process(urls, data, sets) if workers is None
                       else distributed(urls, data, sets, redis, workers, args.via, shlex.split(args.worker_args)))
                pages[name] = served(urls) - before
                machine_after = machine_busy()
                helper_ms.setdefault(name, []).append((helpers_cpu() - helpers_before) * 1000 / pages[name])
                busy.setdefault(name, []).append((machine_after[0] - machine_before[0])
                                                 / (machine_after[1] - machine_before[1]))
                rates.setdefault(name, []).append(pages[name] / run.seconds)
                cpu_ms.setdefault(name, []).append(run.cpu_seconds * 1000 / pages[name])
    single = statistics.median(rates["single process (`speechcrawl crawl`)"])
    one = statistics.median(rates["1 worker"]) if "1 worker" in rates else None
    print(f"distributed crawl benchmark ({env_info()}; {args.hosts} hosts, {args.articles} articles, "
          f"{args.delay * 1000:.0f} ms per answer; {' '.join(sets)}; {args.rounds} rounds; "
          f"load average {min(load):.1f}–{max(load):.1f})\n")
    print("| run | pages | pages/s (median) | × 1 worker | × single process | CPU ms/page | server + Redis CPU "
          "ms/page | cores busy | runs pages/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, runs in rates.items():
        rate = statistics.median(runs)
        vs_one = f"{rate / one:.2f}" if one and name != "single process (`speechcrawl crawl`)" else "–"
        print(f"| {name} | {pages[name]} | {rate:.1f} | {vs_one} | **{rate / single:.2f}** | "
              f"{statistics.median(cpu_ms[name]):.1f} | {statistics.median(helper_ms[name]):.1f} | "
              f"{statistics.median(busy[name]):.0%} | {', '.join(f'{r:.1f}' for r in runs)} |")
    if not has_workers:
        for workers in counts:
            print(f"| {workers} worker{'s' if workers > 1 else ''} | – | {UNAVAILABLE} | – | – | – | – | – | – |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
