"""Archive benchmarks, each a ratio measured in the same run on the same machine.

    python -m bench.bench_archive [--articles 200] [--rounds 3] [--commands-only | --side-by-side]

1. Crawl throughput with WARC writing on vs off: ``speechcrawl crawl`` of the five sandbox
   sites, ``SPEECHCRAWL_WARC_ENABLED`` True/False, runs alternated so drift hits both.
   Target: ratio >= 0.9.  ``--side-by-side`` runs each round's two crawls at the same time, each
   against its own sandbox (swapped every round), so both see the same machine: on a host whose
   speed drifts by a third within minutes, back-to-back runs do not.
2. ``speechcrawl archive verify`` (one worker a core, and ``--workers 1``) vs ``warcio check`` and ``fastwarc check -p`` (FastWARC checks
   one file a command, so it runs once per file), and ``speechcrawl archive index`` vs
   ``cdxj-indexer -s`` (sorted, as ours) and ``fastwarc index`` (no SURT key, no sort), MB/s of
   WARC read, on the files the WARC-on crawls wrote, and again on those files joined into one
   (gzip members concatenate), where start-up weighs least.  Targets: ratio >= 1.0 each.  All are
   run as commands, start-up included, because that is what a user waits for.

Every figure is the median of ``--rounds`` runs.  Prints markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import Measured, env_info, run_measured
from sandbox import SITES, SandboxProcess

BIN = Path(sys.executable).parent


def _crawl(sandbox: SandboxProcess, data: Path, warc: bool) -> tuple[int, Measured]:
    """One crawl as a child process: pages and its measurements."""
    origins = [f"--origin={site}={url}" for site, url in sandbox.urls.items()]
    run = run_measured([sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--sandbox", "--no-progress",
                        "--data", str(data), *origins, "-s", f"SPEECHCRAWL_WARC_ENABLED={warc}"])
    _check(run)
    m = re.search(r"^crawl \S+: (\d+) pages, \d+ records", run.stdout, re.M)
    assert m, run.stdout
    return int(m.group(1)), run


def _check(run: Measured) -> None:
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"benchmark command failed with exit code {run.returncode}")


# `fastwarc check -p` exits 1 on our files: it does not define a payload for non-HTTP records, so it
# counts every metadata record's WARC-Payload-Digest as failed.  Exit 1 is its verdict, not a crash.
_EACH_FILE = 'for f; do "$0" check -q -p "$f" > /dev/null || [ $? -eq 1 ] || exit 2; done'


def _fastwarc_check(files: list[str]) -> list[str]:
    """``fastwarc check -p`` once per file (it takes one), as one shell command."""
    return ["sh", "-c", _EACH_FILE, str(BIN / "fastwarc"), *files]


def _tool_seconds(tools: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float]]:
    """Median (seconds, CPU seconds) of each command; rounds interleave the commands so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in tools}
    cpu: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(rounds):
        for name, argv in tools.items():
            run = run_measured(argv)
            _check(run)
            times[name].append(run.seconds)
            cpu[name].append(run.cpu_seconds)
    return {name: (statistics.median(times[name]), statistics.median(cpu[name])) for name in tools}


def _tools(files: list[str], out: str) -> dict[str, list[str]]:
    speechcrawl = str(BIN / "speechcrawl")
    return {
        "speechcrawl archive verify": [speechcrawl, "archive", "verify", "--workers", str(_CORES), *files],
        "speechcrawl archive verify --workers 1": [speechcrawl, "archive", "verify", "--workers", "1", *files],
        "warcio check": [str(BIN / "warcio"), "check", *files],
        "fastwarc check -p": _fastwarc_check(files),
        "speechcrawl archive index": [speechcrawl, "archive", "index", "--workers", str(_CORES), *files, "-o", out],
        "speechcrawl archive index --workers 1": [speechcrawl, "archive", "index", "--workers", "1", *files, "-o", out],
        "cdxj-indexer -s": [str(BIN / "cdxj-indexer"), "-s", "-o", out, *files],
        "fastwarc index": [str(BIN / "fastwarc"), "index", "-o", out, "-f", _FASTWARC_FIELDS, *files],
    }


# One worker a core, whatever the load (the default would fall back to one on a busy machine).
_CORES = len(os.sched_getaffinity(0))

# What our CDXJ line holds, as FastWARC names fields.
_FASTWARC_FIELDS = ("warc-target-uri,warc-date,http:content-type,http:status,warc-payload-digest,length,offset,"
                    "filename")


