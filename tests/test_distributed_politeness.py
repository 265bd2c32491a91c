"""Per-host politeness for a crawl shared by several processes through Redis, as the host sees it.

Three ``speechcrawl crawl`` processes of one site, each with its own data directory, run at the same
time; the sandbox notes when every request arrived and when it was answered.  Without Redis each
process is polite on its own and the three together are not; with SPEECHCRAWL_REDIS_URL the
Crawl-delay and CONCURRENT_REQUESTS_PER_DOMAIN hold for the three together.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from crawler.distributed.hostlimits import HostLimits, host_keys
from sandbox.sites import make_site
from tests import CLI
from tests.harness.redis import RedisServer
from tests.harness.server_log import Hit, LoggedSandbox, most_in_flight, start_gaps

pytestmark = pytest.mark.slow

ARTICLES = 8
DELAYED, SLOW, STUCK = "sucai", "ribao", "wenmi"


@pytest.fixture(scope="module")
def logged() -> Iterator[LoggedSandbox]:
    with LoggedSandbox([DELAYED, SLOW, STUCK], articles=ARTICLES,
                       faults=[f"crawl-delay@{DELAYED}:seconds=1", f"slow@{SLOW}:kind=any,seconds=0.5",
                               f"slow@{STUCK}:kind=article,seconds=30"]) as sb:
        yield sb


def _start(sb: LoggedSandbox, site: str, data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, "crawl", site, "--sandbox", "--no-progress", "--data", str(data),
                             f"--origin={site}={sb.urls[site]}", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _together(sb: LoggedSandbox, data: Path, *sites_and_args: str, processes: int = 3) -> None:
    """``processes`` crawls at once, each into its own data directory; all must end normally.

    Exit code 1 is allowed: a crawl cut at a few pages has no records yet, which the health monitor warns about.
    """
    sites = [arg for arg in sites_and_args if arg in sb.urls]
    origins = [f"--origin={site}={sb.urls[site]}" for site in sites]
    procs = [subprocess.Popen([*CLI, "crawl", *sites_and_args, *origins, "--sandbox", "--no-progress",
                               "--data", str(data / f"p{n}")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for n in range(processes)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1) and "Traceback" not in err, out + err
        assert out.count("finish: closespider_pagecount") == len(sites), out + err


def _host(sb: LoggedSandbox, site: str) -> str:
    return sb.urls[site].removeprefix("http://")


@dataclass(frozen=True)
class Together:
    """The server's log of three processes crawling both sites at once, without Redis and with it."""

    alone: dict[str, list[Hit]]
    shared: dict[str, list[Hit]]
    redis: Redis


@pytest.fixture(scope="module")
def together(logged: LoggedSandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Together]:
    data = tmp_path_factory.mktemp("together")
    args = [DELAYED, SLOW, "--max-pages", "3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
    logged.clear()
    _together(logged, data / "alone", *args)
    alone = {site: logged.hits(site) for site in (DELAYED, SLOW)}
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        logged.clear()
        _together(logged, data / "shared", *args, "-s", f"SPEECHCRAWL_REDIS_URL={server.url}")
        yield Together(alone, {site: logged.hits(site) for site in (DELAYED, SLOW)},
                       Redis.from_url(server.url, decode_responses=True))


def test_crawl_delay_holds_for_three_processes_together(logged: LoggedSandbox, together: Together) -> None:
    alone = [hit for hit in together.alone[DELAYED] if hit.path != "/robots.txt"]
    shared = [hit for hit in together.shared[DELAYED] if hit.path != "/robots.txt"]
    # Each process alone keeps 1 s between its own requests; the three together send about three a second.
    assert min(start_gaps(alone)) < 0.8, start_gaps(alone)
    # Through Redis, never more than one a second at the host (robots.txt fetches made before any worker
    # has read the Crawl-delay aside), and every worker had its share.
    assert len(shared) >= 5 and min(start_gaps(shared)) >= 0.8, start_gaps(shared)
    assert len(together.shared[DELAYED]) - len(shared) == 3
    keys = host_keys(_host(logged, DELAYED))
    assert together.redis.get(keys.crawl_delay) == "1"
    assert all(together.redis.pttl(key) > 0 for key in together.redis.scan_iter("speechcrawl:politeness:*"))


def test_per_host_concurrency_holds_for_three_processes_together(logged: LoggedSandbox, together: Together) -> None:
    assert most_in_flight(together.alone[SLOW]) > 2
    assert most_in_flight(together.shared[SLOW]) <= 2
    assert together.redis.zcard(host_keys(_host(logged, SLOW)).slots) == 0  # every slot given back


def _in_flight(url: str, host: str) -> int:
    async def count() -> int:
        async with AsyncRedis.from_url(url, decode_responses=True) as client:
            return await HostLimits(client, max_delay=60, lease=1).in_flight(host)
    return asyncio.run(count())


def _take_slot(url: str, host: str) -> bool:
    async def take() -> bool:
        async with AsyncRedis.from_url(url, decode_responses=True) as client:
            booking = await HostLimits(client, max_delay=60, lease=1).acquire_and_book(host, "test", limit=1, gap=0)
            return booking.booked
    return asyncio.run(take())


def _until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_workers_slot_expires(logged: LoggedSandbox, redis_server: RedisServer, tmp_path: Path) -> None:
    host = _host(logged, STUCK)
    proc = _start(logged, STUCK, tmp_path, "-s", f"SPEECHCRAWL_REDIS_URL={redis_server.url}",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "SPEECHCRAWL_POLITENESS_LEASE=2")
    try:
        # Robots.txt and the list page come at once; then an article holds the only slot for 30 s.
        assert _until(lambda: _in_flight(redis_server.url, host) == 1, 30), proc.stderr
        time.sleep(4)  # two leases: only renewal keeps the slot of a live worker
        assert _in_flight(redis_server.url, host) == 1 and not _take_slot(redis_server.url, host)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert not _take_slot(redis_server.url, host)  # the lease has not run out yet
        assert _until(lambda: _take_slot(redis_server.url, host), 10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_a_redis_restart_mid_crawl_is_waited_out(logged: LoggedSandbox, redis_server: RedisServer,
                                                 tmp_path: Path) -> None:
    logged.clear()
    proc = _start(logged, SLOW, tmp_path, "-s", f"SPEECHCRAWL_REDIS_URL={redis_server.url}",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    client = Redis.from_url(redis_server.url)
    try:
        assert _until(lambda: client.exists(host_keys(_host(logged, SLOW)).last), 30)
        redis_server.restart(down_for=2)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out + err
    assert "unreachable" in err and "is back after" in err
    site = make_site(SLOW, ARTICLES)
    articles = {site.link_path(i) for page in range(1, site.list_pages + 1) for i in site.on_list(page)}
    assert len(articles) == ARTICLES and articles <= {hit.path for hit in logged.hits(SLOW)}
    assert "pages failed" not in out
