"""BodyGuardMiddleware: a body that is cut short or too big fails clearly instead of passing as a page.

Two holes in Scrapy's own checks, both met on real sites:

* A gzip body cut short *with a matching Content-Length* (a proxy or CDN truncated it) is
  decompressed by HttpCompressionMiddleware "as much as possible" without a word, so half an
  article would be cleaned and exported as if whole.  Here, at order 595 (its ``process_response``
  runs before HttpCompression's 590, on the body as it came off the wire), the stream is checked
  for its end marker; a truncated one is retried with backoff and finally fails as
  :class:`TruncatedBodyError`.
* A body without Content-Length that grows past DOWNLOAD_MAXSIZE is cancelled by Scrapy with an
  empty DownloadCancelledError; here it is stopped a byte earlier with :class:`BodyTooLargeError`,
  which says what happened.  Bodies that announce their size, and decompression bombs, are already
  refused by Scrapy with a clear message.
"""

from __future__ import annotations

import logging
import zlib
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload

from crawler.downloadermiddlewares.retry import retry_later

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["BodyGuardMiddleware", "BodyTooLargeError", "TruncatedBodyError", "compressed_stream_complete"]

_META_BYTES = "speechcrawl_bytes_received"
_CHUNK = 1 << 20


class TruncatedBodyError(IgnoreRequest):
    """The compressed body ends before its end-of-stream marker."""

    kind = "truncated_body"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class BodyTooLargeError(StopDownload):
    """The body grew past DOWNLOAD_MAXSIZE while streaming."""

    kind = "too_large"

    def __init__(self, message: str) -> None:
        super().__init__(fail=True)
        self.message = message

    def __str__(self) -> str:
        return self.message


def compressed_stream_complete(body: bytes, limit: int) -> bool | None:
    """True if a gzip/zlib/raw-deflate ``body`` reaches its end marker, False if it stops short or is
    corrupt, None when it inflates past ``limit`` first (a bomb: HttpCompression refuses those)."""
    for wbits in (47, -15):  # 47: gzip or zlib header, auto-detected; -15: raw deflate
        inflater = zlib.decompressobj(wbits)
        data, produced = body, 0
        try:
            while True:
                produced += len(inflater.decompress(data, _CHUNK))
                if inflater.eof:
                    return True
                if produced > limit:
                    return None
                data = inflater.unconsumed_tail
                if not data:
                    return False
        except zlib.error:
            continue
    return False


class BodyGuardMiddleware:
    """Fails truncated compressed bodies and over-long streamed bodies with a clear reason.

    Settings
    --------
    SPEECHCRAWL_BODYGUARD_ENABLED, DOWNLOAD_MAXSIZE (Scrapy's), RETRY_TIMES (truncated bodies are retried).
    """

    def __init__(self, crawler: Crawler, max_size: int) -> None:
        self.crawler = crawler
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SPEECHCRAWL_BODYGUARD_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_BODYGUARD_ENABLED is off")
        mw = cls(crawler, crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        if mw.max_size:
            crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
            logger.info("maximum body size %d bytes (DOWNLOAD_MAXSIZE)", mw.max_size)
        return mw

    def _inc(self, event: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"speechcrawl/bodyguard/{event}")

    def bytes_received(self, data: bytes, request: Request, spider: object) -> None:
        size = request.meta.get(_META_BYTES, 0) + len(data)
        request.meta[_META_BYTES] = size
        if size > self.max_size:
            self._inc("too_large")
            raise BodyTooLargeError(f"body larger than DOWNLOAD_MAXSIZE ({self.max_size} bytes): stopped after "
                                    f"{size} bytes")

    def process_request(self, request: Request) -> None:
        request.meta[_META_BYTES] = 0  # a retry counts its own bytes

    def process_response(self, request: Request, response: Response) -> Request | Response:
        encoding = response.headers.get(b"Content-Encoding", b"").strip().lower()
        if encoding not in (b"gzip", b"x-gzip", b"deflate") or not response.body or request.method == "HEAD":
            return response
        if compressed_stream_complete(response.body, self.max_size or 1 << 62) is not False:
            return response
        self._inc("truncated")
        reason = f"truncated {encoding.decode()} body ({len(response.body)} bytes, no end-of-stream marker)"
        retry = retry_later(self.crawler, request, "truncated compressed body")
        if retry is not None:
            return retry
        raise TruncatedBodyError(reason, response.status)
