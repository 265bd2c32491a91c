"""TemplateSpider: one generic spider, driven by a site profile.

It follows only the links a profile names (list pagination and article links),
which is what keeps a 2-core crawl fast: Scrapy is CPU-bound on link extraction
and scheduling long before the network.  Articles split over several pages are
fetched page after page and leave the spider as one :class:`Document`.
Without a profile (generic mode) it stays on the host, follows every link and
hands each HTML page to the cleaners, which tell articles from list pages.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy import Request, Selector, Spider
from scrapy.http import Response, TextResponse

from spiders.failures import describe_failure
from spiders.items import Document, FailedFetch, FetchedPage
from spiders.pagination import first_page_of, js_pager_urls, pager_links
from spiders.profiles import SiteProfile, generic_profile
from spiders.urls import canonical_url, document_base

if TYPE_CHECKING:
    from twisted.python.failure import Failure

__all__ = ["TemplateSpider", "canonical_url", "DOC_META"]

logger = logging.getLogger(__name__)

MAX_ARTICLE_PAGES = 50
"""An article "paginated" past this is a trap (a next link that never ends)."""

DOC_META = "speechcrawl_doc"
"""Request meta key of the document an article's next page continues."""
_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_A_HREF = etree.XPath("//a[@href]")
_A_HREF_CAPPED = etree.XPath("(//a[@href])[position() <= $limit]")
"""At most SPEECHCRAWL_MAX_LINKS_PER_PAGE anchors, cut by lxml: 200,000 proxies would cost hundreds of MB."""
_A_COUNT = etree.XPath("count(//a[@href])")
_STRING = etree.XPath("string(.)", smart_strings=False)
CACHE_SIZE = 100_000
"""Entries of the link-resolution cache and the requested-URL map before they start over (bounds RSS)."""


class _BoundedCache:
    """A dict that empties itself when full: cheaper than an LRU, and a miss only costs a recomputation."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.data: dict[tuple[str, str], str] = {}

    def get(self, key: tuple[str, str]) -> str | None:
        return self.data.get(key)

    def put(self, key: tuple[str, str], value: str) -> None:
        if len(self.data) >= self.size:
            self.data.clear()
        self.data[key] = value


class _Requested:
    """The URLs this spider already asked for, and at what depth.

    A page with 45 links yields 45 requests, and on a template site nearly all of them were
    already requested from an earlier page: Scrapy's duplicate filter would drop them, but only
    after each went through the spider middlewares, the engine and the scheduler.  Dropping them
    here saves that.  The depth is kept because a middleware (DEPTH_LIMIT) may have dropped the
    earlier request for being too deep, which the duplicate filter never saw: a URL is asked for
    again when it is found shallower than before.  Only what the duplicate filter would drop
    anyway is dropped; once full it forgets, and the duplicate filter still catches the repeats.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.depths: dict[str, int] = {}

    def first(self, url: str, depth: int) -> bool:
        """True (and remembered) unless ``url`` was requested at ``depth`` or shallower."""
        known = self.depths.get(url)
        if known is not None and known <= depth:
            return False
        if len(self.depths) >= self.size:
            self.depths.clear()
        self.depths[url] = depth
        return True