def _print_tools(title: str, seconds: dict[str, tuple[float, float]], megabytes: float) -> None:
    print(f"| {title}, {megabytes:.1f} MB | seconds | CPU seconds | MB/s |")
    print("| --- | ---: | ---: | ---: |")
    for name, (wall, cpu) in seconds.items():
        print(f"| `{name}` | {wall:.2f} | {cpu:.2f} | {megabytes / wall:.1f} |")
    for suffix, what in (("", f"{_CORES} processes"), (" --workers 1", "one process")):
        verify = seconds["speechcrawl archive verify" + suffix]
        index = seconds["speechcrawl archive index" + suffix]
        print(f"\n{what}, ratios (others' seconds / ours, then in CPU seconds): verify vs warcio check "
              f"**{seconds['warcio check'][0] / verify[0]:.2f}**, vs fastwarc check -p "
              f"**{seconds['fastwarc check -p'][0] / verify[0]:.2f}** (CPU {seconds['fastwarc check -p'][1] / verify[1]:.2f}); "
              f"index vs cdxj-indexer -s **{seconds['cdxj-indexer -s'][0] / index[0]:.2f}**, vs fastwarc index "
              f"**{seconds['fastwarc index'][0] / index[0]:.2f}** (CPU {seconds['fastwarc index'][1] / index[1]:.2f}) "
              "(targets >= 1.0)")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="articles per sandbox site (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measurement (default 3)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--commands-only", action="store_true",
                      help="crawl with WARC on only (the same files), and time the commands: no on/off ratio")
    mode.add_argument("--side-by-side", action="store_true",
                      help="run each round's WARC-on and WARC-off crawls at the same time, each against its own "
                           "sandbox, so drift of the machine's speed hits both alike")
    args = parser.parse_args(argv)
    rates: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    pages: dict[bool, int] = {}
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        sandbox = stack.enter_context(SandboxProcess(articles=args.articles))
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        other = stack.enter_context(SandboxProcess(articles=args.articles)) if args.side_by_side else None
        for i in range(args.rounds):
            if other is not None:
                served = {True: sandbox, False: other} if i % 2 == 0 else {True: other, False: sandbox}
                with ThreadPoolExecutor(2) as both:  # each thread waits for its own child
                    runs = {warc: both.submit(_crawl, served[warc], Path(tmp) / f"crawl-{i}-{warc}", warc)
                            for warc in (True, False)}
                results = [(warc, *future.result()) for warc, future in runs.items()]
            else:
                results = [(warc, *_crawl(sandbox, Path(tmp) / f"crawl-{i}-{warc}", warc))
                           for warc in ((True,) if args.commands_only else (False, True) if i % 2 == 0
                                        else (True, False))]
            for warc, n, run in results:
                pages[warc] = n
                rates[warc].append(n / run.seconds)
                cpu[warc].append(1000 * run.cpu_seconds / n)
        # Every WARC-on crawl's files (distinct crawl ids, so distinct names): enough MB that
        # start-up does not decide the figure.
        files = sorted(map(str, Path(tmp).glob("crawl-*-True/warc/*/*.warc.gz")))
        megabytes = sum(Path(f).stat().st_size for f in files) / 1e6
        index_out = str(Path(tmp) / "index.cdxj")
        joined = Path(tmp) / "joined.warc.gz"
        with joined.open("wb") as out:
            for name in files:
                out.write(Path(name).read_bytes())
        seconds = _tool_seconds(_tools(files, index_out), args.rounds)
        joined_seconds = _tool_seconds(_tools([str(joined)], index_out), args.rounds)
    print(f"archive benchmark ({env_info()}; sandbox: {len(SITES)} sites x {args.articles} articles; "
          f"{'crawls side by side; ' if args.side_by_side else ''}median of {args.rounds} runs; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)\n")
    if not args.commands_only:
        _print_crawls(rates, cpu, pages, megabytes / args.rounds)
    _print_tools(f"command on the same {len(files)} files", seconds, megabytes)
    _print_tools("command on those files joined into one", joined_seconds, megabytes)
    return 0


def _print_crawls(rates: dict[bool, list[float]], cpu: dict[bool, list[float]], pages: dict[bool, int],
                  per_crawl: float) -> None:
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    print("| crawl | pages | pages/s | CPU s per 1000 pages (all threads) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| WARC off (`SPEECHCRAWL_WARC_ENABLED=False`) | {pages[False]} | {off:.0f} | "
          f"{statistics.median(cpu[False]):.2f} |")
    print(f"| WARC on (request + response/revisit + document metadata records) | {pages[True]} | {on:.0f} | "
          f"{statistics.median(cpu[True]):.2f} |")
    cpu_on, cpu_off = statistics.median(cpu[True]), statistics.median(cpu[False])
    print(f"\nratio (WARC on / off): **{on / off:.2f}** pages/s, **{cpu_off / cpu_on:.2f}** in CPU per page "
          f"(target >= 0.9); WARC files of one crawl: {per_crawl:.2f} MB")
    # The two crawls of a round run back to back, or at once (--side-by-side): their ratio is what drift on a
    # shared machine moves least.
    paired = [a / b for a, b in zip(rates[True], rates[False], strict=True)]
    paired_cpu = [b / a for a, b in zip(cpu[True], cpu[False], strict=True)]
    print(f"ratio of the two crawls of each round, median: **{statistics.median(paired):.2f}** pages/s, "
          f"**{statistics.median(paired_cpu):.2f}** in CPU per page (rounds: "
          f"{', '.join(f'{r:.2f}' for r in paired)})\n")


if __name__ == "__main__":
    sys.exit(main())
