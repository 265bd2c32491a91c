"""SlotLimitedDownloader: Scrapy's downloader, with each slot's concurrency held under the asyncio reactor.

Scrapy (2.19) counts a request against its slot's CONCURRENT_REQUESTS_PER_DOMAIN only once the task that
downloads it starts running: a request enters the slot's ``transferring`` set in that task.  Under the
asyncio reactor the task starts on the event loop's next turn, so the loop that takes requests off the
slot's queue sees free places until the queue is empty, and starts them all.  Measured on a crawl of one
host with a limit of 8 and no delay: up to 15 requests at a time, and twice as many connections as needed,
because Twisted's pool keeps at most the limit of idle connections per host and closes every one over it
as it comes back (59 connections opened for 400 pages; 8 with the slot held).  With a DOWNLOAD_DELAY the
queue is read one request at a time and nothing bursts; without one (a sandbox, a host the operator
allowed to go fast) the per-host limit is what keeps the crawl polite, so it must hold.

The fix is to count a request as transferring as soon as it leaves the slot's queue.  The downloader adds
it again when its task starts (a set: no change) and takes it out when the download ends, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader import Downloader, Slot

if TYPE_CHECKING:
    from scrapy import Request, Spider

__all__ = ["SlotLimitedDownloader"]


class _SlotQueue(deque[Any]):
    """A slot's queue of (request, deferred): taking a request off it books its place in the slot."""

    def __init__(self, slot: Slot, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.slot = slot

    def popleft(self) -> Any:
        item = super().popleft()
        self.slot.transferring.add(item[0])
        return item


class SlotLimitedDownloader(Downloader):
    """DOWNLOADER: Scrapy's, with requests counted against their slot from the moment they leave its queue."""

    def _get_slot(self, request: Request, spider: Spider | None = None) -> tuple[str, Slot]:
        # Older Scrapy passes the spider and needs it; 2.19 warns when it is passed.
        key, slot = super()._get_slot(request) if spider is None else super()._get_slot(request, spider)
        if not isinstance(slot.queue, _SlotQueue):
            slot.queue = _SlotQueue(slot, slot.queue)
        return key, slot
