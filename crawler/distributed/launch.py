"""Starting a distributed crawl: ``speechcrawl crawl SITE… --redis URL [--wait] [--workers N]``.

Seeding returns at once (workers anywhere pick the crawl up).  ``--wait`` makes the starting
process the crawl's record writer until the crawl is over; ``--workers N`` also starts N local
worker processes (one machine's cores all crawling), stopped by their PIDs when the crawl is over.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from corpus.catalog import CATALOG_NAME
from crawler.distributed.crawls import seed_crawl
from crawler.distributed.ingest import CrawlProgress, RecordWriter
from crawler.distributed.keys import connect
from crawler.distributed.outbox import REDIS_ERRORS

if TYPE_CHECKING:
    from crawler.options import CrawlOptions
    from spiders.profiles import SiteProfile

__all__ = ["NoRedis", "Launch", "launch", "LOCAL_REDIS"]

LOCAL_REDIS = "redis://127.0.0.1:6379/0"
"""Where ``--workers N`` looks for Redis when neither --redis nor SPEECHCRAWL_REDIS_URL says."""
WORKER_IDLE_EXIT = 10.0
"""Local workers exit this long after their last crawl is over (the launcher stops them sooner)."""


class NoRedis(RuntimeError):
    """No Redis answers at the URL: the message is one line saying which URL and what to do."""


@dataclass
class Launch:
    crawl_id: str
    seeded: int
    progress: CrawlProgress | None = None


def _check(url: str) -> None:
    try:
        connect(url, retries=0).ping()
    except REDIS_ERRORS as exc:
        raise NoRedis(f"no Redis reachable at {url} ({exc}); start one (redis-server) or pass --redis URL") from None


def start_workers(url: str, data_dir: Path, count: int, *, allow_private: bool) -> list[subprocess.Popen[bytes]]:
    """``count`` local ``speechcrawl worker`` processes sharing ``data_dir`` (ids ``w1``…``wN``)."""
    extra = ["--allow-private"] if allow_private else []
    return [subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker", "--redis", url, "--data", str(data_dir),
                              "--id", f"w{n}", "--exit-when-idle", str(WORKER_IDLE_EXIT), *extra])
            for n in range(1, count + 1)]


def stop_workers(workers: Sequence[subprocess.Popen[bytes]], timeout: float = 60.0) -> None:
    """SIGTERM each worker we started (by its PID), then wait; a worker that will not stop is killed."""
    for proc in workers:
        if proc.poll() is None:
            proc.terminate()
    for proc in workers:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def launch(url: str, options: CrawlOptions, targets: Sequence[str], profiles: Sequence[SiteProfile], *,
           crawl_id: str, wait: bool, workers: int, stream: TextIO | None = None) -> Launch:
    """Seed the crawl; with ``wait`` or ``workers`` write its records until it is over.  Raises NoRedis."""
    _check(url)
    server = connect(url)
    result = Launch(crawl_id, seed_crawl(server, crawl_id, options, targets, profiles))
    if not wait and not workers:
        return result
    private = options.allow_private or options.sandbox
    procs = start_workers(url, options.data_dir, workers, allow_private=private) if workers else []
    writer = RecordWriter(server, options.data_dir / CATALOG_NAME)
    out = stream or sys.stderr

    def report(line: str) -> None:
        if options.progress:
            out.write(line + "\n")
            out.flush()

    try:
        writer.run([crawl_id], until_over=True, exit_when_idle=None, report=report,
                   stop=lambda: bool(procs) and all(p.poll() is not None for p in procs))
        # Workers that all exited before the crawl was over (crashed): write what they left, then say so.
        writer.run([crawl_id], until_over=True, exit_when_idle=2.0)
        result.progress = writer.progress.get(crawl_id)
    finally:
        writer.close()
        stop_workers(procs)
    return result
