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
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Self

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.dupefilter import Seen
from crawler.distributed.keys import CrawlKeys, SiteKeys
from crawler.distributed.outbox import REDIS_ERRORS
from crawler.queues import request_fields
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

LEASE_BATCH = 8
"""Requests leased in one round trip: the engine asks for one at a time, and each ask was a round trip."""
EMPTY_WAIT = 0.1
"""Seconds an empty frontier is not asked again: the engine asks after every page, the lease keeper's tick
wakes it within a second anyway."""
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
# ARGV: expiry, then one owner token per request wanted; answers id, data, id, data, ... (best first)
_LEASE = """
local r = redis.call('ZRANGE', KEYS[1], 0, #ARGV - 2, 'WITHSCORES')
local out = {}
for i = 1, #r, 2 do
  redis.call('ZREM', KEYS[1], r[i])
  local id = redis.sha1hex(r[i])
  redis.call('ZADD', KEYS[2], ARGV[1], id)
  redis.call('HSET', KEYS[3], id, r[i])
  redis.call('HSET', KEYS[4], id, r[i + 1] .. ' ' .. ARGV[(i + 1) / 2 + 1])
  table.insert(out, id)
  table.insert(out, r[i])
end
return out
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
# ARGV: lease id and owner token pairs of leased requests never started: back in the queue, no attempt counted
_GIVE_BACK = """
local n = 0
for i = 1, #ARGV - 1, 2 do
  local info = redis.call('HGET', KEYS[4], ARGV[i])
  local data = redis.call('HGET', KEYS[3], ARGV[i])
  if info and data and string.sub(info, -string.len(ARGV[i + 1])) == ARGV[i + 1] then
    redis.call('ZADD', KEYS[1], string.match(info, '^(%S+)'), data)
    redis.call('ZREM', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    redis.call('HDEL', KEYS[4], ARGV[i])
    n = n + 1
  end
end
return n
"""
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
        self._give_back = server.register_script(_GIVE_BACK)
        self._tokens: list[str] = []
        self.held: dict[str, tuple[str, float]] = {}
        """Leases this worker holds: id -> (token, time after which it stops renewing them)."""

    @property
    def _lease_keys(self) -> list[str]:
        k = self.site_keys
        return [self.key, k.leases, k.leased, k.lease_info, k.attempts]

    def _encode_request(self, request: Request) -> Any:
        """Encoded without its lease: that belongs to the popped request, not to the one queued.

        ``Request.to_dict`` names a callback by listing every member of the spider: a millisecond a
        request, a third of a worker's own time per page.  :func:`crawler.queues.request_fields` gives
        the same fields (less those at their defaults) without it; scrapy-redis decodes them with
        ``request_from_dict`` as before.
        """
        lease = request.meta.pop(LEASE_META, None)
        try:
            return self.serializer.dumps(request_fields(request, self.spider))
        finally:
            if lease is not None:
                request.meta[LEASE_META] = lease

    def encode(self, request: Request) -> Any:
        return self._encode_request(request)

    def push(self, request: Request) -> bool:
        """Queue ``request`` unless the dupefilter saw it; whether it was queued."""
        fingerprint = RFPDupeFilter(self.server, self.seen_keys[0]).request_fingerprint(request)
        return bool(self.push_unseen(fingerprint, request.dont_filter, -request.priority,
                                     self._encode_request(request)))

    @staticmethod
    def _run(script: Any, keys: list[str], args: list[Any], client: Any = None) -> Any:
        """Run ``script`` now, or add it to ``client`` (a pipeline: by its text, which a restarted Redis
        that lost its script cache still runs)."""
        if client is None:
            return script(keys=keys, args=args)
        return client.eval(script.script, len(keys), *keys, *args)

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
                    release: tuple[str, str] | None = None, client: Any = None) -> Any:
        """Queue ``data`` unless the dupefilter saw it (one script); release the lease it replaces."""
        lease_id, token = release or ("", "")
        self.held.pop(lease_id, None)
        return self._run(self._push, [*self._lease_keys, *self.seen_keys],
                         [fingerprint, int(dont_filter), score, data, lease_id, token, *self.seen.args()], client)

    def tokens(self, count: int) -> list[str]:
        """Owner tokens for ``count`` new leases (one each: an acknowledgement names the lease it settles)."""
        first = self._serial + 1
        self._serial += count
        return [f"{self.token_prefix}-{n}" for n in range(first, first + count)]

    def lease(self, tokens: list[str], client: Any = None) -> Any:
        """Lease up to ``len(tokens)`` requests, best first; give the answer to :meth:`leased`."""
        return self._run(self._lease, self._lease_keys, [time.time() + self.lease_seconds, *tokens], client)

    def leased(self, answer: list[Any], tokens: list[str]) -> list[Request]:
        """The requests of a :meth:`lease` answer, each carrying its lease (id, owner token)."""
        requests = []
        until = time.monotonic() + RENEW_LEASES_FOR * self.lease_seconds
        for lease_id, data, token in zip(answer[::2], answer[1::2], tokens, strict=False):
            request: Request = self._decode_request(data)
            lease_id = lease_id.decode() if isinstance(lease_id, bytes) else lease_id
            request.meta[LEASE_META] = (lease_id, token)
            self.held[lease_id] = (token, until)
            requests.append(request)
        return requests

    def pop(self, timeout: float = 0) -> Request | None:
        tokens = self.tokens(1)
        found = self.leased(self.lease(tokens), tokens)
        return found[0] if found else None

    def release(self, lease: tuple[str, str], client: Any = None) -> Any:
        """Acknowledge a lease: the request's outcome is in Redis, nobody needs to fetch it again."""
        self.held.pop(lease[0], None)
        return self._run(self._release, self._lease_keys, list(lease), client)

    def give_back(self, leases: list[tuple[str, str]]) -> int:
        """Put leased requests this worker never started back in the queue, no attempt counted."""
        for lease_id, _ in leases:
            self.held.pop(lease_id, None)
        if not leases:
            return 0
        return int(self._give_back(keys=self._lease_keys, args=[x for lease in leases for x in lease]))

    def renew(self, client: Any = None) -> Any:
        """Extend the leases of requests this worker still works on; the answer: how many were extended.

        A live worker's requests may wait long in its downloader (politeness, a slow host): without
        this their leases would lapse and other workers fetch them again.  Only a dead (or frozen)
        worker's leases expire, and a request held RENEW_LEASES_FOR leases without an outcome is let go.
        """
        now = time.monotonic()
        for lease_id in [i for i, (_, until) in self.held.items() if until < now]:
            del self.held[lease_id]
        pairs = [x for lease_id, (token, _) in self.held.items() for x in (lease_id, token)]
        if not pairs and client is None:
            return 0
        return self._run(self._renew, self._lease_keys, [time.time() + self.lease_seconds, *pairs], client)

    def reap(self, max_attempts: int, limit: int = 100, client: Any = None) -> Any:
        """Put expired leases back in the queue; those that expired ``max_attempts`` times are in the
        answer (give it to :meth:`exhausted`)."""
        now = time.time()
        return self._run(self._reap, self._lease_keys, [now, max_attempts, now + self.lease_seconds, limit], client)

    def exhausted(self, answer: list[Any]) -> list[Exhausted]:
        out = []
        for lease_id, data, token, attempts in answer:
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
        self.ready: deque[Request] = deque()
        # never more at once than the downloader takes: requests leased here are kept from the other workers
        self.lease_batch = max(1, min(LEASE_BATCH, self.crawler.settings.getint("CONCURRENT_REQUESTS")))
        self._leasing = False
        self._empty_until = 0.0
        self.queue.token_prefix = f"{self.crawler.settings.get('SPEECHCRAWL_WORKER_ID')}-{secrets.token_hex(3)}"
        from crawler.distributed.link import link_for

        link_for(self.crawler).queue = self.queue

    def enqueue_request(self, request: Request) -> bool:
        release = request.meta.pop(LEASE_META, None)
        fingerprint = self.df.request_fingerprint(request)
        data = self.queue.encode(request)
        score, dont_filter = -request.priority, request.dont_filter
        self.outbox.send(lambda client: self.queue.push_unseen(fingerprint, dont_filter, score, data, release, client))
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """The next of the requests leased together; when few are left, more are leased in the background
        (through the outbox, so behind this worker's own pushes), and the engine is woken when they come."""
        if len(self.ready) <= self.lease_batch // 2:
            self._lease_more()
        if not self.ready:
            return None
        request = self.ready.popleft()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _lease_more(self) -> None:
        if self._leasing or self.outbox.outage.down or time.monotonic() < self._empty_until:
            return  # Redis away: the outbox's retries find out when it is back
        self._leasing = True
        tokens = self.queue.tokens(self.lease_batch)
        self.outbox.send(lambda client: self.queue.lease(tokens, client),
                         lambda answer: self._leased(self.queue.leased(answer, tokens)))

    def _leased(self, found: list[Request]) -> None:
        self._leasing = False
        if not found:
            # The engine is woken all the same: it asked while the answer was on its way, found nothing and
            # must look again to see the crawl idle (within EMPTY_WAIT it does not send another lease).
            self._empty_until = time.monotonic() + EMPTY_WAIT
        self.ready.extend(found)
        wake(self.crawler)

    def has_pending_requests(self) -> bool:
        if self.ready:
            return True  # (a lease on its way does not count: the lease keeper's idle check sees it in the outbox)
        if self.outbox.outage.down:
            return False
        try:
            return len(self.queue) > 0
        except REDIS_ERRORS:
            self.outbox.send(lambda client: client.ping())
            return False

    def close(self, reason: str) -> None:
        """The frontier is the crawl's, not this worker's: nothing is flushed.  Requests leased together
        but never started go back to the queue at once (else their leases would lapse first)."""
        leases = [request.meta[LEASE_META] for request in self.ready]
        self.ready.clear()
        try:
            self.queue.give_back(leases)
        except REDIS_ERRORS:
            logger.warning("%d leased requests not given back (Redis away): they return when their leases expire",
                           len(leases))


def wake(crawler: Crawler) -> None:
    """Have the engine ask the scheduler again now, not at its next heartbeat (Scrapy has no public call)."""
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()


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
