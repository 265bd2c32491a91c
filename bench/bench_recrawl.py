"""Re-crawl cost: an unchanged site crawled a second time, as a ratio of the first crawl.

    python -m bench.bench_recrawl [--articles 2000] [--demo] [--bench-site] [--before TREE] [--ledger N ...]
                                  [--no-sandbox-sites]

One sandbox process serves ribao (answers conditional requests: ETag, Last-Modified, 304)
and fanwen (ignores them) with ``--articles`` articles each; nothing changes between the
two crawls. ``--demo`` also runs ``speechcrawl demo`` twice into one directory (the five
sandbox sites), ``--bench-site`` also crawls :mod:`bench.bench_site` (``--articles``
articles of 25–40 KB, answering 304 like a static CMS) twice in generic mode.  For each:
bytes received over HTTP (Scrapy's downloader/response_bytes), bytes of the crawl's WARC
files (every record, document metadata included), and wall time of the second crawl
against the first.  ``--before TREE`` measures every row with that speechcrawl source tree
too (e.g. ``git archive main | tar -x -C TREE``); ``--ledger N`` (repeatable) measures every row
again with ``-s SPEECHCRAWL_WARC_RECHECK_LEDGER=N`` (both crawls), the re-check ledger;
``--no-sandbox-sites`` leaves out ribao and fanwen.  Prints a markdown table for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.bench_site import running
from bench.common import env_info, run_measured
from sandbox import SandboxProcess

SITES = ("ribao", "fanwen")
_KEYS = ("downloader/response_bytes", "response_received_count", "speechcrawl/conditional/not_modified")

Crawl = Callable[[Path, str | None, tuple[str, ...]], tuple[float, dict[str, int]]]
"""Crawl into a data dir with a source tree (None: this one) and more options; seconds and summed stats."""


def _cli(tree: str | None, *args: str) -> tuple[float, str, str]:
    # ``python -m`` puts the working directory first on sys.path: the other tree must be both.
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    run = run_measured([sys.executable, "-m", "crawler.cli", *args], env=env, cwd=Path(tree) if tree else None)
    if run.returncode != 0:
        raise SystemExit(run.stdout + run.stderr)
    return run.seconds, run.stdout, run.stderr


def _measured(data: Path, crawl_id: str) -> dict[str, int]:
    """The crawl's stats summed over its sites, and the bytes of its WARC files."""
    conn = sqlite3.connect(data / "catalog.sqlite")
    rows = conn.execute("SELECT stats FROM crawls WHERE id = ?", (crawl_id,)).fetchall()
    conn.close()
    out = dict.fromkeys(_KEYS, 0)
    for (stats,) in rows:
        found = json.loads(stats)
        for key in _KEYS:
            out[key] += int(found.get(key, 0) or 0)
    # The files themselves: the recorder's stat leaves out the document metadata records.
    out["warc file bytes"] = sum(p.stat().st_size for p in (data / "warc").glob(f"*/*{crawl_id}*.warc.gz"))
    return out


def _crawl_id(stdout: str) -> str:
    return re.search(r"^crawl ([^\s:]+)", stdout, re.M).group(1)  # type: ignore[union-attr]


def _crawl(*target: str) -> Crawl:
    def run(data: Path, tree: str | None, extra: tuple[str, ...]) -> tuple[float, dict[str, int]]:
        seconds, stdout, _ = _cli(tree, "crawl", *target, "--sandbox", "--no-progress", "--data", str(data.resolve()),
                               *extra)
        return seconds, _measured(data, _crawl_id(stdout))
    return run


def _demo(data: Path, tree: str | None, extra: tuple[str, ...]) -> tuple[float, dict[str, int]]:
    seconds, stdout, stderr = _cli(tree, "demo", "--out", str(data.resolve()), "--no-progress", *extra)
    if "using random ports" in stderr:
        # Another process holds the sandbox's default ports: the URLs (and record ids) differ from the
        # other crawl's, so the second crawl would be a second corpus, not a re-crawl.
        raise SystemExit("speechcrawl demo could not use the default sandbox ports; free them and run again")
    return seconds, _measured(data, _crawl_id(stdout))


def _row(name: str, conditional: str, first_s: float, first: dict[str, int], second_s: float,
         second: dict[str, int]) -> str:
    http = (first["downloader/response_bytes"], second["downloader/response_bytes"])
    warc = (first["warc file bytes"], second["warc file bytes"])
    per_fetch = warc[1] / max(second["response_received_count"], 1)
    return (f"| {name} | {conditional} | {second['response_received_count']} | "
            f"{second['speechcrawl/conditional/not_modified']} | {http[0] / 1e6:.1f} MB / {http[1] / 1e6:.2f} MB | "
            f"{http[1] / http[0]:.3f} | {warc[0] / 1e6:.2f} MB / {warc[1] / 1e6:.3f} MB | **{warc[1] / warc[0]:.3f}** "
            f"| {per_fetch:.0f} | {first_s:.1f} / {second_s:.1f} | {second_s / first_s:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="articles per site (default 2000)")
    parser.add_argument("--demo", action="store_true", help="also `speechcrawl demo` twice into one directory")
    parser.add_argument("--bench-site", action="store_true", help="also the generic bench site, twice")
    parser.add_argument("--before", metavar="TREE", help="also measure with this speechcrawl source tree")
    parser.add_argument("--ledger", metavar="N", type=int, action="append", default=[],
                        help="also measure with SPEECHCRAWL_WARC_RECHECK_LEDGER=N (repeatable)")
    parser.add_argument("--no-sandbox-sites", action="store_true", help="leave out ribao and fanwen")
    args = parser.parse_args(argv)
    trees: list[tuple[str, str | None, tuple[str, ...]]] = [("before", args.before, ())] if args.before else []
    trees.append(("after" if args.before else "", None, ()))
    trees += [(f"ledger {n}", None, ("-s", f"SPEECHCRAWL_WARC_RECHECK_LEDGER={n}")) for n in args.ledger]
    rows = []
    load = os.getloadavg()[0]
    with SandboxProcess(sites=list(SITES), articles=args.articles) as sandbox, tempfile.TemporaryDirectory() as tmp:
        jobs: list[tuple[str, str, Crawl]] = [] if args.no_sandbox_sites else [
            (site, "yes" if site == "ribao" else "no", _crawl(site, f"--origin={site}={sandbox.urls[site]}"))
            for site in SITES]
        if args.demo:
            jobs.append(("demo (5 sandbox sites)", "2 of 5", _demo))
        for name, conditional, crawl in jobs:
            for label, tree, extra in trees:
                data = Path(tmp) / f"{name}-{label}"
                first_s, first = crawl(data, tree, extra)
                second_s, second = crawl(data, tree, extra)
                rows.append(_row(f"{name} {label}".strip(), conditional, first_s, first, second_s, second))
    if args.bench_site:
        with running(args.articles) as (url, *_), tempfile.TemporaryDirectory() as tmp:
            for label, tree, extra in trees:
                data = Path(tmp) / (label or "this")
                first_s, first = _crawl(url)(data, tree, extra)
                second_s, second = _crawl(url)(data, tree, extra)
                rows.append(_row(f"bench site {label}".strip(), "yes", first_s, first, second_s, second))
    print(f"re-crawl benchmark ({env_info()}; sandbox and bench site: {args.articles} articles a site, nothing "
          f"changed; load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end)\n")
    print("| site | conditional requests | responses | 304s | HTTP bytes 1st / 2nd | ratio | WARC bytes 1st / 2nd "
          "| ratio | WARC bytes per fetch (2nd) | seconds 1st / 2nd | ratio |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