def _path_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class TemplateSpider(Spider):
    """A spider bound to one :class:`SiteProfile`.

    Arguments (``-a`` on the Scrapy command line, keywords otherwise):
    ``profile`` (a SiteProfile), or ``url`` for generic mode; ``origin`` rebases the
    profile's start URLs onto another ``scheme://host:port`` (sandbox, mirror).
    """

    name = "template"
    profile: SiteProfile

    def __init__(self, profile: SiteProfile | None = None, url: str | None = None,
                 origin: str | None = None, **kwargs: Any) -> None:
        if profile is None:
            profile = getattr(type(self), "profile", None)
        if profile is None:
            if not url:
                raise ValueError("TemplateSpider needs a profile or a url (generic mode)")
            profile = generic_profile(url)
        if origin:
            profile = profile.rebased(origin)
        self.profile = profile
        super().__init__(name=profile.name, **kwargs)
        self._hosts = frozenset(profile.hosts)
        self._requested = _Requested()
        self._resolved = _BoundedCache()

    async def start(self) -> AsyncIterator[Request]:
        for url in self.profile.start_urls:
            # Normalised like every followed link: "/../../etc/passwd" must not reach a server as typed.
            try:
                start = canonical_url(url)
            except ValueError as exc:
                logger.error("start URL %r skipped: %s", url, exc)
                continue
            yield Request(start, callback=self.parse, errback=self._failed, dont_filter=True)

    # -- crawling -------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request | Document | FailedFetch]:
        if not _is_html(response):
            # Archived by the WARC middleware like every fetch, but nothing to clean.
            self._count("non_html")
            if not self.profile.generic and self.profile.links.is_article(_path_query(response.url)):
                yield self._non_html(response)
            return
        path_query = _path_query(response.url)
        links = self.profile.links
        if self.profile.generic:
            # Every page is a candidate article; the cleaners drop the ones that are not.
            yield from self._generic_page(response, self._start_document(response))
            return
        if links.is_article(path_query):
            yield from self._article_page(response, self._start_document(response))
            return
        page = _selector(response)
        base = self._base(response, page.root)
        areas = page.css(", ".join(links.restrict)) if links.restrict else [page]
        yield from self._bounded(response.url, (request for area in areas
                                                for request in self._follow(response, area, base)))
        yield from self._scripted_pager(response, base)

    def _scripted_pager(self, response: TextResponse, base: str) -> Iterator[Request]:
        """The list pages a JavaScript pager (no ``<a>``, e.g. TRS createPageHTML) would link to."""
        for url in js_pager_urls(response.text, base):
            if self.profile.generic or self.profile.links.is_list(_path_query(url)):
                yield Request(url, callback=self.parse, errback=self._failed)

    def _follow(self, response: TextResponse, area: Any, base: str, skip: frozenset[str] | set[str] = frozenset()
                ) -> Iterator[Request]:
        links = self.profile.links
        urls = (self._absolute(base, href) for href in self._capped(response.url, area, ".//a/@href").getall())
        yield from self._requests(response, (u for u in urls if u is not None and (
            self.profile.generic or links.is_list(_path_query(u)) or links.is_article(_path_query(u)))), skip)

    def _requests(self, response: TextResponse, urls: Iterable[str], skip: frozenset[str] | set[str]
                  ) -> Iterator[Request]:
        """A request for each URL not yet requested at this depth or shallower (see :class:`_Requested`)."""
        # A response built by hand (a test, an offline replay) has no request, hence no depth: it is the start.
        depth = (response.request.meta.get("depth", 0) if response.request is not None else 0) + 1
        for url in urls:
            if url not in skip and self._requested.first(url, depth):
                yield Request(url, callback=self.parse, errback=self._failed)

    @staticmethod
    def _base(response: TextResponse, root: Any) -> str:
        """What the page's relative links resolve against: its ``<base href>``, else its own address.

        ``root`` is the callback's own parse of the page (:func:`_selector`): ``response.selector``
        would parse it a second time, and keep that tree as long as Scrapy keeps the response."""
        return document_base(root, response.url)

    def _absolute(self, base: str, href: str) -> str | None:
        """The canonical URL of a link on a page whose links resolve against ``base`` (:meth:`_base`),
        or None when it leaves the site or is not a web page."""
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            return None
        # The same few thousand links recur on every page of a site: resolve each once.  An absolute
        # link resolves alike from any page, a root-relative one alike from any page of the origin.
        if href.startswith(("http://", "https://")):
            key = ("", href)
        elif href.startswith("/") and not href.startswith("//"):
            key = (_origin(base), href)
        else:
            key = (base, href)
        cached = self._resolved.get(key)
        if cached is not None:
            return cached or None
        try:
            url = canonical_url(urljoin(base, href))
        except ValueError:  # e.g. a broken IPv6 literal: not a link anyone can follow
            self._count("bad_link")
            return None
        parts = urlsplit(url)
        if parts.netloc not in self._hosts or parts.scheme not in ("http", "https"):
            self._resolved.put(key, "")
            return None
        self._resolved.put(key, url)
        return url

    def _generic_page(self, response: TextResponse, doc: Document) -> Iterator[Request | Document]:
        """Generic mode: add the page to ``doc``, follow its links, and stitch the pager's next page.

        Pager links that continue ``doc`` (x_2.html …) are reached through the stitching only, so
        that page 2 of an article never becomes a document of its own (spiders.pagination); a later
        page reached through another link (a board links a thread's reply pages) is recognised by its
        pager's link back to page 1, and only its links are followed.
        """
        root = _selector(response).root
        base = self._base(response, root)
        anchors = self._anchors(response, root, base)  # one pass over the links serves the pager and the follow
        if not doc.pages:
            first = first_page_of(anchors, doc.url)
            if first is not None:  # a later page reached on its own: the document starting at `first` stitches it
                self._count("later_page_skipped")
                logger.debug("%s continues %s: read as its page, not as a document", doc.url, first)
                yield from self._requests(response, (url for url, _ in anchors), frozenset())
                yield from self._scripted_pager(response, base)
                return
        pages, nexts = pager_links(anchors, doc.url)
        doc.pages.append(self._fetched(response))
        yield from self._requests(response, (url for url, _ in anchors), pages)
        yield from self._scripted_pager(response, base)
        seen = {p.url for p in doc.pages} | {doc.url}
        next_url = next((u for u in nexts if u not in seen), None)
        if next_url is None or len(doc.pages) >= MAX_ARTICLE_PAGES:
            yield doc
            return
        yield Request(next_url, callback=self._continue_article, errback=self._article_page_failed,
                      dont_filter=True, priority=10, meta={DOC_META: doc})

    def _anchors(self, response: TextResponse, root: Any, base: str) -> list[tuple[str, str]]:
        """``(canonical url, text)`` of every on-site ``<a href>``, in page order, straight from lxml.

        Going through lxml instead of a parsel Selector per anchor is most of what generic mode
        saves here (docs/benchmarks.md, "Generic mode"); the text is XPath's ``string(.)``, as before.
        """
        anchors = []
        limit = self._link_limit()
        if limit:
            self._over_limit(response.url, int(_A_COUNT(root)) - limit, limit)
        for a in (_A_HREF_CAPPED(root, limit=limit) if limit else _A_HREF(root)):
            url = self._absolute(base, a.get("href"))
            if url is not None:
                anchors.append((url, _STRING(a)))
        return anchors

    # -- articles ---------------------------------------------------------------------
    def _start_document(self, response: TextResponse) -> Document:
        return Document(site=self.profile.name, url=canonical_url(response.url), generic=self.profile.generic)

    def _article_page(self, response: TextResponse, doc: Document) -> Iterator[Request | Document]:
        doc.pages.append(self._fetched(response))
        next_url = self._next_page(response, doc)
        if next_url is None:
            yield doc
            return
        yield Request(next_url, callback=self._continue_article, errback=self._article_page_failed,
                      dont_filter=True, priority=10, meta={DOC_META: doc})

    def _continue_article(self, response: Response) -> Iterator[Request | Document | FailedFetch]:
        doc: Document = response.meta[DOC_META]
        if not _is_html(response):
            logger.warning("page %s of %s is not HTML; article kept with %d pages", response.url, doc.url,
                           len(doc.pages))
            doc.failures.append(self._non_html(response, "next page of an article"))
            yield doc
            return
        if self.profile.generic:
            yield from self._generic_page(response, doc)
            return
        yield from self._article_page(response, doc)

    def _article_page_failed(self, failure: Failure) -> Iterator[Document | FailedFetch]:
        yield from self._failed(failure)
        request = getattr(failure, "request", None)
        doc: Document | None = request.meta.get(DOC_META) if request is not None else None
        if doc is None:
            return
        logger.warning("next page of %s failed (%s); article kept with %d pages", doc.url,
                       failure.getErrorMessage(), len(doc.pages))
        self._count("article_incomplete")
        yield doc

    def _failed(self, failure: Failure) -> Iterator[FailedFetch]:
        """Errback of every request: a page that finally failed becomes a FailedFetch item, the crawl goes on."""
        described = describe_failure(failure)
        request = getattr(failure, "request", None)
        if described is None or request is None:
            return
        status, kind, reason = described
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if url != request.url:
            reason += f" (at {request.url}, after redirects)"
        self._count(f"failed/{kind}")
        logger.info("failed %s: %s", url, reason)
        yield FailedFetch(site=self.profile.name, url=url, status=status, kind=kind, reason=reason)

    def _non_html(self, response: Response, what: str = "article link") -> FailedFetch:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or "no Content-Type"
        return FailedFetch(site=self.profile.name, url=canonical_url(response.url), status=response.status,
                           kind="non_html", reason=f"{what} answered {content_type}: archived, not cleaned")

    def _next_page(self, response: TextResponse, doc: Document) -> str | None:
        if not self.profile.next_page or len(doc.pages) >= MAX_ARTICLE_PAGES:
            return None
        page = _selector(response)
        href = page.css(", ".join(self.profile.next_page)).xpath("@href").get()
        if not href:
            return None
        url = self._absolute(self._base(response, page.root), href)
        seen = {p.url for p in doc.pages} | {doc.url}
        return None if url is None or url in seen else url

    def _fetched(self, response: TextResponse) -> FetchedPage:
        return FetchedPage(
            url=canonical_url(response.url),
            status=response.status,
            body=response.body,
            declared_encoding=_header_charset(response),
            fetched_at=response.meta.get("speechcrawl_fetched_at") or datetime.now(UTC).isoformat(timespec="seconds"),
            warc=response.meta.get("speechcrawl_warc"),
        )

    def _link_limit(self) -> int:
        crawler = getattr(self, "crawler", None)  # a spider built outside a crawl (tests, site tools) has none
        return crawler.settings.getint("SPEECHCRAWL_MAX_LINKS_PER_PAGE", 10_000) if crawler else 10_000

    def _capped(self, url: str, area: Any, path: str) -> Any:
        """``area.xpath(path)`` cut to SPEECHCRAWL_MAX_LINKS_PER_PAGE nodes by lxml itself, the rest counted.

        Selecting 200,000 anchors makes 200,000 Selector objects (hundreds of MB) before any limit could act.
        """
        limit = self._link_limit()
        if not limit:
            return area.xpath(path)
        self._over_limit(url, int(float(area.xpath(f"count({path})").get() or 0)) - limit, limit)
        return area.xpath(f"({path})[position() <= {limit}]")

    def _bounded(self, url: str, requests: Iterator[Request]) -> Iterator[Request]:
        """At most SPEECHCRAWL_MAX_LINKS_PER_PAGE links followed from one page; the rest counted, not held.

        A page with 200,000 links would otherwise put 200,000 requests in memory at once.
        """
        limit = self._link_limit()
        excess = 0
        for n, request in enumerate(requests):
            if limit and n >= limit:
                excess += 1
                continue
            yield request
        self._over_limit(url, excess, limit)

    def _over_limit(self, url: str, excess: int, limit: int) -> None:
        """Count and log the links of ``url`` that the SPEECHCRAWL_MAX_LINKS_PER_PAGE bound left unfollowed."""
        if excess > 0:
            self._count("links_over_limit", excess)
            logger.warning("%s: %d links over SPEECHCRAWL_MAX_LINKS_PER_PAGE (%d) not followed", url, excess, limit)

    def _count(self, event: str, count: int = 1) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler and crawler.stats:
            crawler.stats.inc_value(f"speechcrawl/spider/{event}", count)


def _origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (a prefix holding it whole: a cache key, not a parsed part)."""
    end = url.find("/", url.find("//") + 2)
    return url if end < 0 else url[:end]


def _selector(response: TextResponse) -> Selector:
    """A parse of ``response`` that dies with the callback, unlike the one ``response.selector`` caches.

    Scrapy keeps a response until the pipelines are done with the items its callback yielded, so
    a cached tree would still be alive while the clean pipeline parses the same page again: two
    trees of a 200,000-link page are 220 MB (issue 23, item 10; ``python -m bench.many_links``).
    """
    return Selector(response=response)


def _is_html(response: Response) -> TypeGuard[TextResponse]:
    """HTML by its Content-Type (Scrapy picks HtmlResponse from a ``.html`` URL even for a PDF)."""
    if not isinstance(response, TextResponse):
        return False
    content_type = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
    return not content_type or content_type in _HTML_TYPES


def _header_charset(response: TextResponse) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key == "charset" and value:
            return value.strip("\"' ")
    return None
