"""RedirectLoopMiddleware: stop a redirect chain that loops, or that leaves http(s).

Scrapy's RedirectMiddleware only counts hops (REDIRECT_MAX_TIMES), so ``A -> A?x=1 -> A`` costs ten
fetches before it stops.  Worse, a link the crawl followed (not a start URL) loses its redirect to
the duplicate filter on the second visit of A and vanishes without an error: the page is neither
exported nor reported.  Sitting just outside RedirectMiddleware (order 601: its ``process_response``
runs first), this middleware compares the next Location with the chain so far and fails the
request with :class:`RedirectLoopError`, which the catalog records as a failed page.  A Location
with another scheme (``file:``, ``ftp:``, ``gopher:``) fails the request with
:class:`RefusedSchemeError` (kind ``refused_scheme``), so it is not recorded as "HTTP 302 Found".
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from w3lib.url import safe_url_string

from spiders.urls import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["RedirectLoopMiddleware", "RedirectLoopError", "RefusedSchemeError"]

_REDIRECTS = {301, 302, 303, 307, 308}
_FOLLOWED_SCHEMES = {"http", "https"}


class RedirectLoopError(IgnoreRequest):
    """A redirect chain came back to a URL it had already visited."""

    kind = "redirect_loop"


class RefusedSchemeError(IgnoreRequest):
    """A redirect to a scheme the crawl never follows (``file:``, ``ftp:``, ``gopher:`` …)."""

    kind = "refused_scheme"


class RedirectLoopMiddleware:
    """Raises :class:`RedirectLoopError` when a Location points back into the current redirect chain.

    Settings
    --------
    REDIRECT_ENABLED (Scrapy's): without redirects there is no loop to detect.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured("REDIRECT_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in _REDIRECTS or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect") or response.status in request.meta.get("handle_httpstatus_list", ()):
            return response
        location = safe_url_string(response.headers[b"Location"])
        joined = urljoin(request.url, location)
        scheme = urlsplit(joined).scheme.lower()
        if scheme not in _FOLLOWED_SCHEMES:
            # Scrapy leaves such a redirect alone and the page would be reported as "HTTP 302 Found":
            # say what happened instead.
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value("speechcrawl/redirect/refused_scheme")
            raise RefusedSchemeError(f"redirect to a {scheme or 'schemeless'}: URL refused (only http and https are "
                                     f"followed): {joined}")
        target = canonical_url(joined)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        seen = {canonical_url(url) for url in chain}
        if target in seen:
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value("speechcrawl/redirect/loop")
            hops = " -> ".join([*chain, target])
            logger.warning("redirect loop: %s", hops)
            raise RedirectLoopError(f"redirect loop after {len(chain)} hop(s): {hops}")
        return response
