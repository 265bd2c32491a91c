"""DistributedPolitenessMiddleware on its own, against a real redis-server: slots taken and given back, pauses shared."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler

from crawler.distributed.hostlimits import HORIZON, HostLimits, host_keys
from crawler.distributed.politeness import META_LEASE, DistributedPolitenessMiddleware, host_port
from tests import spider_crawler
from tests.harness.redis import RedisServer


def _mw(redis_server: RedisServer, **settings: object) -> DistributedPolitenessMiddleware:
    return build_from_crawler(DistributedPolitenessMiddleware, spider_crawler({
        "SPEECHCRAWL_REDIS_URL": redis_server.url, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0,
        **settings}))


def test_host_port_spells_out_the_default_port() -> None:
    assert host_port(Request("http://News.Example.cn/a.html")) == "news.example.cn:80"
    assert host_port(Request("https://news.example.cn/a.html")) == "news.example.cn:443"
    assert host_port(Request("http://127.0.0.1:8001/")) == "127.0.0.1:8001"


def test_a_request_holds_a_slot_until_its_answer(redis_server: RedisServer) -> None:
    mw = _mw(redis_server)
    request = Request("http://a.example/1.html")

    async def go() -> None:
        await mw.process_request(request)
        assert request.meta[META_LEASE][0] == "a.example:80" and await mw.limits.in_flight("a.example:80") == 1
        await mw.process_response(request, Response(request.url, status=200, request=request))
        assert META_LEASE not in request.meta and await mw.limits.in_flight("a.example:80") == 0
        failed = Request("http://a.example/2.html")
        await mw.process_request(failed)
        await mw.process_exception(failed, TimeoutError())
        assert await mw.limits.in_flight("a.example:80") == 0
        await mw.limits.client.aclose()

    asyncio.run(go())


def test_a_429_pauses_the_host_for_every_worker(redis_server: RedisServer) -> None:
    mw = _mw(redis_server, SPEECHCRAWL_PACING_MAX_DELAY=5.0)
    request = Request("http://a.example/1.html")
    response = Response(request.url, status=429, headers={"Retry-After": "3600"}, request=request)

    async def go() -> None:
        assert await mw.process_response(request, response) is response
        async with Redis.from_url(redis_server.url, decode_responses=True) as client:
            other = await HostLimits(client, max_delay=60, lease=30).acquire_and_book("a.example:80", "b", limit=2,
                                                                                        gap=0)
            assert await client.pttl(host_keys("a.example:80").pause) > 0
        assert not other.booked and 4.0 < other.wait <= 5.0 - HORIZON  # capped at SPEECHCRAWL_PACING_MAX_DELAY
        await mw.limits.client.aclose()

    asyncio.run(go())
    assert mw.crawler is not None and mw.crawler.stats is not None
    assert mw.crawler.stats.get_value("speechcrawl/pacing/retry_after_pauses") == 1


def test_pacing_off_keeps_concurrency_but_ignores_retry_after(redis_server: RedisServer) -> None:
    mw = _mw(redis_server, SPEECHCRAWL_PACING_ENABLED=False)
    request = Request("http://a.example/1.html")

    async def go() -> None:
        await mw.process_request(request)
        assert await mw.limits.in_flight("a.example:80") == 1
        await mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "30"},
                                                     request=request))
        assert not await mw.limits.client.exists(host_keys("a.example:80").pause)
        await mw.limits.client.aclose()

    asyncio.run(go())
