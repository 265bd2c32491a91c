"""Generic-mode crawl throughput on a site without a profile, against a bare Scrapy CrawlSpider.

    python -m bench.bench_generic [--articles 2000] [--rounds 3] [--no-warc] [--before TREE] [--modes profile]

Starts :mod:`bench.bench_site` (2,000 articles of 25–40 KB, ~45 links a page, half GBK,
robots.txt disallowing linked views) in its own process, then runs, interleaved for each
round so drift on a shared machine hits every run alike: the bare CrawlSpider baseline
(bench.bare_scrapy), ``speechcrawl crawl URL`` (generic mode: WARC, cleaning, catalog),
``speechcrawl crawl benchsite`` (profile mode, with the profile a maintainer would write for the
site, ``bench/profiles/benchsite.toml``: not bundled, passed with ``--profiles``), and with
``--no-warc`` the generic crawl with ``SPEECHCRAWL_WARC_ENABLED=False``.  Prints medians and
ratios as a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.bench_site import running
from bench.common import Measured, env_info, run_measured

PROFILES = Path(__file__).resolve().parent / "profiles"
"""The bench site's profile (``benchsite``), kept out of the product's bundled profiles."""


@contextmanager
def _site(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url
        return
    with running(args.articles) as urls:
        yield urls[0]


def _ours(target: str, data: Path, *extra: str, tree: str | None = None) -> tuple[Measured, int, int]:
    # ``python -m`` puts the working directory first on sys.path: the other tree must be both.
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    run = run_measured([sys.executable, "-m", "crawler.cli", "crawl", target, "--sandbox", "--no-progress",
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
    parser.add_argument("--before", metavar="TREE", help="also crawl (in each mode) with the source tree TREE "
                        "(e.g. `git archive main | tar -x -C TREE`): before/after in one run")
    parser.add_argument("--url", help="crawl this already running bench site instead of starting one")
    parser.add_argument("--modes", default="generic,profile",
                        help="which of our crawls to run: generic, profile or both (default generic,profile)")
    args = parser.parse_args(argv)
    runs: dict[str, list[tuple[float, float, float, int, int]]] = {}
    load = []
    with _site(args) as url, tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            load.append(os.getloadavg()[0])
            bare, pages = _bare(url)
            runs.setdefault("bare Scrapy CrawlSpider, all links, no WARC", []).append(
                (pages / bare.seconds, bare.cpu_seconds * 1000 / pages, bare.peak_rss_mb, pages, 0))
            profile = ("benchsite", "--profiles", str(PROFILES), "--origin", f"benchsite={url}")
            jobs: list[tuple[str, tuple[str, ...], str | None]] = []
            if "generic" in args.modes:
                if args.before:
                    jobs.append(("speechcrawl generic, before (--before tree)", (url,), args.before))
                jobs.append(("speechcrawl generic (`crawl URL --sandbox`)", (url,), None))
            if "profile" in args.modes:
                if args.before:
                    jobs.append(("speechcrawl profile, before (--before tree)", profile, args.before))
                jobs.append(("speechcrawl profile (`crawl benchsite --profiles bench/profiles`)", profile, None))
            if args.no_warc:
                jobs.append(("speechcrawl generic, WARC off", (url, "-s", "SPEECHCRAWL_WARC_ENABLED=False"), None))
            for i, (name, (target, *extra), tree) in enumerate(jobs):
                run, pages, records = _ours(target, Path(tmp) / f"{i}-{n}", *extra, tree=tree)
                runs.setdefault(name, []).append(
                    (pages / run.seconds, run.cpu_seconds * 1000 / pages, run.peak_rss_mb, pages, records))
    base = statistics.median(r[0] for r in runs["bare Scrapy CrawlSpider, all links, no WARC"])
    base_cpu = statistics.median(r[1] for r in runs["bare Scrapy CrawlSpider, all links, no WARC"])
    print(f"generic crawl benchmark ({env_info()}; bench site {args.articles} articles; {args.rounds} rounds; "
          f"load average {min(load):.1f}–{max(load):.1f})\n")
    print("| run | pages | records | pages/s (median) | × bare | CPU ms/page | × bare (CPU) | peak RSS MB "
          "| runs pages/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, rows in runs.items():
        rate = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"| {name} | {rows[0][3]} | {rows[0][4]} | {rate:.1f} | **{rate / base:.2f}** | "
              f"{cpu:.1f} | {base_cpu / cpu:.2f} | {max(r[2] for r in rows):.0f} | "
              f"{', '.join(f'{r[0]:.0f}' for r in rows)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
