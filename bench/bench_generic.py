"""Generic-mode crawl throughput on a site without a profile, against a bare Scrapy CrawlSpider.

    python -m bench.bench_generic [--articles 2000] [--rounds 3] [--no-warc]

Starts :mod:`bench.bench_site` (2,000 articles of 25–40 KB, ~45 links a page, half GBK,
robots.txt disallowing linked views) in its own process, then runs, interleaved for each
round so drift on a shared machine hits every run alike: the bare CrawlSpider baseline
(bench.bare_scrapy), ``speechcrawl crawl URL`` (generic mode: WARC, cleaning, catalog), and
with ``--no-warc`` the same crawl with ``SPEECHCRAWL_WARC_ENABLED=False``.  Prints medians
and ratios as a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import Measured, env_info, run_measured


@contextmanager
def bench_site(articles: int, *, lazy: bool = False) -> Iterator[str]:
    """Run bench.bench_site in a child process; yield its URL; stop that child (by its PID) after."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.bench_site", "--articles", str(articles),
                             *(["--lazy"] if lazy else [])], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"listening on (\S+)", line)
        if match is None:
            raise SystemExit(f"bench site did not start: {line!r}")
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def _site(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url
        return
    with bench_site(args.articles) as url:
        yield url


def _ours(url: str, data: Path, *extra: str, tree: str | None = None) -> tuple[Measured, int, int]:
    # ``python -m`` puts the working directory first on sys.path: the other tree must be both.
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    run = run_measured([sys.executable, "-m", "crawler.cli", "crawl", url, "--sandbox", "--no-progress",
                        "--data", str(data.resolve()), *extra], env=env, cwd=Path(tree) if tree else None)
    match = re.search(r": (\d+) pages, (\d+) records", run.stdout)
    if match is None:
        raise SystemExit(run.stdout + run.stderr)
    return run, int(match.group(1)), int(match.group(2))


def _bare(url: str) -> tuple[Measured, int]:
    run = run_measured([sys.executable, "-m", "bench.bare_scrapy", url])
    match = re.search(r"responses=(\d+)", run.stdout)
    if run.returncode != 0 or match is None:
        raise SystemExit(run.stdout + run.stderr)
    return run, int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-warc", action="store_true", help="also crawl with WARC off")
    parser.add_argument("--before", metavar="TREE", help="also crawl with the speechcrawl source tree TREE "
                        "(e.g. `git archive main | tar -x -C TREE`): before/after in one run")
    parser.add_argument("--url", help="crawl this already running bench site instead of starting one")
    args = parser.parse_args(argv)
    runs: dict[str, list[tuple[float, float, float, int, int]]] = {}
    load = []
    with _site(args) as url, tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            load.append(os.getloadavg()[0])
            bare, pages = _bare(url)
            runs.setdefault("bare Scrapy CrawlSpider, all links, no WARC", []).append(
                (pages / bare.seconds, bare.cpu_seconds * 1000 / pages, bare.peak_rss_mb, pages, 0))
            jobs: list[tuple[str, tuple[str, ...], str | None]] = [
                ("speechcrawl generic (`crawl URL --sandbox`)", (), None)]
            if args.before:
                jobs.insert(0, ("speechcrawl generic, before (--before tree)", (), args.before))
            if args.no_warc:
                jobs.append(("speechcrawl generic, WARC off", ("-s", "SPEECHCRAWL_WARC_ENABLED=False"), None))
            for i, (name, extra, tree) in enumerate(jobs):
                run, pages, records = _ours(url, Path(tmp) / f"{i}-{n}", *extra, tree=tree)
                runs.setdefault(name, []).append(
                    (pages / run.seconds, run.cpu_seconds * 1000 / pages, run.peak_rss_mb, pages, records))
    base = statistics.median(r[0] for r in runs["bare Scrapy CrawlSpider, all links, no WARC"])
    print(f"generic crawl benchmark ({env_info()}; bench site {args.articles} articles; {args.rounds} rounds; "
          f"load average {min(load):.1f}–{max(load):.1f})\n")
    print("| run | pages | records | pages/s (median) | × bare | CPU ms/page | peak RSS MB | runs pages/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, rows in runs.items():
        rate = statistics.median(r[0] for r in rows)
        print(f"| {name} | {rows[0][3]} | {rows[0][4]} | {rate:.1f} | **{rate / base:.2f}** | "
              f"{statistics.median(r[1] for r in rows):.1f} | {max(r[2] for r in rows):.0f} | "
              f"{', '.join(f'{r[0]:.0f}' for r in rows)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
