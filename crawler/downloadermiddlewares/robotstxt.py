"""RobotsTxtMiddleware: Scrapy's, except that every request waiting for robots.txt gets its rules.

Scrapy keeps one Deferred per host while robots.txt downloads, and each waiting request awaits it
as an asyncio future. Turning a Deferred into a future consumes its result: the first waiter gets
the parser, every later one gets None, and None means "no robots.txt, everything allowed". A
local crawl rarely has two requests waiting (the start page asks first, the rest come after the
rules are in), but a distributed worker joining a crawl leases many requests of a host at once:
it fetched robots-disallowed pages (the sandbox's sucai /vip/ copies) until this fix. Here each
waiter gets a Deferred of its own, fed from the shared one, which passes the parser on unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.robotstxt import RobotParser

__all__ = ["SharedRobotsTxtMiddleware"]


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Settings: Scrapy's ROBOTSTXT_OBEY, ROBOTSTXT_PARSER, ROBOTSTXT_USER_AGENT."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[Any] = Deferred()

        def relay(result: Any) -> Any:
            mine.callback(result)
            return result  # unchanged for the next waiter

        pending.addBoth(relay)
        parser: RobotParser | None = await maybe_deferred_to_future(mine)
        return parser
