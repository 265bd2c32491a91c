"""Compact scheduler queues: the requests waiting to be fetched, kept as a few hundred bytes each.

A generic crawl follows every link, so long before a site is fetched nearly all of its URLs wait in
the scheduler.  Scrapy's memory queues keep each as a live :class:`~scrapy.Request`, with its
``Headers``, meta dict, two bound methods (callback, errback), and the entries Scrapy's weak caches
add for it (request fingerprint, ``urlparse_cached``, ``trackref``): about 3.5 KB of RSS a waiting
request, 300 MB for a 100,000-page site (docs/benchmarks.md, "Memory of a 100,000-page generic crawl").
These queues keep the same requests as the pickled dict Scrapy's disk queues write
(the fields of :meth:`Request.to_dict` minus those left at their defaults), in memory, and build the
``Request`` again when the scheduler pops it: about 0.3 KB a waiting request.

Nothing goes to disk, so a killed crawl leaves no queue files to agree with ``--resume``
(crawler.resume rebuilds the frontier from the list pages, as before).  The order is Scrapy's:
the priority queue above is unchanged, and each queue here is LIFO (``SCHEDULER_MEMORY_QUEUE``) or
FIFO (``SCHEDULER_START_MEMORY_QUEUE``) like the queue it replaces.

Two kinds of request stay whole: the next page of an article being stitched (its meta carries the
:class:`~spiders.items.Document` and its fetched pages; at most one per article in progress, and a
pickled copy would no longer be the document its errback must hand on), and any request that
cannot be pickled by name (a callback that is not a spider method, an object in meta that pickle
refuses), counted in ``speechcrawl/queues/kept_whole``.
"""

from __future__ import annotations

import logging
import pickle
from collections import deque
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.utils.request import request_from_dict

from spiders.template import DOC_META

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["CompactFifoMemoryQueue", "CompactLifoMemoryQueue", "pack", "request_fields", "unpack"]

_DEFAULTS: dict[str, Any] = {
    "method": "GET", "body": b"", "cookies": {}, "meta": {}, "encoding": "utf-8", "priority": 0,
    "dont_filter": False, "flags": [], "cb_kwargs": {}, "headers": {}, "callback": None, "errback": None,
}
"""What a ``Request(url)`` has; a field equal to its default is left out of the packed form."""
_UNPICKLABLE = (pickle.PicklingError, AttributeError, TypeError, ValueError)
"""What :func:`_method_name` (a callback that is no spider method: ValueError) and ``pickle.dumps`` raise
for what they cannot keep by name."""

Packed = bytes | Request


def pack(request: Request, spider: Spider | None) -> Packed:
    """``request`` as pickled bytes of its non-default fields, or the request itself when it must stay whole."""
    if DOC_META in request.meta:
        return request
    try:
        return pickle.dumps(request_fields(request, spider), protocol=pickle.HIGHEST_PROTOCOL)
    except _UNPICKLABLE:
        return request


def request_fields(request: Request, spider: Spider | None) -> dict[str, Any]:
    """``request.to_dict(spider=spider)`` without the fields left at their defaults, and without its cost.

    :func:`scrapy.utils.request.request_from_dict` builds the same request from it (a missing field
    takes its default).  The distributed frontier encodes its requests with it too.  Raises
    ValueError for a callback or errback that is not a method of ``spider``, as ``to_dict`` does.
    """
    fields = {"url": request.url, "callback": _method_name(request.callback, spider),
              "errback": _method_name(request.errback, spider), "headers": dict(request.headers)}
    for attr in request.attributes:
        fields.setdefault(attr, getattr(request, attr))
    if type(request) is not Request:
        fields["_class"] = f"{type(request).__module__}.{type(request).__qualname__}"
    return {k: v for k, v in fields.items() if k not in _DEFAULTS or _DEFAULTS[k] != v}


def _method_name(func: Any, spider: Spider | None) -> str | None:
    """The name of the spider method ``func`` is bound to, as ``Request.to_dict`` finds it.

    ``to_dict`` lists every member of the spider (``inspect.getmembers``) for each request: 1 ms a
    request, more than the rest of packing and unpacking together.  A method bound to the spider
    is found by its own name; anything else raises ValueError, as ``to_dict`` does.
    """
    if func is None:
        return None
    name = getattr(func, "__name__", None)
    if (spider is None or getattr(func, "__self__", None) is not spider or not isinstance(name, str)
            or getattr(getattr(spider, name, None), "__func__", None) is not func.__func__):
        raise ValueError(f"{func!r} is not a method of {spider!r}")
    return name


def unpack(item: Packed, spider: Spider | None) -> Request:
    """The request :func:`pack` was given (an equal one, rebuilt, when it was packed to bytes)."""
    if isinstance(item, Request):
        return item
    return request_from_dict(pickle.loads(item), spider=spider)  # noqa: S301 (bytes this process pickled)


class _CompactQueue:
    """A queue of packed requests; subclasses say which end :meth:`pop` takes from."""

    def __init__(self, spider: Spider | None = None, stats: StatsCollector | None = None) -> None:
        self.spider = spider
        self.stats = stats
        self.items: deque[Packed] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        return cls(crawler.spider, crawler.stats)

    def push(self, request: Request) -> None:
        item = pack(request, self.spider)
        if item is request and DOC_META not in request.meta and self.stats is not None:
            self.stats.inc_value("speechcrawl/queues/kept_whole")
        self.items.append(item)

    def pop(self) -> Request | None:
        if not self.items:
            return None
        return unpack(self._take(), self.spider)

    def peek(self) -> Request | None:
        if not self.items:
            return None
        return unpack(self._next(), self.spider)

    def _take(self) -> Packed:
        raise NotImplementedError

    def _next(self) -> Packed:
        raise NotImplementedError

    def close(self) -> None:
        self.items.clear()

    def __len__(self) -> int:
        return len(self.items)


class CompactLifoMemoryQueue(_CompactQueue):
    """Last in, first out, as Scrapy's ``LifoMemoryQueue`` (SCHEDULER_MEMORY_QUEUE)."""

    def _take(self) -> Packed:
        return self.items.pop()

    def _next(self) -> Packed:
        return self.items[-1]


class CompactFifoMemoryQueue(_CompactQueue):
    """First in, first out, as Scrapy's ``FifoMemoryQueue`` (SCHEDULER_START_MEMORY_QUEUE)."""

    def _take(self) -> Packed:
        return self.items.popleft()

    def _next(self) -> Packed:
        return self.items[0]
