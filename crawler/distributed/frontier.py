"""The shared frontier: scrapy-redis's scheduler, queue and dupefilter, plus leases.

scrapy-redis pops a request and forgets it: a worker killed while fetching loses the page.  Here a
pop is an atomic move (one Lua script) from scrapy-redis's priority queue into a lease: a sorted
set scored by expiry, plus hashes holding the encoded request, its queue score and the owner's
token.  The lease is acknowledged (deleted) only after the page's outcome reached Redis
(crawler.distributed.leases); any worker's reaper puts expired leases back in the queue, counting
attempts, and past SPEECHCRAWL_LEASE_MAX_ATTEMPTS reports the request as failed.

Pushes go through the dupefilter in the same script as the queue insert, so a connection lost
between the two can neither drop a request (seen but not queued) nor queue it twice.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Self

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.dupefilter import Seen
from crawler.distributed.keys import CrawlKeys, SiteKeys
from crawler.distributed.outbox import REDIS_ERRORS
from crawler.settings import SPEECHCRAWL_DEFAULTS
from spiders.loader import spider_class

if TYPE_CHECKING:
    import redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from crawler.distributed.outbox import Outbox
    from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)

__all__ = ["LEASE_META", "LeasedQueue", "DistributedScheduler", "seed_start_requests", "Exhausted"]

RENEW_LEASES_FOR = 10
"""Leases' worth of time a live worker keeps renewing a request that has no outcome yet."""
LEASE_META = "speechcrawl_lease"
"""request.meta key holding (lease id, owner token) of a request popped from the shared frontier."""

