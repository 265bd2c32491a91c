"""HTTP validators for sandbox sites that support conditional requests.

A site with ``conditional = True`` sends ``ETag`` (a digest of the body) and
``Last-Modified`` with every page and answers ``304 Not Modified`` (no body) when the
request's ``If-None-Match`` matches, or, without one, when ``If-Modified-Since`` is not
older than the page.  Sites without it ignore both headers, like many template CMSs.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime

from sandbox.hooks import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["etag_of", "http_date", "with_validators", "not_modified"]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def http_date(day: date) -> str:
    return format_datetime(datetime.combine(day, time(8, 0), tzinfo=UTC), usegmt=True)


def with_validators(response: Response, modified: date) -> Response:
    headers = (*response.headers, ("ETag", etag_of(response.body)), ("Last-Modified", http_date(modified)))
    return Response(response.status, response.body, response.content_type, headers)


def not_modified(request: Request, response: Response) -> Response | None:
    """A 304 for ``response`` when the request's validators say the client has it, else ``None``."""
    validators = dict(response.headers)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip() for t in if_none_match.split(",")}
        fresh = validators.get("ETag") in tags or "*" in tags
    else:
        since = request.headers.get("if-modified-since")
        if since is None:
            return None
        try:
            fresh = parsedate_to_datetime(since) >= parsedate_to_datetime(validators["Last-Modified"])
        except (TypeError, ValueError, KeyError):
            return None
    if not fresh:
        return None
    kept = tuple((k, v) for k, v in response.headers if k in ("ETag", "Last-Modified"))
    return Response(304, b"", response.content_type, kept)
