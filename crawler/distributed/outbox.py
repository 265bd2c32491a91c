"""A worker's writes to Redis, in order, held while Redis is away and sent when it is back.

Everything a worker tells Redis after a page is fetched (new requests for the frontier, records
for the writer, the acknowledgement of the page's lease) goes through one :class:`Outbox`, in the
order it happened.  When Redis is unreachable the operations wait in memory and are retried with
exponential backoff from the reactor (never blocking it); the worker keeps what it has archived.
Order matters: a lease is acknowledged only after the requests and records it produced reached
Redis, so a worker killed with a full outbox loses nothing: its leases expire and the pages are
fetched again.  Every operation is safe to send twice (a connection can drop after the server
executed a command): pushes go through the dupefilter, the writer ignores records it holds.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

import redis

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


class Outbox:
    """Ordered Redis operations; ``call_later(seconds, fn)`` schedules retries (the reactor's callLater)."""

    def __init__(self, what: str, call_later: Callable[..., object], *,
                 cap: float = 30.0) -> None:
        self.pending: deque[Callable[[], object]] = deque()
        self.outage = Outage(what, cap=cap)
        self.call_later = call_later
        self._retry_scheduled = False

    def __len__(self) -> int:
        return len(self.pending)

    def send(self, operation: Callable[[], object]) -> None:
        """Run ``operation`` now if nothing waits before it, else after what waits."""
        self.pending.append(operation)
        if not self.outage.down:
            self.flush()

    def flush(self) -> bool:
        """Send what waits, in order; False (and a retry scheduled) when Redis is away."""
        self._retry_scheduled = False
        while self.pending:
            try:
                self.pending[0]()
            except REDIS_ERRORS as exc:
                delay = self.outage.failed(exc)
                if not self._retry_scheduled:
                    self._retry_scheduled = True
                    self.call_later(delay, self.flush)
                return False
            self.pending.popleft()
        self.outage.recovered()
        return True
