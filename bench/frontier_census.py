"""What holds the memory of a generic crawl: a census of live objects and allocations at one instant.

    python -m bench.frontier_census [--articles 20000] [--at 3000] [--frames 1] [--top 25]

Starts :mod:`bench.bench_site` (``--lazy``) with ``--articles`` articles and crawls it in this
process in generic mode, as ``speechcrawl crawl URL --sandbox`` does, with ``tracemalloc`` on
from the start.  When the ``--at``-th response arrives it prints: the scheduler's pending
requests, the RSS, the memory tracemalloc traces in all and per pending request, the live objects
by type (gc) and the ``--top`` lines of code holding the most traced memory, then stops the crawl.
tracemalloc slows the crawl about twice and costs memory of its own (RSS here is higher than
without it); the point is where the traced memory was allocated, not the RSS.  ``-s NAME=VALUE`` sets a crawl
setting: ``-s SCHEDULER_MEMORY_QUEUE=scrapy.squeues.LifoMemoryQueue`` takes the census with Scrapy's
own queue instead of crawler.queues (docs/benchmarks.md, "What held the memory").
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from bench.bench_site import running
from bench.common import env_info
from bench.rss_curve import memory_mb

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_AT = 3000
_TOP = 25


class Census:
    """An extension that takes the census at the ``BENCH_CENSUS_AT``-th response (CLOSESPIDER_PAGECOUNT ends the crawl)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.at = crawler.settings.getint("BENCH_CENSUS_AT", _AT)
        self.top = crawler.settings.getint("BENCH_CENSUS_TOP", _TOP)
        self.responses = 0
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def response_received(self, **kwargs: Any) -> None:
        self.responses += 1
        if self.done or self.responses < self.at:
            return
        self.done = True
        report(self.crawler, self.responses, self.top)


def report(crawler: Crawler, responses: int, top: int) -> None:
    """Print the census (see the module docstring)."""
    assert crawler.engine is not None
    scheduler = crawler.engine.scheduler
    pending = len(scheduler) if scheduler is not None else 0  # type: ignore[arg-type]  # Scheduler has __len__
    gc.collect()
    rss = memory_mb(os.getpid())
    traced, _peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot().filter_traces([
        tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")])
    print(f"census at {responses} responses: {pending} requests pending in the scheduler; RSS "
          f"{rss[0] if rss else 0:.0f} MB; traced {traced / 2**20:.1f} MB "
          f"({traced / max(pending, 1):.0f} B a pending request if all were theirs)")
    types = Counter(type(o).__qualname__ for o in gc.get_objects())
    print("\nlive objects (gc-tracked) by type:")
    for name, count in types.most_common(15):
        print(f"  {count:>9}  {name}")
    print(f"\ntop {top} allocation sites (tracemalloc, live memory):")
    for stat in snapshot.statistics("lineno")[:top]:
        frame = stat.traceback[0]
        print(f"  {stat.size / 2**20:7.2f} MB {stat.count:>8}  {_short(frame.filename)}:{frame.lineno}")


def _short(path: str) -> str:
    for marker in ("site-packages/", "wt20m/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--at", type=int, default=_AT, help="take the census at this response (default 3000)")
    parser.add_argument("--frames", type=int, default=1, help="tracemalloc frames kept per allocation (default 1)")
    parser.add_argument("--top", type=int, default=_TOP)
    parser.add_argument("-s", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for the crawl (as `speechcrawl crawl -s`)")
    args = parser.parse_args(argv)
    from crawler.options import CrawlOptions, crawl_settings
    from crawler.runner import resolve_targets, run_crawl

    print(f"frontier census ({env_info()}; bench site {args.articles} articles)")
    tracemalloc.start(args.frames)
    with running(args.articles, lazy=True) as (url, *_), tempfile.TemporaryDirectory() as tmp:
        overrides = dict(pair.split("=", 1) for pair in args.overrides)
        settings = crawl_settings(CrawlOptions(data_dir=Path(tmp) / "data", sandbox=True,
                                               progress=False, overrides=overrides))
        settings["EXTENSIONS"].set(f"{__name__}.Census", 900, "cmdline")
        settings.set("BENCH_CENSUS_AT", args.at, "cmdline")
        settings.set("CLOSESPIDER_PAGECOUNT", args.at + 100, "cmdline")
        settings.set("BENCH_CENSUS_TOP", args.top, "cmdline")
        run_crawl(resolve_targets([url]), settings, progress=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
