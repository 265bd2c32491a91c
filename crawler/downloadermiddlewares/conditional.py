"""ConditionalRequestMiddleware: re-crawls ask "changed since?" and reuse the archived copy when not.

A re-crawl of an unchanged site should cost headers, not pages.  For every URL whose last
full fetch carried an ``ETag`` or ``Last-Modified`` (corpus.history.validators) the
request gets ``If-None-Match`` / ``If-Modified-Since``.  A ``304 Not Modified`` is archived
by the WARC recorder as a ``server-not-modified`` revisit record naming the original (with
SPEECHCRAWL_WARC_RECHECK_LEDGER, as a line of a re-check ledger record: docs/archive.md); this
middleware then hands the spider the original response, read back from the WARC file, so
links are still followed and articles still stitched and compared: the spider cannot tell,
and the catalog records the page as unchanged.

Order 620: its ``process_request`` runs before the recorder (950) so the archived request
shows the conditional headers, and its ``process_response`` after the recorder (which must
see the real 304) but before HttpCompression (590), which decodes the archived body.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.exceptions import ArchiveError
from archive.reader import read_record_at
from corpus.catalog import Catalog
from corpus.history import Validator, validators
from crawler.paths import catalog_path_from, warc_dir_from

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["ConditionalRequestMiddleware", "META_VALIDATOR"]

META_VALIDATOR = "speechcrawl_conditional"
"""Request meta: the :class:`Validator` a conditional request was made from (read by the WARC recorder)."""
_META_PLAIN = "speechcrawl_conditional_off"
"""Request meta: ask without validators (the archived copy could not be read)."""
_FLAG = "not_modified"


class ConditionalRequestMiddleware:
    """Sends conditional requests for pages archived before, serves a 304 from the archive.

    Settings
    --------
    SPEECHCRAWL_CONDITIONAL_ENABLED, SPEECHCRAWL_CATALOG_ENABLED, SPEECHCRAWL_CATALOG_PATH, SPEECHCRAWL_WARC_DIR
    """

    def __init__(self, crawler: Crawler, catalog_path: Path, warc_dir: Path) -> None:
        self.crawler = crawler
        self.catalog_path = catalog_path
        self.warc_dir = warc_dir
        self.known: dict[str, Validator] = {}
        self.site = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("SPEECHCRAWL_CONDITIONAL_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_CONDITIONAL_ENABLED is off")
        if not (settings.getbool("SPEECHCRAWL_CATALOG_ENABLED") and settings.getbool("SPEECHCRAWL_WARC_ENABLED")):
            raise NotConfigured("conditional requests need the catalog and the WARC files of earlier crawls")
        mw = cls(crawler, catalog_path_from(settings), warc_dir_from(settings))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.site = spider.name
        if not self.catalog_path.exists():
            return
        catalog = Catalog(self.catalog_path)
        try:
            self.known = validators(catalog.conn, spider.name)
        finally:
            catalog.close()
        if self.known:
            logger.info("conditional requests for %d pages archived before", len(self.known))

    def process_request(self, request: Request) -> None:
        validator = self.known.get(request.url)
        if validator is None or request.method != "GET" or request.meta.get(_META_PLAIN):
            return
        if validator.etag:
            request.headers[b"If-None-Match"] = validator.etag
        if validator.last_modified:
            request.headers[b"If-Modified-Since"] = validator.last_modified
        request.meta[META_VALIDATOR] = validator

    def process_response(self, request: Request, response: Response) -> Request | Response:
        validator: Validator | None = request.meta.get(META_VALIDATOR)
        if response.status != 304 or validator is None:
            return response
        path = self.warc_dir / self.site / validator.warc_filename
        try:
            archived = read_record_at(path, validator.warc_offset)
        except (OSError, ArchiveError) as exc:
            # The copy we vouched for is unreadable (moved, damaged): fetch the page in full instead.
            logger.warning("304 for %s but its archived copy %s is unreadable (%s); fetching it again",
                           request.url, path, exc)
            self._inc("copy_unreadable")
            plain = request.replace(dont_filter=True, meta={**request.meta, _META_PLAIN: True})
            for name in (b"If-None-Match", b"If-Modified-Since"):
                plain.headers.pop(name, None)
            plain.meta.pop(META_VALIDATOR, None)
            return plain
        self._inc("not_modified")
        headers = Headers(archived.http_headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=archived.payload)
        return cls(url=request.url, status=200, headers=headers, body=archived.payload, request=request,
                   flags=[*response.flags, _FLAG], ip_address=response.ip_address, protocol=response.protocol)

    def _inc(self, event: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"speechcrawl/conditional/{event}")
