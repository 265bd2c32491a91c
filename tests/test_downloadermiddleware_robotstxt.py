"""Every request waiting for a host's robots.txt gets its rules (crawler.downloadermiddlewares.robotstxt)."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import ProtegoRobotParser
from twisted.internet.defer import Deferred

from crawler.addon import DOWNLOADER_MIDDLEWARES
from crawler.downloadermiddlewares.robotstxt import SharedRobotsTxtMiddleware
from tests import spider_crawler


def _waiting(mw: RobotsTxtMiddleware, count: int, outcome: Any) -> list[Any]:
    """What ``count`` requests waiting together for robots.txt get when its download ends in ``outcome``."""
    async def wait_together() -> list[Any]:
        pending: Deferred[Any] = Deferred()
        mw._parsers["example.org"] = pending  # robots.txt of example.org is being downloaded
        waiting = [asyncio.ensure_future(mw.robot_parser(Request(f"https://example.org/vip/{n}.html")))
                   for n in range(count)]
        await asyncio.sleep(0)  # every request is waiting now
        pending.callback(outcome)
        return list(await asyncio.gather(*waiting))

    return asyncio.run(wait_together())


def test_every_waiting_request_gets_the_rules() -> None:
    crawler = spider_crawler({"ROBOTSTXT_OBEY": True})
    parser = ProtegoRobotParser.from_crawler(crawler, b"User-agent: *\nDisallow: /vip/\n")
    assert _waiting(SharedRobotsTxtMiddleware(crawler), 4, parser) == [parser] * 4
    assert not parser.allowed("https://example.org/vip/1.html", "speechcrawl")


def test_a_failed_robots_download_still_allows_everything() -> None:
    # What Scrapy hands the waiters when robots.txt could not be fetched.
    assert _waiting(SharedRobotsTxtMiddleware(spider_crawler({"ROBOTSTXT_OBEY": True})), 3, None) == [None] * 3


def test_the_addon_uses_it_instead_of_scrapys() -> None:
    assert DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None
    assert DOWNLOADER_MIDDLEWARES["crawler.downloadermiddlewares.robotstxt.SharedRobotsTxtMiddleware"] == 100
