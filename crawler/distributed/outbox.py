"""A worker's writes to Redis, in order, held while Redis is away and sent when it is back.

Everything a worker tells Redis after a page is fetched (new requests for the frontier, records
for the writer, the acknowledgement of the page's lease) goes through one :class:`Outbox`, in the
order it happened.  When Redis is unreachable the operations wait in memory and are retried with
exponential backoff from the reactor (never blocking it); the worker keeps what it has archived.
Order matters: a lease is acknowledged only after the requests and records it produced reached
Redis, so a worker killed with a full outbox loses nothing: its leases expire and the pages are
fetched again.  Every operation is safe to send twice (a connection can drop after the server
executed a command): pushes go through the dupefilter, the writer ignores records it holds.

Operations are sent together and without blocking: one pipeline at a time is in flight (asyncio
client), and whatever the crawl queued meanwhile goes out as the next one, so a busy worker sends
many pages' pushes, records and acknowledgements per round trip.  Synchronous calls, one round trip
per command with the reactor stopped, used to take a third of a worker's time
(bench.bench_distributed; docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import redis
from redis.asyncio import Redis as AsyncRedis

__all__ = ["Outbox", "REDIS_ERRORS", "Outage"]

logger = logging.getLogger(__name__)

REDIS_ERRORS: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)
"""What "Redis is not there right now" looks like to redis-py: wait and try again, never crash."""


class Outage:
    """One WARNING line when Redis goes away and one when it is back; the backoff in between."""

    def __init__(self, what: str, *, first: float = 0.2, cap: float = 30.0) -> None:
        self.what = what
        self.first = first
        self.cap = cap
        self.since: float | None = None
        self.delay = first

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> float:
        """Note a failed call; the seconds to wait before the next try."""
        if self.since is None:
            self.since = time.monotonic()
            self.delay = self.first
            logger.warning("%s: Redis unreachable (%s); waiting and retrying", self.what, exc)
        else:
            self.delay = min(self.delay * 2, self.cap)
        return self.delay

    def recovered(self) -> None:
        if self.since is not None:
            logger.warning("%s: Redis is back after %.1fs; carrying on", self.what, time.monotonic() - self.since)
        self.since = None
        self.delay = self.first


Operation = Callable[[Any], object]
"""Adds exactly one command to the client it is given: a pipeline, sent with the operations around it."""
Answered = Callable[[Any], object]
"""Called with the operation's answer once Redis gave it."""

BATCH = 500
"""Operations per pipeline: after an outage the outbox may hold thousands."""


class Outbox:
    """Ordered Redis operations, sent in pipelines by a background task of the reactor's asyncio loop.

    ``client`` is a ``redis.asyncio`` client; ``call_later(seconds, fn)`` schedules the retries (the
    reactor's callLater).  An operation counts in ``len()`` until Redis has answered it.
    """

    def __init__(self, what: str, client: AsyncRedis, call_later: Callable[..., object], *,
                 cap: float = 30.0) -> None:
        self.pending: deque[tuple[Operation, Answered | None]] = deque()
        self.outage = Outage(what, cap=cap)
        self.client = client
        self.call_later = call_later
        self._sending = False
        self._waiting = False

    def __len__(self) -> int:
        return len(self.pending)

    def send(self, operation: Operation, answered: Answered | None = None) -> None:
        """Queue ``operation`` behind what waits; ``answered(answer)`` is called once it went through."""
        self.pending.append((operation, answered))
        self._start()

    def _start(self) -> None:
        if self._sending or self._waiting or not self.pending:
            return
        self._sending = True
        asyncio.ensure_future(self._drain())

    def _retry(self) -> None:
        self._waiting = False
        self._start()

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch = list(itertools.islice(self.pending, BATCH))
                pipe = self.client.pipeline(transaction=False)
                for operation, _ in batch:
                    operation(pipe)
                answers = await pipe.execute(raise_on_error=False)
                if not self._settle(batch, answers):
                    return
                self.outage.recovered()
        except REDIS_ERRORS as exc:
            self._wait(exc)
        finally:
            self._sending = False

    def _settle(self, batch: list[tuple[Operation, Answered | None]], answers: list[Any]) -> bool:
        """Hand each answer over, in order; False when Redis cannot take writes for now (out of memory):
        that operation and the ones after it stay queued and are sent again after a pause (each is safe
        to send twice).  An operation Redis refused outright (a bug, or a full Bloom filter) is logged and
        dropped alone: sending it again cannot help, and the operations around it must not wait for it."""
        for (_, answered), answer in zip(batch, answers, strict=True):
            if isinstance(answer, redis.OutOfMemoryError):
                self._wait(answer)
                return False
            self.pending.popleft()
            if isinstance(answer, redis.RedisError):
                logger.error("%s: Redis refused a write (%s); dropped", self.outage.what, answer)
            elif answered is not None:
                answered(answer)
        return True

    def _wait(self, exc: BaseException) -> None:
        self._waiting = True
        self.call_later(self.outage.failed(exc), self._retry)

    async def close(self, wait: float) -> int:
        """Give what waits up to ``wait`` seconds to go out, then close the client; how many were left."""
        deadline = time.monotonic() + wait
        while self.pending and time.monotonic() < deadline:  # bounded by ``wait``
            await asyncio.sleep(0.02)
        left = len(self.pending)
        await self.client.aclose()
        return left
