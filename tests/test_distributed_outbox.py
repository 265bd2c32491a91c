"""The outbox against a real redis-server: order, batching, a full Redis waited out, a refused write dropped alone."""

from __future__ import annotations

import asyncio
from typing import Any

import redis

from crawler.distributed.keys import connect_async
from crawler.distributed.outbox import Outbox
from tests.harness.redis import RedisServer


async def _until(condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # bounded by ``timeout``
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_writes_keep_their_order_and_a_full_redis_is_waited_out(redis_server: RedisServer) -> None:
    """Writes go out in order, many per round trip; while Redis refuses writes for lack of memory they wait
    (nothing dropped, nothing reordered) and go out once it has room again."""
    admin = redis.Redis.from_url(redis_server.url)
    admin.flushdb()

    async def run() -> tuple[list[bytes], list[Any], int]:
        loop = asyncio.get_running_loop()
        outbox = Outbox("test", connect_async(redis_server.url), loop.call_later, cap=0.2)
        answers: list[Any] = []
        for n in range(300):
            outbox.send(lambda client, n=n: client.rpush("order", n), answers.append)
        await _until(lambda: not outbox)
        used = int(admin.info("memory")["used_memory"])
        admin.config_set("maxmemory", str(used // 2))  # every write is now refused: OOM
        admin.config_set("maxmemory-policy", "noeviction")
        for n in range(300, 400):
            outbox.send(lambda client, n=n: client.rpush("order", n), answers.append)
        await _until(lambda: outbox.outage.down)
        await asyncio.sleep(0.5)
        assert len(outbox) == 100 and admin.llen("order") == 300  # held, not dropped
        admin.config_set("maxmemory", "0")
        await _until(lambda: not outbox)
        left = await outbox.close(wait=1.0)
        return admin.lrange("order", 0, -1), answers, left

    try:
        order, answers, left = asyncio.run(run())
    finally:
        admin.config_set("maxmemory", "0")
        admin.close()
    assert [int(x) for x in order] == list(range(400)) and left == 0
    assert answers == list(range(1, 401))  # RPUSH answers the list's new length, each exactly once


def test_a_refused_write_is_dropped_alone(redis_server: RedisServer) -> None:
    """A write Redis refuses outright (here a script error) is logged and dropped; the writes around it go out."""
    admin = redis.Redis.from_url(redis_server.url)
    admin.flushdb()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        outbox = Outbox("test", connect_async(redis_server.url), loop.call_later)
        outbox.send(lambda client: client.set("before", 1))
        outbox.send(lambda client: client.eval("return redis.call('NOSUCHCOMMAND')", 0))
        outbox.send(lambda client: client.set("after", 1))
        await _until(lambda: not outbox)
        await outbox.close(wait=1.0)

    try:
        asyncio.run(run())
        assert admin.get("before") == b"1" and admin.get("after") == b"1"
    finally:
        admin.close()
