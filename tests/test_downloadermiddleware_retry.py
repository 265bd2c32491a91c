"""BackoffRetryMiddleware: Scrapy's retry decisions, spaced out, honouring Retry-After, giving up clearly."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler

from crawler.downloadermiddlewares.retry import (
    META_NOT_BEFORE,
    BackoffRetryMiddleware,
    backoff_delay,
    parse_retry_after,
)
from spiders.failures import FAILURE_NOTE
from tests import spider_crawler

SETTINGS = {"SPEECHCRAWL_RETRY_BACKOFF_BASE": 1.0, "SPEECHCRAWL_RETRY_BACKOFF_MAX": 30.0, "RETRY_TIMES": 3}


def _mw() -> BackoffRetryMiddleware:
    return build_from_crawler(BackoffRetryMiddleware, spider_crawler(SETTINGS))


def _response(request: Request, status: int, headers: dict[str, str] | None = None) -> HtmlResponse:
    return HtmlResponse(request.url, status=status, headers=headers or {}, body=b"<html></html>", request=request)


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(b"120") == 120.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30.0)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after(None) is None and parse_retry_after(b"soon") is None and parse_retry_after("-5") is None


def test_backoff_doubles_honours_retry_after_and_is_capped() -> None:
    assert [backoff_delay(n, 0.5, 10.0) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    assert backoff_delay(1, 0.5, 10.0, retry_after=7) == 7.0
    assert backoff_delay(4, 0.5, 10.0, retry_after=1) == 4.0
    assert backoff_delay(1, 0.5, 10.0, retry_after=60) == 10.0


def test_5xx_is_retried_after_a_growing_delay() -> None:
    mw = _mw()
    request = Request("http://example.com/a.html")
    waits = []
    for attempt in range(1, 4):
        before = time.monotonic()
        retry = mw.process_response(request, _response(request, 503))
        assert isinstance(retry, Request) and retry.meta["retry_times"] == attempt
        waits.append(retry.meta[META_NOT_BEFORE] - before)
        request = retry
    assert [round(w) for w in waits] == [1, 2, 4]
    final = mw.process_response(request, _response(request, 503))
    assert isinstance(final, HtmlResponse) and final.status == 503  # given up: the spider's errback records it


def test_429_waits_at_least_retry_after_and_the_stat_says_so() -> None:
    mw = _mw()
    request = Request("http://example.com/a.html")
    before = time.monotonic()
    retry = mw.process_response(request, _response(request, 429, {"Retry-After": "12"}))
    assert isinstance(retry, Request) and retry.meta[META_NOT_BEFORE] - before >= 12
    assert mw.crawler.stats.get_value("speechcrawl/retry/retry_after") == 1


def test_a_retry_after_beyond_the_cap_gives_up_with_a_note() -> None:
    mw = _mw()
    request = Request("http://example.com/a.html")
    response = mw.process_response(request, _response(request, 503, {"Retry-After": "3600"}))
    assert isinstance(response, HtmlResponse) and response.status == 503
    assert "3600s" in request.meta[FAILURE_NOTE] and "SPEECHCRAWL_RETRY_BACKOFF_MAX" in request.meta[FAILURE_NOTE]


def test_timeouts_are_retried_with_backoff_and_404_is_not() -> None:
    mw = _mw()
    request = Request("http://example.com/a.html")
    retry = mw.process_exception(request, DownloadTimeoutError("took too long"))
    assert isinstance(retry, Request) and retry.meta[META_NOT_BEFORE] > time.monotonic()
    not_found = _response(request, 404)
    assert mw.process_response(request, not_found) is not_found
    assert mw.process_exception(request, ValueError("bug")) is None
