"""HostLimits against a real redis-server: the decisions two workers get for one host."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis

from crawler.distributed.hostlimits import HORIZON, HostLimits, host_keys
from tests.harness.redis import RedisServer

T = TypeVar("T")
HOST = "news.example.cn:80"


def _run(redis_server: RedisServer, body: Callable[[HostLimits, HostLimits], Awaitable[T]], *,
         max_delay: float = 60.0) -> T:
    """``body(worker_a, worker_b)``: two workers' views of one Redis."""
    async def main() -> T:
        async with Redis.from_url(redis_server.url, decode_responses=True) as a, \
                Redis.from_url(redis_server.url, decode_responses=True) as b:
            return await body(HostLimits(a, max_delay=max_delay, lease=30), HostLimits(b, max_delay=max_delay, lease=30))
    return asyncio.run(main())


def test_a_crawl_delay_one_worker_read_spaces_the_others(redis_server: RedisServer) -> None:
    async def body(a: HostLimits, b: HostLimits) -> None:
        first = await a.acquire_and_book(HOST, "a1", limit=4, gap=0, crawl_delay=2.0)
        assert first.booked and first.wait == 0
        # b never read robots.txt: the Crawl-delay a published still holds for it, 2 s after a's start.
        second = await b.acquire_and_book(HOST, "b1", limit=4, gap=0)
        assert not second.booked and 1.0 < second.wait <= 2.0 - HORIZON
        # A worker told not to obey Crawl-delay (SPEECHCRAWL_PACING_ENABLED off) still keeps its own gap only.
        assert (await b.acquire_and_book(HOST, "b2", limit=4, gap=0, read_published=False)).booked
        assert await a.client.get(host_keys(HOST).crawl_delay) == "2"
    _run(redis_server, body)


def test_download_delay_books_starts_a_gap_apart_within_the_horizon(redis_server: RedisServer) -> None:
    async def body(a: HostLimits, b: HostLimits) -> None:
        assert (await a.acquire_and_book(HOST, "a1", limit=0, gap=0.2)).booked
        second = await b.acquire_and_book(HOST, "b1", limit=0, gap=0.2)
        assert second.booked and 0 <= second.wait <= 0.2  # within the horizon: booked, told how long to wait
        far = "far.example.cn:80"
        assert (await a.acquire_and_book(far, "a2", limit=0, gap=1.0)).booked
        later = await b.acquire_and_book(far, "b2", limit=0, gap=1.0)  # 1 s away: not booked, ask again later
        assert not later.booked and 0.5 < later.wait <= 1.0 - HORIZON


def test_a_retry_after_pause_holds_every_worker_and_is_capped(redis_server: RedisServer) -> None:
    async def body(a: HostLimits, b: HostLimits) -> None:
        await a.pause(HOST, 3600)
        held = await b.acquire_and_book(HOST, "b1", limit=4, gap=0)
        assert not held.booked and 4.0 < held.wait <= 5.0 - HORIZON
        # A pause carried by a booking (its publication failed earlier) counts the same.
        other = "other.example.cn:443"
        assert not (await a.acquire_and_book(other, "a1", limit=4, gap=0, pause=2.0)).booked
        assert not (await b.acquire_and_book(other, "b2", limit=4, gap=0)).booked
    _run(redis_server, body, max_delay=5.0)


def test_slots_are_shared_and_given_back(redis_server: RedisServer) -> None:
    async def body(a: HostLimits, b: HostLimits) -> None:
        assert (await a.acquire_and_book(HOST, "a1", limit=2, gap=0)).booked
        assert (await b.acquire_and_book(HOST, "b1", limit=2, gap=0)).booked
        full = await b.acquire_and_book(HOST, "b2", limit=2, gap=0)
        assert not full.booked and full.wait == 0 and await a.in_flight(HOST) == 2
        assert await a.renew([(HOST, "a1"), (HOST, "gone")]) == 1  # a lease no longer there is not revived
        await a.release([(HOST, "a1")])
        assert (await b.acquire_and_book(HOST, "b2", limit=2, gap=0)).booked
        for key in [k async for k in a.client.scan_iter("speechcrawl:politeness:*")]:
            assert await a.client.pttl(key) > 0, key
    _run(redis_server, body)
