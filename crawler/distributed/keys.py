"""Where a distributed crawl lives in Redis: every key name, and the one way to connect.

All keys of one crawl start with ``speechcrawl:<crawl id>:``, so a crawl can be inspected, resumed or
deleted (``redis-cli --scan --pattern 'speechcrawl:<id>:*'``) without touching any other.  The
scrapy-redis settings take ``%(spider)s`` for the site; :func:`scheduler_settings` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["CRAWLS", "WORKERS", "CrawlKeys", "SiteKeys", "connect", "scheduler_settings"]

CRAWLS = "speechcrawl:crawls"
"""A set of every crawl id seeded on this Redis (workers look here for work)."""
WORKERS = "speechcrawl:workers"
"""A hash: worker id -> when it last looked for work (Unix time), whether it found any or not."""


@dataclass(frozen=True)
class SiteKeys:
    """The keys of one site of one crawl."""

    prefix: str

    @property
    def requests(self) -> str:
        """scrapy-redis's priority queue (a sorted set of encoded requests): the frontier."""
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        """scrapy-redis's set of request fingerprints (SPEECHCRAWL_DUPEFILTER = "set")."""
        return f"{self.prefix}:dupefilter"

    @property
    def bloom(self) -> str:
        """The Bloom filter's bits, in place of the set (SPEECHCRAWL_DUPEFILTER = "bloom")."""
        return f"{self.prefix}:bloom"

    @property
    def bloom_info(self) -> str:
        """Hash: the Bloom filter's base capacity and error rate, its layers, the items in its last layer."""
        return f"{self.prefix}:bloom-info"

    @property
    def leases(self) -> str:
        """Sorted set: lease id -> expiry (Unix time)."""
        return f"{self.prefix}:leases"

    @property
    def leased(self) -> str:
        """Hash: lease id -> the encoded request."""
        return f"{self.prefix}:leased"

    @property
    def lease_info(self) -> str:
        """Hash: lease id -> "<queue score> <owner token>"."""
        return f"{self.prefix}:lease-info"

    @property
    def attempts(self) -> str:
        """Hash: lease id -> how many of its leases expired (a worker died holding it)."""
        return f"{self.prefix}:attempts"

    @property
    def done(self) -> str:
        """Set (to the time) once the frontier is empty and no lease is held: the site's crawl is over."""
        return f"{self.prefix}:done"

    @property
    def pages(self) -> str:
        """Counter: responses of the site in this run of the crawl (for --max-pages, crawler.distributed.limits)."""
        return f"{self.prefix}:pages"

    @property
    def stopped(self) -> str:
        """String: why the site was stopped before its frontier ran dry (Scrapy's close reason)."""
        return f"{self.prefix}:stopped"


@dataclass(frozen=True)
class CrawlKeys:
    """The keys of one crawl."""

    crawl_id: str

    @property
    def prefix(self) -> str:
        return f"speechcrawl:{self.crawl_id}"

    def site(self, site: str) -> SiteKeys:
        return SiteKeys(f"{self.prefix}:{site}")

    @property
    def options(self) -> str:
        """String: the crawl's options as JSON (every worker crawls with the same settings)."""
        return f"{self.prefix}:options"

    @property
    def records(self) -> str:
        """Stream: cleaned records, fetches, failures and worker events, consumed by the one writer."""
        return f"{self.prefix}:records"

    @property
    def workers(self) -> str:
        """Hash: worker id -> last time it said it was alive (Unix time)."""
        return f"{self.prefix}:workers"


def scheduler_settings(crawl_id: str, redis_url: str, dupefilter: str = "set") -> dict[str, Any]:
    """The scrapy-redis settings of a worker's crawl of ``crawl_id`` (keys namespaced by crawl and site), its
    fingerprints in a set or a Bloom filter (``dupefilter``: SPEECHCRAWL_DUPEFILTER)."""
    keys = CrawlKeys(crawl_id)
    if dupefilter == "bloom":
        seen = {"SCHEDULER_DUPEFILTER_KEY": f"{keys.prefix}:%(spider)s:bloom",
                "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.BloomDupeFilter"}
    else:
        seen = {"SCHEDULER_DUPEFILTER_KEY": f"{keys.prefix}:%(spider)s:dupefilter",
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter"}
    return {
        "SCHEDULER": "crawler.distributed.frontier.DistributedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.frontier.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": f"{keys.prefix}:%(spider)s:requests",
        **seen,
        "SCHEDULER_PERSIST": True,  # the frontier outlives every worker: it is the crawl's state
        "REDIS_URL": redis_url,
    }


def connect(url: str, *, retries: int = 2) -> redis.Redis:
    """A client that retries a dropped connection a few times with backoff, then raises.

    Longer outages are not waited out inside a command (that would freeze the worker's reactor):
    callers catch ``crawler.distributed.outbox.REDIS_ERRORS`` and try again later.
    """
    import redis
    import redis.asyncio
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), retries),
                                retry_on_error=[redis.ConnectionError, redis.TimeoutError],
                                socket_connect_timeout=2.0, socket_timeout=10.0, health_check_interval=5)


def connect_async(url: str, *, decode_responses: bool = False) -> redis.asyncio.Redis:
    """The ``redis.asyncio`` client of a worker's background writes (the outbox, host slots): one quick
    reconnect, then the caller's own backoff (crawler.distributed.outbox.Outage) takes over."""
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return Redis.from_url(url, decode_responses=decode_responses, socket_timeout=5, socket_connect_timeout=2,
                          retry=Retry(NoBackoff(), 1))
