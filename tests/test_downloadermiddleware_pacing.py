"""HostPacingMiddleware: robots.txt Crawl-delay spaces requests per host; Retry-After pauses the host."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.misc import build_from_crawler

from crawler.downloadermiddlewares.pacing import HostPacingMiddleware
from tests import spider_crawler

ROBOTS = b"User-agent: *\nDisallow: /plus/\nCrawl-delay: 2\n\nUser-agent: slowbot\nCrawl-delay: 3600\n"


def _mw(**settings: object) -> HostPacingMiddleware:
    return build_from_crawler(HostPacingMiddleware, spider_crawler({"SPEECHCRAWL_PACING_MAX_DELAY": 60.0,
                                                                    **settings}))


def _parsed(mw: HostPacingMiddleware, url: str, robots: bytes = ROBOTS) -> None:
    mw.robots_parsed(ProtegoRobotParser(robots, None), Request(url))


def test_crawl_delay_spaces_requests_to_that_host_only() -> None:
    mw = _mw()
    _parsed(mw, "http://a.example/x.html")
    assert mw.crawl_delay == {"a.example": 2.0}
    waits = [mw.book("a.example", now=100.0) for _ in range(4)]
    assert waits == [0.0, 2.0, 4.0, 6.0]
    assert mw.book("b.example", now=100.0) == 0.0 and mw.book("b.example", now=100.0) == 0.0
    assert mw.book("a.example", now=200.0) == 0.0  # idle long enough: no wait


def test_crawl_delay_is_capped_and_per_user_agent() -> None:
    mw = _mw(USER_AGENT="Mozilla/5.0 (compatible; slowbot/1.0)", SPEECHCRAWL_PACING_MAX_DELAY=10.0)
    _parsed(mw, "http://a.example/")
    assert mw.crawl_delay == {"a.example": 10.0}
    plain = _mw()
    _parsed(plain, "http://c.example/", b"User-agent: *\nDisallow: /x/\n")
    assert plain.crawl_delay == {}


def test_retry_after_pauses_the_whole_host() -> None:
    mw = _mw()
    request = Request("http://a.example/1.html")
    response = Response(request.url, status=429, headers={"Retry-After": "5"}, request=request)
    assert mw.process_response(request, response) is response
    wait = mw.book("a.example")
    assert 4.0 < wait <= 5.0
    assert mw.book("b.example") == 0.0
    assert mw.crawler.stats.get_value("speechcrawl/pacing/retry_after_pauses") == 1


def test_switched_off() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(HostPacingMiddleware, spider_crawler({"SPEECHCRAWL_PACING_ENABLED": False}))
