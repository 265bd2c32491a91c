"""Archive benchmarks, each a ratio measured in the same run on the same machine.

    python -m bench.bench_archive [--articles 200] [--rounds 3]

1. Crawl throughput with WARC writing on vs off: ``speechcrawl crawl`` of the five sandbox
   sites, ``SPEECHCRAWL_WARC_ENABLED`` True/False, runs alternated so drift hits both.
   Target: ratio >= 0.9.
2. ``speechcrawl archive verify`` vs ``warcio check``, and ``speechcrawl archive index``
   vs ``cdxj-indexer -s`` (sorted, as ours), MB/s of WARC read, on the files the
   WARC-on crawls wrote.  Targets: ratio >= 1.0 each.  All four are run as commands, start-up
   included, because that is what a user waits for.

Every figure is the median of ``--rounds`` runs.  Prints markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
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


def _tool_seconds(tools: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median seconds of each command; rounds interleave the commands so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(rounds):
        for name, argv in tools.items():
            run = run_measured(argv)
            _check(run)
            times[name].append(run.seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="articles per sandbox site (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measurement (default 3)")
    args = parser.parse_args(argv)
    rates: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    pages: dict[bool, int] = {}
    with SandboxProcess(articles=args.articles) as sandbox, tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            for warc in (False, True) if i % 2 == 0 else (True, False):
                n, run = _crawl(sandbox, Path(tmp) / f"crawl-{i}-{warc}", warc)
                pages[warc] = n
                rates[warc].append(n / run.seconds)
                cpu[warc].append(1000 * run.cpu_seconds / n)
        # Every WARC-on crawl's files (distinct crawl ids, so distinct names): enough MB that
        # start-up does not decide the figure.
        files = sorted(map(str, Path(tmp).glob("crawl-*-True/warc/*/*.warc.gz")))
        megabytes = sum(Path(f).stat().st_size for f in files) / 1e6
        index_out = str(Path(tmp) / "index.cdxj")
        seconds = _tool_seconds({
            "speechcrawl archive verify": [str(BIN / "speechcrawl"), "archive", "verify", *files],
            "warcio check": [str(BIN / "warcio"), "check", *files],
            "speechcrawl archive index": [str(BIN / "speechcrawl"), "archive", "index", *files, "-o", index_out],
            "cdxj-indexer -s": [str(BIN / "cdxj-indexer"), "-s", "-o", index_out, *files],
        }, args.rounds)
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    print(f"archive benchmark ({env_info()}; sandbox: {len(SITES)} sites x {args.articles} articles; "
          f"median of {args.rounds} runs)\n")
    print("| crawl | pages | pages/s | CPU s per 1000 pages (all threads) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| WARC off (`SPEECHCRAWL_WARC_ENABLED=False`) | {pages[False]} | {off:.0f} | "
          f"{statistics.median(cpu[False]):.2f} |")
    print(f"| WARC on (request + response/revisit + document metadata records) | {pages[True]} | {on:.0f} | "
          f"{statistics.median(cpu[True]):.2f} |")
    print(f"\nratio (WARC on / off): **{on / off:.2f}** (target >= 0.9)\n")
    print(f"| command on the same {len(files)} files, {megabytes:.1f} MB | seconds | MB/s |")
    print("| --- | ---: | ---: |")
    for name, value in seconds.items():
        print(f"| `{name}` | {value:.2f} | {megabytes / value:.1f} |")
    verify_ratio = seconds["warcio check"] / seconds["speechcrawl archive verify"]
    index_ratio = seconds["cdxj-indexer -s"] / seconds["speechcrawl archive index"]
    print(f"\nratio verify / warcio check: **{verify_ratio:.2f}**; index / cdxj-indexer: **{index_ratio:.2f}** "
          "(targets >= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
