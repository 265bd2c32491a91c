"""Naming why a request finally failed: a kind a program can group by, a reason a person can act on.

Twisted and Scrapy report the same event under several exception types, and their messages are
written for developers ("[<twisted.python.failure.Failure ...ConnectionLost...>]").  The catalog
and ``speechcrawl crawls show`` need one short kind per failure and a sentence that says what the
server did.  Components that raise their own exceptions (redirect loops, SSRF refusals, truncated
bodies) set a ``kind`` attribute on them, so this module needs no import from ``crawler``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost, TCPTimedOutError, TimeoutError
from twisted.web.client import ResponseFailed, ResponseNeverReceived

if TYPE_CHECKING:
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

__all__ = ["ROBOTS_FORBIDDEN", "FAILURE_NOTE", "describe_failure"]

FAILURE_NOTE = "speechcrawl_failure_note"
"""Request meta key a component sets to say why it gave a request up (e.g. Retry-After too long)."""

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"
"""RobotsTxtMiddleware's message: a policy decision, not a failure of the page."""

_BY_TYPE: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout", "no complete answer within the timeout"),
    ((ResponseDataLossError,), "data_loss",
     "connection closed before the whole body arrived (fewer bytes than Content-Length)"),
    ((ConnectionLost, ConnectionDone, ResponseFailed, ResponseNeverReceived, DownloadFailedError),
     "connection_lost", "connection reset or closed by the server mid-response"),
    ((DownloadConnectionRefusedError,), "connection_refused", "connection refused"),
    ((CannotResolveHostError,), "dns", "host name does not resolve"),
)


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def describe_failure(failure: Failure) -> tuple[int | None, str, str] | None:
    """``(status, kind, reason)`` of a request's final failure; None when it is no failure (robots.txt)."""
    exc = failure.value
    request = getattr(failure, "request", None)
    meta = request.meta if request is not None else {}
    retries = meta.get("retry_times", 0)
    after = f" (after {retries} retries)" if retries else ""
    if meta.get(FAILURE_NOTE):
        after += f"; {meta[FAILURE_NOTE]}"
    if isinstance(exc, HttpError) and exc.response is not None:
        status = exc.response.status
        return status, "http", _status_text(status) + after
    if hasattr(exc, "kind") and exc.kind is None:
        return None  # a component's way of saying "no failure" (a request abandoned as the crawl closed)
    kind = getattr(exc, "kind", None)
    if isinstance(kind, str):
        return getattr(exc, "status", None), kind, str(exc) + after
    for types, name, text in _BY_TYPE:
        if isinstance(exc, types):
            detail = str(exc) if isinstance(exc, DownloadTimeoutError) else ""
            return None, name, text + (f": {detail}" if detail else "") + after
    message = str(exc)
    if isinstance(exc, IgnoreRequest):
        if message == ROBOTS_FORBIDDEN:
            return None
        if "max size" in message.lower() or "maxsize" in message.lower():
            return None, "too_large", message
        if message == "max redirections reached":
            return None, "redirect_limit", "too many redirects (REDIRECT_MAX_TIMES reached)"
        return None, "ignored", message
    if isinstance(exc, DownloadCancelledError) and "max size" in message:
        return None, "too_large", message
    return None, type(exc).__name__, message or repr(exc)
