"""describe_failure: each way a request can finally fail gets one kind and a sentence a person can act on."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure

from crawler.downloadermiddlewares._wait import CrawlClosingError
from crawler.downloadermiddlewares.ssrf import PrivateAddressError
from spiders.failures import FAILURE_NOTE, ROBOTS_FORBIDDEN, describe_failure


def _failure(exc: Exception, **meta: object) -> Failure:
    failure = Failure(exc)
    failure.request = Request("http://h/a.html", meta=meta)  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(("exc", "kind", "words"), [
    (DownloadTimeoutError("Getting http://h/a.html took longer than 2.0 seconds."), "timeout", "longer than 2.0"),
    (ResponseDataLossError(), "data_loss", "fewer bytes than Content-Length"),
    (ConnectionLost(), "connection_lost", "reset or closed"),
    (CannotResolveHostError(), "dns", "does not resolve"),
    (IgnoreRequest("max redirections reached"), "redirect_limit", "REDIRECT_MAX_TIMES"),
    (IgnoreRequest("Ignored response <200 x> because its body exceeded DOWNLOAD_MAXSIZE"), "too_large", "MAXSIZE"),
    (DownloadCancelledError("Expected to receive 209715200 bytes which is larger than download max size"),
     "too_large", "209715200"),
    (PrivateAddressError("refused http://10.0.0.1/: non-public address"), "private_address", "non-public"),
    (KeyError("odd"), "KeyError", "odd"),
])
def test_kinds_and_reasons(exc: Exception, kind: str, words: str) -> None:
    described = describe_failure(_failure(exc))
    assert described is not None and described[1] == kind and words in described[2]


def test_http_errors_carry_status_and_retries() -> None:
    request = Request("http://h/a.html", meta={"retry_times": 3, FAILURE_NOTE: "server asked for 3600s"})
    error = HttpError(Response(request.url, status=503, request=request), "Ignoring non-200 response")
    failure = Failure(error)
    failure.request = request  # type: ignore[attr-defined]
    assert describe_failure(failure) == (503, "http", "HTTP 503 Service Unavailable (after 3 retries); "
                                                       "server asked for 3600s")


def test_robots_denials_and_requests_abandoned_at_close_are_not_failures() -> None:
    assert describe_failure(_failure(IgnoreRequest(ROBOTS_FORBIDDEN))) is None
    assert describe_failure(_failure(CrawlClosingError("crawl closing"))) is None
