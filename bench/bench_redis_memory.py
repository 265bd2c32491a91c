"""Redis memory of a distributed crawl: per queued request, per seen fingerprint, set against Bloom filter.

    python -m bench.bench_redis_memory [--count 1000000] [--batch 5000] [--hosts 20]

Against a redis-server of its own (tests/harness/redis.py: a free loopback port, stopped by its
PID; append-only file off here, so only the data is counted), emptied between the runs:

- **queue**: ``--count`` requests pushed into the crawl's frontier by the real queue class
  (crawler.distributed.frontier.LeasedQueue, its push script: dupefilter check and queue insert),
  serialized as the workers serialize them.  The requests are what the bench site's profile
  (bench/profiles/benchsite.toml) makes of a list page of bench.bench_site: the spider's own
  requests (callback, errback) with the ``depth`` Scrapy's depth middleware sets, their URLs
  those of the bench site's articles spread over ``--hosts`` ports (``http://127.0.0.1:8700/a/123.html``).
- **set**: ``--count`` other requests' fingerprints added through scrapy-redis's RFPDupeFilter
  (``request_seen``: a 40-hex SHA1 in a Redis set), the default.
- **bloom**: the same through crawler.distributed.dupefilter.BloomDupeFilter, for each ``--bloom
  CAPACITY:ERROR`` (default: the default settings, a first layer for 100,000 growing as needed at
  1e-6, and the same at 1e-3, a rate a million probes can measure); after each, ``--count`` fingerprints never added are probed: the share reported seen is
  the false-positive rate, and the new URLs the filter took for seen ones while filling are the
  pages such a crawl would never fetch.

Every command is pipelined ``--batch`` at a time.  Memory is ``INFO memory`` used_memory before
and after (the whole server) and ``MEMORY USAGE key SAMPLES 0`` (each key, exact).  Prints a
markdown table for docs/benchmarks.md ("Distributed crawls").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy_redis.dupefilter import RFPDupeFilter

from bench.bench_site import list_page
from bench.common import env_info
from crawler.distributed.dupefilter import BloomDupeFilter, RedisBloom, Seen
from crawler.distributed.frontier import LeasedQueue, start_requests
from crawler.distributed.keys import CrawlKeys, connect
from spiders.profiles import load_profile
from tests.harness.redis import RedisServer

PROFILE = Path(__file__).with_name("profiles") / "benchsite.toml"
SITE = CrawlKeys("bench").site("benchsite")


@dataclass
class Row:
    what: str
    items: int
    used: int
    """used_memory after less before (bytes)."""
    keys: dict[str, int]
    """MEMORY USAGE of each key (bytes)."""
    seconds: float
    note: str = ""

    def line(self) -> str:
        per = next(iter(self.keys.values())) / self.items  # the requests, the set, the bits
        keys = ", ".join(f"`{k.rsplit(':', 1)[-1]}` {v / 2**20:.1f}" for k, v in self.keys.items())
        return (f"| {self.what} | {self.items:,} | {self.used / 2**20:.1f} | {keys} | {per:.1f} "
                f"| {per * 1_000_000 / 2**20:.1f} | {self.seconds:.0f} ({self.items / self.seconds:,.0f}/s) "
                f"| {self.note} |")


def template() -> tuple[Any, Request]:
    """The bench site's spider and one article request as it makes them, from a real list page."""
    spider, _ = start_requests(load_profile(PROFILE))
    page = Request("http://127.0.0.1:8700/list/3.html", meta={"depth": 1})
    response = HtmlResponse(page.url, body=list_page(3, 2000), request=page,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    article = next(r for r in spider.parse(response) if isinstance(r, Request) and "/a/" in r.url)
    # What Scrapy's DepthMiddleware adds on the way to the scheduler (DEPTH_PRIORITY 0: priority unchanged).
    article.meta["depth"] = page.meta["depth"] + 1
    return spider, article


def requests(like: Request, start: int, count: int, hosts: int) -> Iterator[Request]:
    """``count`` requests shaped like ``like``: article ``n`` on host ``n % hosts`` (ports 8700…)."""
    for n in range(start, start + count):
        yield like.replace(url=f"http://127.0.0.1:{8700 + n % hosts}/a/{n}.html")


def plain(start: int, count: int, hosts: int) -> Iterator[Request]:
    """The same URLs as bare requests: a fingerprint is the method, URL and body's, nothing else."""
    for n in range(start, start + count):
        yield Request(f"http://127.0.0.1:{8700 + n % hosts}/a/{n}.html")


def batched(total: int, batch: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, batch):
        yield start, min(batch, total - start)


class Overlapped:
    """Runs each batch's pipeline in a thread while the next batch is built: Redis and Python work at once."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: Future[list[Any]] | None = None
        self.results: list[Any] = []

    def send(self, pipe: Any) -> None:
        self.wait()
        self.pending = self.pool.submit(pipe.execute)

    def wait(self) -> list[Any]:
        if self.pending is not None:
            self.results.extend(self.pending.result())
            self.pending = None
        return self.results

    def close(self) -> list[Any]:
        self.pool.shutdown()
        return self.wait()


def used_memory(client: Any) -> int:
    return int(client.info("memory")["used_memory"])


def measure(client: Any, what: str, count: int, keys: list[str], run: Callable[[], tuple[str, float]]) -> Row:
    """One row; ``run`` returns its note and the seconds not to count (probing, after the adding)."""
    client.flushall()
    before = used_memory(client)
    started = time.perf_counter()
    note, uncounted = run()
    seconds = time.perf_counter() - started - uncounted
    used = used_memory(client) - before
    return Row(what, count, used, {k: int(client.memory_usage(k, samples=0) or 0) for k in keys}, seconds, note)


def queue_run(client: Any, spider: Any, like: Request, count: int, batch: int, hosts: int
              ) -> Callable[[], tuple[str, float]]:
    def run() -> tuple[str, float]:
        queue = LeasedQueue(client, spider, SITE.requests, seen=Seen("set"))
        out = Overlapped()
        for start, n in batched(count, batch):
            pipe = client.pipeline(transaction=False)
            queue.push_into(pipe, requests(like, start, n, hosts))
            out.send(pipe)
        queued = sum(out.close())
        assert queued == count, f"{count - queued} requests not queued"
        sample = queue.encode(like)
        return f"encoded request {len(sample)} B, URL {len(like.url)} chars", 0.0
    return run


def set_run(client: Any, count: int, batch: int, hosts: int) -> Callable[[], tuple[str, float]]:
    def run() -> tuple[str, float]:
        out = Overlapped()
        for start, n in batched(count, batch):
            pipe = client.pipeline(transaction=False)
            dupefilter = RFPDupeFilter(pipe, SITE.dupefilter)
            for request in plain(count + start, n, hosts):
                dupefilter.request_seen(request)
            out.send(pipe)
        new = sum(out.close())
        assert new == count, "a set never takes a new fingerprint for a seen one"
        return "exact: no false positives", 0.0
    return run


def bloom_run(client: Any, count: int, batch: int, hosts: int, capacity: int,
              error_rate: float) -> Callable[[], tuple[str, float]]:
    def run() -> tuple[str, float]:
        out = Overlapped()
        for start, n in batched(count, batch):
            pipe = client.pipeline(transaction=False)
            dupefilter = BloomDupeFilter(pipe, SITE.bloom, capacity=capacity, error_rate=error_rate)
            for request in plain(count + start, n, hosts):
                dupefilter.request_seen(request)
            out.send(pipe)
        new = sum(out.close())
        bloom = RedisBloom(client, SITE.bloom, capacity=capacity, error_rate=error_rate)
        fingerprints = RFPDupeFilter(client, "")
        probe_start = time.perf_counter()
        probes = Overlapped()
        for start, n in batched(count, batch):
            pipe = client.pipeline(transaction=False)
            for request in plain(2 * count + start, n, hosts):  # URLs never added
                bloom._has(keys=[bloom.key, bloom.info_key], args=[fingerprints.request_fingerprint(request)],
                           client=pipe)
            probes.send(pipe)
        wrong = sum(probes.close())
        probe = time.perf_counter() - probe_start
        info = bloom.info()
        return (f"{len(info['layers'])} layer(s); {count - new} new URLs taken for seen ones while filling; "
                f"{wrong:,} of {count:,} never-added probed seen: false-positive rate {wrong / count:.2g} "
                f"(probing {probe:.0f} s)", probe)
    return run


def _bloom(value: str) -> tuple[int, float]:
    capacity, _, error = value.partition(":")
    return int(capacity), float(error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=20)
    defaults = Seen("bloom")
    parser.add_argument("--bloom", type=_bloom, action="append", metavar="CAPACITY:ERROR",
                        help="a Bloom filter to measure (repeatable; default: the default settings, and error 1e-3 "
                             "to see the false-positive rate at a rate 1,000,000 probes can measure)")
    args = parser.parse_args(argv)
    args.bloom = args.bloom or [(defaults.capacity, defaults.error_rate), (defaults.capacity, 1e-3)]
    count, batch, hosts = args.count, args.batch, args.hosts
    spider, like = template()
    with tempfile.TemporaryDirectory() as directory, RedisServer(Path(directory)) as server:
        client = connect(server.url)
        client.config_set("appendonly", "no")
        print(f"redis-server {client.info('server')['redis_version']}, {env_info()}; {count:,} items, "
              f"pipelined {batch:,} at a time\n")
        print("| what | items | used_memory Δ (MB) | MEMORY USAGE (MB) | bytes per item (first key) | MB per million "
              "| seconds adding (items/s) | notes |")
        print("| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |", flush=True)
        runs = [("queue (requests + their set of fingerprints)", [SITE.requests, SITE.dupefilter],
                 queue_run(client, spider, like, count, batch, hosts)),
                ("set (`SPEECHCRAWL_DUPEFILTER=set`, default)", [SITE.dupefilter], set_run(client, count, batch, hosts))]
        for capacity, error in args.bloom:
            default = (capacity, error) == (defaults.capacity, defaults.error_rate)
            runs.append((f"bloom (capacity {capacity:,}, error {error:g}{', the defaults' if default else ''})",
                         [SITE.bloom, f"{SITE.bloom}-info"], bloom_run(client, count, batch, hosts, capacity, error)))
        for what, keys, run in runs:  # each row as soon as it is measured: a million items take minutes
            print(measure(client, what, count, keys, run).line(), flush=True)
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