# KEYS: requests, leases, leased, lease_info, attempts
_ACK = """
local function ack(id, token)
  local info = redis.call('HGET', KEYS[4], id)
  if info and string.sub(info, -string.len(token)) == token then
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    redis.call('HDEL', KEYS[5], id)
    return 1
  end
  return 0
end
"""
_LEASE = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local id = redis.sha1hex(r[1])
redis.call('ZADD', KEYS[2], ARGV[1], id)
redis.call('HSET', KEYS[3], id, r[1])
redis.call('HSET', KEYS[4], id, r[2] .. ' ' .. ARGV[2])
return {id, r[1]}
"""
# KEYS: requests, leases, leased, lease_info, attempts, then the seen fingerprints' two keys (Seen.keys);
# ARGV: fingerprint, dont_filter, score, data, lease id to release ('' for none), its token, then Seen.args.
# Preceded by the Lua of the crawl's kind of dupefilter (Seen.lua), which defines add_unseen.
_PUSH = """
local pushed = 0
if ARGV[2] == '1' or add_unseen(KEYS[6], KEYS[7], ARGV[1], ARGV[7], ARGV[8]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  pushed = 1
end
if ARGV[5] ~= '' then ack(ARGV[5], ARGV[6]) end
return pushed
"""
_RELEASE = _ACK + "return ack(ARGV[1], ARGV[2])"
# ARGV: now, max attempts, expiry of a lease kept for its failure report, limit
_REAP = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
local exhausted = {}
for _, id in ipairs(ids) do
  local data = redis.call('HGET', KEYS[3], id)
  local info = redis.call('HGET', KEYS[4], id)
  if not data then
    redis.call('ZREM', KEYS[2], id)
  else
    local n = redis.call('HINCRBY', KEYS[5], id, 1)
    local score = string.match(info or '0', '^(%S+)') or '0'
    if n < tonumber(ARGV[2]) then
      redis.call('ZADD', KEYS[1], score, data)
      redis.call('ZREM', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
      redis.call('HDEL', KEYS[4], id)
    else
      local token = 'reaper-' .. id
      redis.call('ZADD', KEYS[2], ARGV[3], id)
      redis.call('HSET', KEYS[4], id, score .. ' ' .. token)
      table.insert(exhausted, {id, data, token, n})
    end
  end
end
return exhausted
"""
# ARGV: new expiry, then lease id and owner token pairs; only leases still held by that token are extended
_RENEW = """
local n = 0
for i = 2, #ARGV - 1, 2 do
  local info = redis.call('HGET', KEYS[4], ARGV[i])
  local token = ARGV[i + 1]
  if info and string.sub(info, -string.len(token)) == token then
    redis.call('ZADD', KEYS[2], 'XX', ARGV[1], ARGV[i])
    n = n + 1
  end
end
return n
"""
# KEYS: requests, leases, done; ARGV: now
_DONE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 1 end
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('SET', KEYS[3], ARGV[1])
  return 1
end
return 0
"""


class Exhausted:
    """A request whose lease expired SPEECHCRAWL_LEASE_MAX_ATTEMPTS times: reported failed, then released."""

    def __init__(self, request: Request, lease: tuple[str, str], attempts: int) -> None:
        self.request = request
        self.lease = lease
        self.attempts = attempts


class LeasedQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue whose pop leases instead of deleting."""

    def __init__(self, server: redis.Redis, spider: Spider, key: str, serializer: Any = None,
                 seen: Seen | None = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.site_keys = SiteKeys(self.key.removesuffix(":requests"))
        self.seen = seen or Seen()
        self.seen_keys = self.seen.keys(self.site_keys)
        self.lease_seconds = float(SPEECHCRAWL_DEFAULTS["SPEECHCRAWL_LEASE_SECONDS"])
        self.token_prefix = secrets.token_hex(4)
        self._serial = 0
        self._lease = server.register_script(_LEASE)
        self._push = server.register_script(_ACK + self.seen.lua + _PUSH)
        self._release = server.register_script(_RELEASE)
        self._reap = server.register_script(_REAP)
        self._done = server.register_script(_DONE)
        self._renew = server.register_script(_RENEW)
        self.held: dict[str, tuple[str, float]] = {}
        """Leases this worker holds: id -> (token, time after which it stops renewing them)."""

    @property
    def _lease_keys(self) -> list[str]:
        k = self.site_keys
        return [self.key, k.leases, k.leased, k.lease_info, k.attempts]

    def _encode_request(self, request: Request) -> Any:
        """Encoded without its lease: that belongs to the popped request, not to the one queued."""
        lease = request.meta.pop(LEASE_META, None)
        try:
            return super()._encode_request(request)
        finally:
            if lease is not None:
                request.meta[LEASE_META] = lease

    def encode(self, request: Request) -> Any:
        return self._encode_request(request)

    def push(self, request: Request) -> bool:
        """Queue ``request`` unless the dupefilter saw it; whether it was queued."""
        fingerprint = RFPDupeFilter(self.server, self.seen_keys[0]).request_fingerprint(request)
        return self.push_unseen(fingerprint, request.dont_filter, -request.priority, self._encode_request(request))

    def push_many(self, requests: Iterable[Request]) -> int:
        """:meth:`push` each of ``requests`` (each one script, all in one pipeline); how many were queued."""
        pipe = self.server.pipeline(transaction=False)
        self.push_into(pipe, requests)
        return sum(pipe.execute())

    def push_into(self, pipe: redis.client.Pipeline, requests: Iterable[Request]) -> None:
        """Add the :meth:`push` of each of ``requests`` to ``pipe``: its results are 1 for each request queued."""
        fingerprints = RFPDupeFilter(self.server, self.seen_keys[0])
        for request in requests:
            self._push(keys=[*self._lease_keys, *self.seen_keys],
                       args=[fingerprints.request_fingerprint(request), int(request.dont_filter), -request.priority,
                             self._encode_request(request), "", "", *self.seen.args()], client=pipe)

    def push_unseen(self, fingerprint: str, dont_filter: bool, score: float, data: Any,
                    release: tuple[str, str] | None = None) -> bool:
        """Queue ``data`` unless the dupefilter saw it (one script); release the lease it replaces."""
        lease_id, token = release or ("", "")
        self.held.pop(lease_id, None)
        return bool(self._push(keys=[*self._lease_keys, *self.seen_keys],
                               args=[fingerprint, int(dont_filter), score, data, lease_id, token, *self.seen.args()]))

    def pop(self, timeout: float = 0) -> Request | None:
        self._serial += 1
        token = f"{self.token_prefix}-{self._serial}"
        found = self._lease(keys=self._lease_keys, args=[time.time() + self.lease_seconds, token])
        if not found:
            return None
        lease_id, data = found
        request: Request = self._decode_request(data)
        lease_id = lease_id.decode() if isinstance(lease_id, bytes) else lease_id
        request.meta[LEASE_META] = (lease_id, token)
        self.held[lease_id] = (token, time.monotonic() + RENEW_LEASES_FOR * self.lease_seconds)
        return request

    def release(self, lease: tuple[str, str]) -> bool:
        """Acknowledge a lease: the request's outcome is in Redis, nobody needs to fetch it again."""
        self.held.pop(lease[0], None)
        return bool(self._release(keys=self._lease_keys, args=list(lease)))

    def renew(self) -> int:
        """Extend the leases of requests this worker still works on; how many were extended.

        A live worker's requests may wait long in its downloader (politeness, a slow host): without
        this their leases would lapse and other workers fetch them again.  Only a dead (or frozen)
        worker's leases expire, and a request held RENEW_LEASES_FOR leases without an outcome is let go.
        """
        now = time.monotonic()
        for lease_id in [i for i, (_, until) in self.held.items() if until < now]:
            del self.held[lease_id]
        if not self.held:
            return 0
        pairs = [x for lease_id, (token, _) in self.held.items() for x in (lease_id, token)]
        return int(self._renew(keys=self._lease_keys, args=[time.time() + self.lease_seconds, *pairs]))

    def reap(self, max_attempts: int, limit: int = 100) -> list[Exhausted]:
        """Put expired leases back in the queue; return those that expired ``max_attempts`` times."""
        now = time.time()
        out = []
        for lease_id, data, token, attempts in self._reap(keys=self._lease_keys,
                                                          args=[now, max_attempts, now + self.lease_seconds, limit]):
            request = self._decode_request(data)
            lease = (lease_id.decode() if isinstance(lease_id, bytes) else lease_id,
                     token.decode() if isinstance(token, bytes) else token)
            out.append(Exhausted(request, lease, int(attempts)))
        return out

    def finished(self) -> bool:
        """True (and remembered) once the frontier is empty and no lease is held, by any worker."""
        return bool(self._done(keys=[self.key, self.site_keys.leases, self.site_keys.done], args=[time.time()]))


class DistributedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's Scheduler over :class:`LeasedQueue`, writing through the worker's outbox.

    A Redis error never crashes the spider: a pop returns nothing, a push waits in the outbox.
    A request that still carries a lease (a retry or a redirect the downloader made of a leased
    request) replaces it: it is queued and the old lease released in one script.
    """

    queue: LeasedQueue
    outbox: Outbox

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from crawler.distributed.link import link_for

        s = crawler.settings
        link = link_for(crawler)
        scheduler = cls(server=link.server, persist=True, queue_key=s["SCHEDULER_QUEUE_KEY"],
                        queue_cls=s["SCHEDULER_QUEUE_CLASS"], dupefilter_key=s["SCHEDULER_DUPEFILTER_KEY"],
                        dupefilter_cls=s["DUPEFILTER_CLASS"])
        scheduler.stats = crawler.stats
        scheduler.outbox = link.outbox
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        seen = Seen.from_settings(self.crawler.settings)
        self.queue = LeasedQueue(self.server, spider, self.queue_key % {"spider": spider.name}, self.serializer,
                                 seen=seen)
        self.df = seen.dupefilter(self.server, self.queue.site_keys)
        if seen.kind == "bloom":
            logger.info("%s: seen requests in a Bloom filter (first layer %d URLs, error rate at most %g): "
                        "a new URL it takes for a seen one is never fetched", spider.name, seen.capacity,
                        seen.error_rate)
        self.queue.lease_seconds = self.crawler.settings.getfloat("SPEECHCRAWL_LEASE_SECONDS")
        self.queue.token_prefix = f"{self.crawler.settings.get('SPEECHCRAWL_WORKER_ID')}-{secrets.token_hex(3)}"
        from crawler.distributed.link import link_for

        link_for(self.crawler).queue = self.queue

    def enqueue_request(self, request: Request) -> bool:
        release = request.meta.pop(LEASE_META, None)
        fingerprint = self.df.request_fingerprint(request)
        data = self.queue.encode(request)
        score, dont_filter = -request.priority, request.dont_filter
        self.outbox.send(lambda: self.queue.push_unseen(fingerprint, dont_filter, score, data, release))
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.outbox.outage.down or len(self.outbox):
            return None  # the outbox's retries find out when Redis is back
        try:
            request = self.queue.pop()
        except REDIS_ERRORS:
            self.outbox.send(self.server.ping)  # starts the outage: backoff, one warning
            return None
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.outbox.outage.down:
            return False
        try:
            return len(self.queue) > 0
        except REDIS_ERRORS:
            self.outbox.send(self.server.ping)
            return False

    def close(self, reason: str) -> None:
        """The frontier is the crawl's, not this worker's: nothing is flushed."""


def start_requests(profile: SiteProfile) -> tuple[Spider, list[Request]]:
    """The spider of ``profile`` (built outside a crawl) and its start requests, as a local crawl makes them."""
    spider = spider_class(profile)()

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return spider, asyncio.run(collect())


def seed_start_requests(server: redis.Redis, crawl_id: str, profiles: Sequence[SiteProfile],
                        seen: Seen | None = None) -> int:
    """Put every profile's start requests into the crawl's frontier (once: the dupefilter, of the crawl's
    kind ``seen``, sees to it); how many were queued now (0 when seeding again)."""
    keys = CrawlKeys(crawl_id)
    count = 0
    for profile in profiles:
        spider, requests = start_requests(profile)
        queue = LeasedQueue(server, spider, keys.site(profile.name).requests, seen=seen)
        # A local crawl's start requests skip the dupefilter; here they go through it, so seeding twice
        # (a second `crawl --redis`, a resume) does not fetch the start pages twice.
        count += queue.push_many(request.replace(dont_filter=False) for request in requests)
    return count
