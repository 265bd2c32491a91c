"""A worker crawl's one connection to Redis, shared by its scheduler, pipeline and lease keeper.

One client and one :class:`~crawler.distributed.outbox.Outbox` per crawler, so everything the
crawl tells Redis keeps its order (records before the lease they settle) and one outage is
noticed, waited out and logged once.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from crawler.distributed.keys import CrawlKeys, connect, connect_async
from crawler.distributed.outbox import Outbox

if TYPE_CHECKING:
    import redis
    from scrapy.crawler import Crawler

__all__ = ["Link", "link_for"]


class Frontier(Protocol):
    """What the lease keeper needs of the scheduler's queue (crawler.distributed.frontier.LeasedQueue)."""

    def release(self, lease: tuple[str, str], client: Any = None) -> Any: ...

    def renew(self, client: Any = None) -> Any: ...

    def reap(self, max_attempts: int, limit: int = 100, client: Any = None) -> Any: ...

    def exhausted(self, answer: list[Any]) -> list[Any]: ...

    def finished(self) -> bool: ...


@dataclass
class Link:
    server: redis.Redis
    outbox: Outbox
    keys: CrawlKeys
    worker: str
    queue: Frontier | None = field(default=None)
    """Set when the scheduler opens (the queue needs the spider)."""

    def send_entry(self, kind: str, site: str, data: str) -> None:
        """Append one entry for the record writer (crawler.distributed.ingest), in order, through the outbox."""
        fields = {"kind": kind, "site": site, "worker": self.worker, "data": data}
        self.outbox.send(lambda client: client.xadd(self.keys.records, fields))


_LINKS: weakref.WeakKeyDictionary[Crawler, Link] = weakref.WeakKeyDictionary()


def link_for(crawler: Crawler) -> Link:
    link = _LINKS.get(crawler)
    if link is None:
        from twisted.internet import reactor

        s = crawler.settings
        server = connect(s["SPEECHCRAWL_REDIS_URL"])
        link = Link(server=server,
                    outbox=Outbox(f"worker {s['SPEECHCRAWL_WORKER_ID']} ({crawler.spidercls.name})",
                                  connect_async(s["SPEECHCRAWL_REDIS_URL"]),
                                  reactor.callLater, cap=s.getfloat("SPEECHCRAWL_REDIS_RETRY_MAX")),
                    keys=CrawlKeys(s["SPEECHCRAWL_CRAWL_ID"]), worker=s["SPEECHCRAWL_WORKER_ID"])
        _LINKS[crawler] = link
    return link
