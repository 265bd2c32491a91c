"""SampleLimitMiddleware: crawl only the first few list pages and article links of a site.

``speechcrawl site check --live`` and fixture recording want a small sample of a site that is the
same sample every time, so that two crawls can be compared page for page.  Scrapy's own limits do
not give that: CLOSESPIDER_PAGECOUNT stops after whichever responses arrive first, and DEPTH_LIMIT
would also cut the later pages of a paginated article.  This middleware counts the requests the
spider yields, in the order it yields them (the order of the links on the page), and drops article
and list requests past the limits; the next pages of an article being read always pass.  Links
robots.txt forbids (print views, VIP copies that match the article pattern) do not use up the
sample: the middleware reads the robots.txt the crawl fetches, with the crawl's own parser.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

__all__ = ["SampleLimitMiddleware"]

_CONTINUATION = "speechcrawl_doc"
"""Request meta key of an article's next page (spiders.template)."""


class SampleLimitMiddleware(BaseSpiderMiddleware):
    """Keeps the first ``articles`` article links and ``lists`` list pages a profiled spider yields.

    Settings
    --------
    SPEECHCRAWL_SAMPLE_ARTICLES, SPEECHCRAWL_SAMPLE_LISTS (0: no limit; both 0: not enabled)
    """

    def __init__(self, crawler: Crawler, *, articles: int, lists: int) -> None:
        super().__init__(crawler)
        self.limits = {"article": articles, "list": lists}
        self.seen: dict[str, set[str]] = {"article": set(), "list": set()}
        self.robots: dict[str, RobotParser] = {}
        settings = crawler.settings
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        articles = crawler.settings.getint("SPEECHCRAWL_SAMPLE_ARTICLES")
        lists = crawler.settings.getint("SPEECHCRAWL_SAMPLE_LISTS")
        if articles <= 0 and lists <= 0:
            raise NotConfigured  # off unless asked for: no message, so Scrapy does not warn on every crawl
        logger.info("sampling: at most %s article links and %s list pages", articles or "all", lists or "all")
        mw = cls(crawler, articles=articles, lists=lists)
        if crawler.settings.getbool("ROBOTSTXT_OBEY"):
            crawler.signals.connect(mw.response_received, signal=signals.response_received)
        return mw

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Keep the site's robots.txt: it arrives before any page (RobotsTxtMiddleware waits for it)."""
        parts = urlsplit(response.url)
        if parts.path == "/robots.txt" and response.status == 200:
            parser = load_object(self.crawler.settings.get("ROBOTSTXT_PARSER"))
            self.robots[parts.netloc] = parser.from_crawler(self.crawler, response.body)

    def _forbidden(self, url: str) -> bool:
        parser = self.robots.get(urlsplit(url).netloc)
        return parser is not None and not parser.allowed(url, self.user_agent)

    def _kind(self, request: Request) -> str | None:
        profile = getattr(self.crawler.spider, "profile", None)
        if profile is None or _CONTINUATION in request.meta:
            return None
        parts = urlsplit(request.url)
        path_query = parts.path + ("?" + parts.query if parts.query else "")
        if profile.links.is_article(path_query):
            return "article"
        if profile.links.is_list(path_query) or request.url in profile.start_urls:
            return "list"
        return None

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        kind = self._kind(request)
        if kind is None or not self.limits[kind] or self._forbidden(request.url):
            return request  # robots.txt drops the forbidden ones downstream
        seen = self.seen[kind]
        if request.url in seen:
            return request  # the dupefilter has the last word on repeats
        if len(seen) >= self.limits[kind]:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"speechcrawl/sample/skipped_{kind}")
            return None
        seen.add(request.url)
        return request
