"""Per-host limits of a whole crawl, kept in Redis: start spacing and leased concurrency slots.

Every worker sharing one Redis asks here before it sends a request to a host.  Each decision is
one Lua script, so it is atomic across workers, and it reads the server's clock (``TIME``), so
workers on machines whose clocks disagree still agree on "when".  Per host (``host:port``) Redis
holds, under ``speechcrawl:politeness:<host:port>:``:

``slots``
    a sorted set of leases (token -> expiry): the requests in flight to the host.  A lease is
    renewed while its worker lives, so the slot of a worker killed with ``-9`` frees itself.
``last``
    when the latest booked request starts; the next one starts a gap later.
``pause``
    no request starts before this (a Retry-After answer, from whichever worker got it).
``crawl-delay``
    the robots.txt Crawl-delay a worker read, so that workers which have not read it yet obey it.

The keys are the host's, not a crawl's (politeness is owed to the host) and every write sets a
TTL: an idle host's keys vanish within a minute or so, a published Crawl-delay within the hour.
What the host asked (Crawl-delay, Retry-After) is read by crawler.downloadermiddlewares.pacing;
this module only decides, from those numbers, when a request may start.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["HostLimits", "Booking", "host_keys", "PREFIX", "CRAWL_DELAY_TTL", "HORIZON"]

PREFIX = "speechcrawl:politeness"
CRAWL_DELAY_TTL = 3600
"""Seconds a published Crawl-delay is believed without a worker re-reading robots.txt."""
HORIZON = 0.25
"""Seconds ahead a start may be booked; a request due later asks again when its turn is near."""

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

_EXTEND_TTL = """
local function extend_ttl(key, ms)
  ms = math.ceil(ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
"""

# KEYS: slots, last, pause, crawl-delay
# ARGV: token, limit (0: none), lease, floor gap, crawl delay known here (0: none), pause asked here
#       (seconds from now, 0: none), max delay, read the published crawl delay (1/0), its TTL, horizon
# Returns {1, seconds to wait before starting} when booked, {0, seconds before asking again} when not
# (0: every slot is taken, ask again soon).
_ACQUIRE_AND_BOOK = _NOW + _EXTEND_TTL + """
local limit = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local max_delay = tonumber(ARGV[7])
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
local asked = math.min(tonumber(ARGV[6]), max_delay)
if asked > 0 and now + asked > pause then
  pause = now + asked
  redis.call('SET', KEYS[3], string.format('%.6f', pause), 'PX', math.ceil(asked * 1000) + 1000)
end
local delay = math.min(tonumber(ARGV[5]), max_delay)
if delay > 0 then
  redis.call('SET', KEYS[4], tostring(delay), 'EX', ARGV[9])
elseif ARGV[8] == '1' then
  delay = math.min(tonumber(redis.call('GET', KEYS[4]) or '0'), max_delay)
end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= limit then return {0, '0'} end
end
local gap = math.max(math.min(tonumber(ARGV[4]), max_delay), delay)
local start = math.max(now, pause)
local last = redis.call('GET', KEYS[2])
if last then start = math.max(start, tonumber(last) + gap) end
local horizon = tonumber(ARGV[10])
if start - now > horizon then return {0, string.format('%.6f', start - now - horizon)} end
redis.call('SET', KEYS[2], string.format('%.6f', start), 'PX', math.ceil((start - now + max_delay) * 1000) + 1000)
if limit > 0 then
  redis.call('ZADD', KEYS[1], start + lease, ARGV[1])
  extend_ttl(KEYS[1], (start - now + lease) * 1000 + 1000)
end
return {1, string.format('%.6f', start - now)}
"""

# KEYS: pause; ARGV: seconds from now (already capped)
_PAUSE = _NOW + """
local ends = now + tonumber(ARGV[1])
if ends > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', ends), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""

# KEYS: the slots key of each token; ARGV: lease, then the tokens in the order of KEYS.
# A lease only ever moves later (GT), and only while it is still there (XX): an expired one stays gone.
_RENEW = _NOW + _EXTEND_TTL + """
local lease = tonumber(ARGV[1])
local renewed = 0
for i, key in ipairs(KEYS) do
  renewed = renewed + redis.call('ZADD', key, 'XX', 'GT', 'CH', now + lease, ARGV[i + 1])
  if redis.call('ZSCORE', key, ARGV[i + 1]) then extend_ttl(key, lease * 1000 + 1000) end
end
return renewed
"""


@dataclass(frozen=True)
class HostKeys:
    slots: str
    last: str
    pause: str
    crawl_delay: str


def host_keys(host: str) -> HostKeys:
    """The Redis keys of one ``host:port``."""
    base = f"{PREFIX}:{host}"
    return HostKeys(f"{base}:slots", f"{base}:last", f"{base}:pause", f"{base}:crawl-delay")


@dataclass(frozen=True)
class Booking:
    """What a host's limits say about one request now."""

    booked: bool
    """A slot is taken and a start time reserved; else ask again after ``wait`` (0: when a slot frees)."""
    wait: float = 0.0


class HostLimits:
    """The crawl-wide per-host limits in one Redis (asyncio client; Redis errors propagate to the caller)."""

    def __init__(self, client: Redis, *, max_delay: float, lease: float, horizon: float = HORIZON) -> None:
        self.client = client
        self.max_delay = max_delay
        self.lease = lease
        self.horizon = horizon
        self._acquire_and_book = client.register_script(_ACQUIRE_AND_BOOK)
        self._pause = client.register_script(_PAUSE)
        self._renew = client.register_script(_RENEW)

    async def acquire_and_book(self, host: str, token: str, *, limit: int, gap: float, crawl_delay: float = 0.0,
                               pause: float = 0.0, read_published: bool = True) -> Booking:
        """Take one of ``limit`` slots of ``host`` (0: no limit) and book the next start time.

        The start is at least ``gap`` (DOWNLOAD_DELAY) or the Crawl-delay (``crawl_delay`` known here, or
        the one another worker published when ``read_published``) after the previous start, and not
        before a pause (``pause`` seconds asked here, or one another worker set); all capped by
        ``max_delay``.  Only a start within ``horizon`` seconds is booked: a farther one would hold a
        slot idle and, if its worker stopped before it came, leave a hole in the host's schedule.
        """
        keys = host_keys(host)
        code, seconds = await self._acquire_and_book(
            keys=[keys.slots, keys.last, keys.pause, keys.crawl_delay],
            args=[token, limit, _num(self.lease), _num(gap), _num(crawl_delay), _num(pause), _num(self.max_delay),
                  int(read_published), CRAWL_DELAY_TTL, _num(self.horizon)])
        return Booking(int(code) == 1, float(seconds))

    async def pause(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts in the next ``seconds`` (capped), whichever worker sends it."""
        await self._pause(keys=[host_keys(host).pause], args=[_num(min(seconds, self.max_delay))])

    async def renew(self, leases: Iterable[tuple[str, str]]) -> int:
        """Push the expiry of each (host, token) lease to now + lease; returns how many moved."""
        pairs = list(leases)
        if not pairs:
            return 0
        return int(await self._renew(keys=[host_keys(host).slots for host, _ in pairs],
                                     args=[_num(self.lease), *(token for _, token in pairs)]))

    async def release(self, leases: Iterable[tuple[str, str]]) -> None:
        """Free the slots of these (host, token) leases."""
        pairs = list(leases)
        if not pairs:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            for host, token in pairs:
                pipe.zrem(host_keys(host).slots, token)
            await pipe.execute()

    async def in_flight(self, host: str) -> int:
        """Leases of ``host`` not yet expired (for tests and the operator's eye)."""
        keys = host_keys(host)
        seconds, micros = await self.client.time()
        return int(await self.client.zcount(keys.slots, seconds + micros / 1e6, math.inf))


def _num(value: float) -> str:
    """A float for a Lua ``tonumber``: plain decimal, never ``inf`` or exponent notation."""
    return f"{max(0.0, float(value)):.6f}"
