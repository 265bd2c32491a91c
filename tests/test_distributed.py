"""Distributed crawls: real redis-server, real sandbox, real worker/ingest processes (docs/distributed.md).

Every distributed crawl here must give what one local crawl of the same sites gives: the same record
ids with the same texts, none twice, an archive that verifies and provenance that resolves into the
workers' WARC files, also when a worker is killed with -9 or Redis is restarted mid-crawl.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from archive.verify import verify_paths
from corpus.catalog import Catalog
from crawler.distributed.crawls import stored_options
from crawler.distributed.frontier import LeasedQueue, start_requests
from crawler.distributed.keys import CrawlKeys, connect
from crawler.resume import repair_worker_files
from crawler.runner import resolve_targets
from sandbox import SandboxProcess
from tests import crawl_and_export, run_cli
from tests.harness.distributed import (
    exported_records,
    finish,
    leases_of,
    merge_warcs,
    seed,
    seed_cli,
    start_ingest,
    start_worker,
    unresolved_pointers,
    wait_for_workers,
)
from tests.harness.redis import RedisServer, free_port

SITES = ("wenmi", "fanwen")
SLOW = "DOWNLOAD_DELAY=0.15"
"""Per worker and host: keeps a crawl of these small sites going long enough to kill a worker inside it."""
FEW = "CONCURRENT_REQUESTS=2"
"""Few requests leased per worker at a time, so the workers share the frontier."""
SLOWER = "DOWNLOAD_DELAY=0.3"
SHORT_LEASE = "SPEECHCRAWL_LEASE_SECONDS=2"


@pytest.fixture(scope="module")
def small_sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(sites=list(SITES), articles=6, port_base=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def reference(small_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """id -> text of one local, single-process crawl of the same sites: all of them (key "") and per site."""
    data = tmp_path_factory.mktemp("local")
    origins = [f"--origin={site}={url}" for site, url in small_sandbox.urls.items()]
    records = crawl_and_export(data, list(SITES), *origins)
    out = {"": {r["id"]: r["text"] for r in records}}
    for site in SITES:
        out[site] = {r["id"]: r["text"] for r in records if r["site"] == site}
        assert len(out[site]) >= 6
    return out


def _texts(records: list[dict[str, Any]]) -> dict[str, str]:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "a record exported twice"
    return {r["id"]: r["text"] for r in records}


def _archive_verifies(data: Path) -> None:
    proc = run_cli("archive", "verify", str(data / "warc"), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not list((data / "warc").rglob("*.open")), "a WARC file left unfinished"


def test_three_workers_give_what_one_process_gives(small_sandbox: SandboxProcess,
                                                   reference: dict[str, dict[str, str]],
                                                   redis_server: RedisServer, tmp_path: Path) -> None:
    catalog_dir = tmp_path / "ingest"
    dirs = [tmp_path / f"worker{n}" for n in (1, 2, 3)]
    workers = [start_worker(redis_server.url, d, f"w{n}") for n, d in enumerate(dirs, 1)]
    wait_for_workers(redis_server.url, ["w1", "w2", "w3"], workers)
    seed(redis_server.url, "d3", SITES, small_sandbox.urls, catalog_dir, FEW, SLOW)
    ingest = start_ingest(redis_server.url, catalog_dir, "d3")
    assert finish([ingest, *workers]) == [0, 0, 0, 0]

    merge_warcs(dirs, catalog_dir)
    records = exported_records(catalog_dir)
    assert _texts(records) == reference[""]
    assert unresolved_pointers(catalog_dir, records) == []
    _archive_verifies(catalog_dir)
    names = {p.name for p in (catalog_dir / "warc").rglob("*.warc.gz")}
    assert all(any(f"-d3-w{n}-" in name for n in (1, 2, 3)) for name in names)
    assert len({w for name in names for w in ("w1", "w2", "w3") if f"-d3-{w}-" in name}) >= 2, names

    # The workers' archive is an archive like a local crawl's: it packs to WACZ and rebuilds the same records.
    wacz = run_cli("archive", "wacz", "--data", str(catalog_dir), "-o", str(tmp_path / "d3.wacz"), timeout=120)
    assert wacz.returncode == 0, wacz.stdout + wacz.stderr
    rebuilt = run_cli("reprocess", "--data", str(catalog_dir), "-o", str(tmp_path / "rebuilt"), timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert _texts(exported_records(tmp_path / "rebuilt")) == reference[""]  # its catalog, exported without dedup


def test_workers_with_the_bloom_dupefilter_give_what_one_process_gives(
        small_sandbox: SandboxProcess, reference: dict[str, dict[str, str]], redis_server: RedisServer,
        tmp_path: Path) -> None:
    """The same crawl with seen requests in a Bloom filter (crawler.distributed.dupefilter) instead of the set;
    its first layer so small that two workers grow it while crawling."""
    data = tmp_path / "data"
    bloom = ("SPEECHCRAWL_DUPEFILTER=bloom", "SPEECHCRAWL_BLOOM_CAPACITY=2")
    seed(redis_server.url, "b2", SITES, small_sandbox.urls, data, FEW, *bloom)
    workers = [start_worker(redis_server.url, data, f"w{n}") for n in (1, 2)]
    ingest = start_ingest(redis_server.url, data, "b2")
    assert finish([ingest, *workers]) == [0, 0, 0]
    assert _texts(exported_records(data)) == reference[""]
    client = connect(redis_server.url)
    try:
        for site in SITES:
            keys = CrawlKeys("b2").site(site)
            assert client.exists(keys.bloom) and not client.exists(keys.dupefilter), site
            assert len(client.hget(keys.bloom_info, "layers").split()) >= 2, site  # type: ignore[union-attr]
    finally:
        client.close()
    again = seed_cli(redis_server.url, "b2", SITES, small_sandbox.urls, data, FEW, *bloom)
    assert "crawl b2: 0 start requests seeded" in again  # the start pages are in the filter


def _kill_trial(redis_url: str, crawl_id: str, data: Path, origins: dict[str, str], pause: float,
                *settings: str) -> list[int]:
    """Crawl wenmi with two workers, one killed with -9 ``pause`` seconds after it first holds a lease."""
    seed(redis_url, crawl_id, ["wenmi"], origins, data, FEW, SLOWER, SHORT_LEASE, *settings)
    victim = start_worker(redis_url, data, "w1")
    survivor = start_worker(redis_url, data, "w2", idle=1.0)
    survivor.send_signal(signal.SIGSTOP)  # held until the victim holds leases, so that it surely does
    ingest = start_ingest(redis_url, data, crawl_id)
    try:
        deadline = time.monotonic() + 60
        while not leases_of(redis_url, crawl_id, "wenmi", "w1"):
            assert victim.poll() is None and time.monotonic() < deadline, "the worker never leased a request"
            time.sleep(0.02)
        # A random moment while it works: before, during or after fetching, archiving, cleaning or handing
        # over a page, but before settling it; its leases must expire and the survivor crawl those pages.
        time.sleep(pause)
    finally:
        victim.kill()
        victim.wait(10)
        survivor.send_signal(signal.SIGCONT)
    return finish([ingest, survivor])


def test_a_worker_killed_mid_crawl_loses_and_duplicates_nothing(
        small_sandbox: SandboxProcess, reference: dict[str, dict[str, str]], redis_server: RedisServer,
        tmp_path: Path) -> None:
    rng = random.Random(17)
    pauses = [rng.uniform(0.0, 1.2) for _ in range(5)]
    # Five trials at once, each in a Redis database of its own: the waiting (leases expiring) overlaps.
    urls = [redis_server.url.rsplit("/", 1)[0] + f"/{trial + 1}" for trial in range(5)]
    with ThreadPoolExecutor(5) as pool:
        runs = [pool.submit(_kill_trial, urls[t], f"k{t}", tmp_path / f"k{t}", small_sandbox.urls, pauses[t])
                for t in range(5)]
        codes = [run.result() for run in runs]
    assert codes == [[0, 0]] * 5
    for trial in range(5):
        data = tmp_path / f"k{trial}"
        # What the killed worker does first when started again under its id: cut the file it was writing.
        repair_worker_files(data / "warc", "w1")
        records = exported_records(data)
        assert _texts(records) == reference["wenmi"], f"trial {trial}"
        assert unresolved_pointers(data, records) == [], f"trial {trial}"
        assert [f for report in verify_paths([data / "warc"]) for f in report.faults] == [], f"trial {trial}"
        assert not list((data / "warc").rglob("*.open")), f"trial {trial}"


def test_a_request_that_keeps_killing_workers_is_recorded_failed(
        small_sandbox: SandboxProcess, reference: dict[str, dict[str, str]], redis_server: RedisServer,
        tmp_path: Path) -> None:
    """With SPEECHCRAWL_LEASE_MAX_ATTEMPTS=1 the first worker lost on a request is one too many: the survivor's
    reaper records what the killed worker held as failed (kind worker_lost), and the crawl still ends."""
    data = tmp_path / "lost"
    url = redis_server.url.rsplit("/", 1)[0] + "/7"
    assert _kill_trial(url, "lost", data, small_sandbox.urls, 0.0, "SPEECHCRAWL_LEASE_MAX_ATTEMPTS=1") == [0, 0]
    catalog = Catalog(data / "catalog.sqlite")
    try:
        failures = catalog.failures("lost")
    finally:
        catalog.close()
    assert failures, "nothing recorded as failed"
    assert {f["kind"] for f in failures} == {"worker_lost"}
    assert all("every worker that fetched it stopped before finishing it" in f["reason"] for f in failures)
    texts = _texts(exported_records(data))
    assert texts.items() <= reference["wenmi"].items()


def test_redis_restarted_mid_crawl(small_sandbox: SandboxProcess, reference: dict[str, dict[str, str]],
                                   redis_server: RedisServer, tmp_path: Path) -> None:
    data = tmp_path / "outage"
    seed(redis_server.url, "r1", SITES, small_sandbox.urls, data, FEW, SLOW, SHORT_LEASE)
    workers = [start_worker(redis_server.url, data, f"w{n}", idle=5.0) for n in (1, 2)]
    ingest = start_ingest(redis_server.url, data, "r1")
    deadline = time.monotonic() + 60
    while not any(leases_of(redis_server.url, "r1", site, w) for site in SITES for w in ("w1", "w2")):
        assert time.monotonic() < deadline, "no worker leased a request"
        time.sleep(0.05)
    time.sleep(0.3)
    redis_server.restart(down_for=2.0)
    assert finish([ingest, *workers]) == [0, 0, 0]

    records = exported_records(data)
    assert _texts(records) == reference[""]
    assert unresolved_pointers(data, records) == []
    _archive_verifies(data)
    logs = "".join(p.read_text() for p in tmp_path.glob("outage-*.log"))
    assert "Redis unreachable" in logs and "Redis is back" in logs


def test_a_request_whose_leases_keep_expiring_is_given_up(redis_server: RedisServer) -> None:
    """A page that kills every worker fetching it is re-queued SPEECHCRAWL_LEASE_MAX_ATTEMPTS - 1 times, then
    handed back to be recorded as failed; the crawl is not over until that is done."""
    client = connect(redis_server.url)
    spider, requests = start_requests(resolve_targets(["wenmi"])[0])
    queue = LeasedQueue(client, spider, CrawlKeys("x").site("wenmi").requests)
    queue.lease_seconds = 0.05
    queue.push(requests[0])
    queue.push(requests[0])  # the dupefilter: queued once
    for _ in range(2):
        leased = queue.pop()
        assert leased is not None and leased.url == requests[0].url
        assert queue.pop() is None
        time.sleep(0.1)  # the worker holding it died: its lease expires
        assert queue.reap(max_attempts=3) == []  # back in the queue
    assert queue.pop() is not None
    time.sleep(0.1)
    [lost] = queue.exhausted(queue.reap(max_attempts=3))
    assert (lost.request.url, lost.attempts) == (requests[0].url, 3)
    assert queue.pop() is None and not queue.finished()
    assert queue.release(lost.lease)
    assert queue.finished()


def test_requests_leased_together_are_given_back_without_an_attempt_counted(redis_server: RedisServer) -> None:
    """A worker leases several requests in one round trip, best first; those it never started go back to
    the queue when its crawl closes, at their priority, and their next lease is not counted as a retry."""
    client = connect(redis_server.url)
    spider, requests = start_requests(resolve_targets(["wenmi"])[0])
    queue = LeasedQueue(client, spider, CrawlKeys("z").site("wenmi").requests)
    first, second = requests[0], requests[0].replace(url=requests[0].url + "?b", priority=5)
    assert queue.push(first) and queue.push(second)
    tokens = queue.tokens(8)
    leased = queue.leased(queue.lease(tokens), tokens)
    assert [r.url for r in leased] == [second.url, first.url]  # best (highest priority) first
    assert len({r.meta["speechcrawl_lease"] for r in leased}) == 2 and len(queue) == 0
    assert queue.give_back([r.meta["speechcrawl_lease"] for r in leased]) == 2
    assert queue.give_back([r.meta["speechcrawl_lease"] for r in leased]) == 0  # once only
    assert len(queue) == 2 and not queue.held
    queue.lease_seconds = 0.05
    again = queue.pop()
    assert again is not None and again.url == second.url
    time.sleep(0.1)
    assert queue.reap(max_attempts=2) == []  # its first lease that expired: re-queued, not given up


def test_a_live_worker_keeps_the_leases_of_requests_it_still_works_on(redis_server: RedisServer) -> None:
    """A request waiting long in a live worker's downloader (politeness, a slow host) is not handed to another
    worker: the lease keeper renews it; once the worker stops renewing (it died), the lease lapses."""
    client = connect(redis_server.url)
    spider, requests = start_requests(resolve_targets(["wenmi"])[0])
    queue = LeasedQueue(client, spider, CrawlKeys("y").site("wenmi").requests)
    queue.lease_seconds = 0.2
    queue.push(requests[0])
    held = queue.pop()
    assert held is not None
    for _ in range(6):  # 0.6 s: three leases' worth, renewed as the keeper's tick does
        time.sleep(0.1)
        assert queue.renew() == 1
        assert queue.reap(max_attempts=3) == []
    assert queue.pop() is None, "a renewed lease went back to the frontier"
    time.sleep(0.3)  # no renewal: the worker is gone
    assert queue.reap(max_attempts=3) == []
    again = queue.pop()
    assert again is not None and again.url == held.url
    assert queue.renew() == 1  # the new holder's lease; the first holder's token no longer extends anything
    assert queue.release(again.meta["speechcrawl_lease"]) and queue.renew() == 0


def test_crawl_redis_seeds_and_returns(small_sandbox: SandboxProcess, redis_server: RedisServer,
                                       tmp_path: Path) -> None:
    out = seed_cli(redis_server.url, "c1", SITES, small_sandbox.urls, tmp_path, FEW)
    assert "crawl c1: 2 start requests seeded" in out and "speechcrawl worker --redis" in out
    client = connect(redis_server.url)
    try:
        assert stored_options(client, "c1")["sites"] == list(SITES)  # type: ignore[index]
        assert [client.zcard(f"speechcrawl:c1:{site}:requests") for site in SITES] == [1, 1]
    finally:
        client.close()
    again = seed_cli(redis_server.url, "c1", SITES, small_sandbox.urls, tmp_path, FEW)
    assert "crawl c1: 0 start requests seeded" in again  # the dupefilter: a second seeding queues nothing


def test_workers_without_redis_say_so_in_one_line(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(tmp_path), "--workers", "2",
                   "--redis", url, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and f"no Redis reachable at {url}" in proc.stderr, proc.stderr
    assert not (tmp_path / "warc").exists()


def test_resume_after_every_process_died(small_sandbox: SandboxProcess, reference: dict[str, dict[str, str]],
                                         redis_server: RedisServer, tmp_path: Path) -> None:
    """The only worker killed mid-crawl and no writer running at all: ``crawl --resume --workers 1`` finishes it
    (the frontier, the leases and the unwritten records waited in Redis)."""
    data = tmp_path / "resumed"
    seed(redis_server.url, "rs", ["wenmi"], small_sandbox.urls, data, FEW, SLOWER, SHORT_LEASE)
    worker = start_worker(redis_server.url, data, "w1")
    deadline = time.monotonic() + 60
    while not leases_of(redis_server.url, "rs", "wenmi", "w1"):
        assert worker.poll() is None and time.monotonic() < deadline, "the worker never leased a request"
        time.sleep(0.02)
    time.sleep(0.5)
    worker.kill()
    worker.wait(10)
    proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data), "--resume", "--crawl-id", "rs",
                   "--workers", "1", "--redis", redis_server.url, f"--origin=wenmi={small_sandbox.urls['wenmi']}",
                   timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "crawl rs: wenmi (done): w1 " in proc.stdout  # the last progress line: per site, per worker
    records = exported_records(data)
    assert _texts(records) == reference["wenmi"]
    assert unresolved_pointers(data, records) == []
    _archive_verifies(data)
    listing = run_cli("crawls", "--data", str(data), timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert "worker w1:" in listing.stdout and "finished" in listing.stdout, listing.stdout
