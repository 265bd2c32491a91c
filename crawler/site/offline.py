"""Replay archived fetches offline through a profile: the crawl the WARC records, redone without a network.

The real :class:`spiders.template.TemplateSpider` parses the archived responses (built as Scrapy
responses, the way Scrapy's own tests drive spiders) starting from the profile's start URLs, so
link rules, restrict areas, redirects and article pagination are exercised exactly as in a crawl;
the documents go through the crawl's own cleaning (:func:`corpus.records.clean_document`)
and record building.  A URL the spider asks for that the WARC does not hold is skipped and
listed: a fixture is a few pages of a site, not all of it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from twisted.python.failure import Failure

from archive.exceptions import ArchiveError
from archive.reader import ArchivedRecord, decode_content, iter_records
from archive.warc import RecordPointer
from cleaners.types import CleanOptions
from corpus.records import clean_document
from spiders.items import Document
from spiders.profiles import SiteProfile
from spiders.template import TemplateSpider

logger = logging.getLogger(__name__)

__all__ = ["ArchivedPages", "Replay", "replay"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HOPS = 10


@dataclass(frozen=True)
class _Fetch:
    record: ArchivedRecord
    body: bytes


class ArchivedPages:
    """The HTTP responses of some WARC files, by URL; revisits resolved, content-encoding undone."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.by_url: dict[str, _Fetch] = {}
        self.undecodable: dict[str, str] = {}
        """URL: why its archived body could not be decoded (a corrupt gzip, br or zstd body, a bomb)."""
        records = [r for path in paths for r in iter_records(path)
                   if r.rec_type in ("response", "revisit") and r.target_uri is not None]
        bodies = {}
        for r in records:
            if r.rec_type == "response":
                try:
                    bodies[r.record_id] = decode_content(r.payload, r.http_header("Content-Encoding"))
                except ArchiveError as exc:  # one bad body is one page missing, not a failed replay
                    logger.warning("%s (%s offset %d): skipped: %s", r.target_uri, r.filename, r.offset, exc)
                    self.undecodable.setdefault(str(r.target_uri), str(exc))
        for record in records:
            # A revisit stands for an identical earlier payload, possibly in another file: whole files first.
            ref = record.record_id if record.rec_type == "response" else record.header("WARC-Refers-To") or ""
            if ref in bodies:
                self.by_url.setdefault(str(record.target_uri), _Fetch(record, bodies[ref]))  # first fetch wins

    def urls(self) -> list[str]:
        return list(self.by_url)

    def response(self, request: Request) -> Response | None:
        """The archived response to ``request``, redirects followed; None when not archived."""
        url = request.url
        for _ in range(_MAX_HOPS):
            fetch = self.by_url.get(url)
            if fetch is None:
                return None
            status = fetch.record.http_status or 0
            location = fetch.record.http_header("Location")
            if status in _REDIRECTS and location:
                url = urljoin(url, location)
                continue
            record = fetch.record
            request.meta["speechcrawl_warc"] = RecordPointer(
                record.filename, record.offset, record.length, record.record_id,
                record.header("WARC-Payload-Digest") or "", record.date)
            request.meta["speechcrawl_fetched_at"] = record.date.replace("Z", "+00:00")
            headers = Headers([(k, v) for k, v in record.http_headers if k.lower() != "content-encoding"])
            cls = responsetypes.from_args(headers=headers, url=url, body=fetch.body)
            return cls(url=url, status=status, headers=headers, body=fetch.body, request=request)
        return None


@dataclass
class Replay:
    """What the replay produced: export records, the documents, and what the spider wanted but was not there."""

    records: list[dict[str, Any]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    not_archived: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """Documents the cleaners made nothing of, with the reason."""


def _outputs(request: Request, response: Response | None, spider: TemplateSpider) -> Iterator[Any]:
    if response is not None and 200 <= response.status < 300:
        callback = request.callback or spider.parse
        yield from callback(response)
    elif request.errback is not None:  # a later page of an article: keep what was read
        failure = Failure(IgnoreRequest(f"{request.url} not archived"))  # type: ignore[no-untyped-call]
        failure.request = request  # type: ignore[attr-defined]
        yield from request.errback(failure) or ()


def replay(profile: SiteProfile, pages: ArchivedPages, options: CleanOptions | None = None) -> Replay:
    """Crawl ``pages`` as the spider of ``profile`` would (breadth first), clean what it yields."""
    spider = TemplateSpider(profile=profile)
    spider.crawler = None  # type: ignore[assignment]  # no engine, no stats: the spider skips its counters
    out = Replay()
    queue = deque(Request(url, callback=spider.parse, dont_filter=True) for url in profile.start_urls)
    seen: set[str] = set()
    while queue:
        request = queue.popleft()
        if not request.dont_filter and request.url in seen:
            continue
        seen.add(request.url)
        response = pages.response(request)
        if response is None:
            out.not_archived.append(request.url)
        for item in _outputs(request, response, spider):
            if isinstance(item, Request):
                queue.append(item)
            elif isinstance(item, Document):
                out.documents.append(item)
    for doc in out.documents:
        cleaned = clean_document(doc, profile, options or CleanOptions())
        if cleaned.undecodable is not None:
            out.dropped.append(str(cleaned.undecodable))
        if cleaned.outcome == "dropped_empty":
            out.dropped.append(cleaned.reason)
        out.records += cleaned.records
    return out
