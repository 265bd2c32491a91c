"""ProbeSpider: fetch the few pages ``speechcrawl site new`` proposes a profile from.

Given a list page, it fetches the list's first few articles and the list's second page; given an
article, it tries the article's breadcrumb links and parent directories until one is a list that
links to it (or to an address of the same shape), then does the same.  Articles that continue on
further pages are followed through their pager.  It is an ordinary Scrapy spider, so robots.txt,
the private-address guard and the WARC recorder apply to every fetch; what it keeps is the
decoded HTML of each page, for spiders.infer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse

from cleaners import decode_html
from cleaners.parse import parse
from spiders.infer.listing import (
    ListAnalysis,
    analyse_list,
    anchors_of,
    article_as_start,
    is_article,
    list_candidates,
)
from spiders.infer.url_shapes import url_shape
from spiders.pagination import pager_links
from spiders.template import canonical_url

if TYPE_CHECKING:
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

__all__ = ["ProbeSpider"]

MAX_PAGES = 10
"""Later pages of one sample article followed at most."""
MIN_SAMPLE_CHARS = 200
"""A sample article's text is at least this long: shorter is a notice (版规), not a speech to learn from."""
MAX_SPARE = 4
"""Further title links tried, at most, in place of sample links that are no articles."""
MAX_CANDIDATES = 8
"""Breadcrumb links and parent directories tried, at most, as an article's list page."""


class ProbeSpider(Spider):
    """Arguments: ``url`` (a list page or an article), ``site`` (the new profile's name), ``articles``."""

    name = "probe"

    def __init__(self, url: str, site: str, articles: int = 4, **kwargs: Any) -> None:
        super().__init__(name=site, **kwargs)
        self.url = url
        self.want = articles
        self.html: dict[str, str] = {}
        """Decoded HTML of every page fetched, by canonical URL."""
        self.charsets: dict[str, tuple[str | None, str | None]] = {}
        """(declared charset, charset the decoder chose) of every page."""
        self.kind = ""
        self.listing: ListAnalysis | None = None
        self.second_list: str | None = None
        self.articles: dict[int, list[str]] = {}
        """Pages of each sample article (canonical URLs, in order), by position in the list."""
        self.candidates: list[str] = []
        self.problems: list[str] = []
        self._spare: list[str] = []
        self.no_list = False
        """No list page links to the article given: the proposal starts at the article itself."""
        self._first_html = ""

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.url, callback=self.first, errback=self.failed, dont_filter=True)

    def _keep(self, response: Response) -> str | None:
        if not isinstance(response, TextResponse):
            self.problems.append(f"{response.url} is not an HTML page")
            return None
        content_type = response.headers.get(b"Content-Type") or b""
        declared = content_type.decode("latin-1").partition("charset=")[2].strip("\"' ") or None
        decoded = decode_html(response.body, declared)
        if decoded.text is None:
            self.problems.append(f"{response.url}: undecodable ({decoded.reason})")
            return None
        url = canonical_url(response.url)
        self.html[url] = decoded.text
        self.charsets[url] = (declared, decoded.encoding)
        return decoded.text

    def failed(self, failure: Failure) -> None:
        self.problems.append(f"could not fetch {self.url}: {failure.getErrorMessage()}")

    def first(self, response: Response) -> Iterator[Request]:
        html = self._keep(response)
        if html is None:
            return
        url = canonical_url(response.url)
        if is_article(html, url):
            self.kind = "article"
            self.articles[-1] = [url]
            yield from self._next_page(html, -1)
            self.candidates = list_candidates(html, url)[:MAX_CANDIDATES]
            self._first_html = html
            yield from self._try_candidate()
            return
        analysis = analyse_list(html, url)
        if analysis is None or not analysis.article_urls:
            self.problems.append(f"{url} is neither an article (no speech found) nor a list of articles")
            return
        self.kind = "list"
        yield from self._on_list(analysis)

    def _try_candidate(self, *_: Any) -> Iterator[Request]:
        if self.candidates:
            yield Request(self.candidates.pop(0), callback=self.candidate, errback=self._try_candidate,
                          dont_filter=True)
        else:
            # No list found: the article is the start, its same-shaped siblings the other samples.
            article = self.articles[-1][0]
            self.problems.append(f"found no list page that links to this article: the profile starts at {article} "
                                 "itself and crawls only it; set start_urls and [links] list to the site's list page")
            self.no_list = True
            yield from self._on_list(article_as_start(self._first_html, article))

    def candidate(self, response: Response) -> Iterator[Request]:
        html = self._keep(response)
        analysis = analyse_list(html, canonical_url(response.url)) if html is not None else None
        article = self.articles[-1][0]
        if analysis is not None and url_shape(article) in {url_shape(u) for u in analysis.article_urls}:
            yield from self._on_list(analysis)
        else:
            yield from self._try_candidate()

    def _on_list(self, analysis: ListAnalysis) -> Iterator[Request]:
        self.listing = analysis
        have = {pages[0] for pages in self.articles.values()}
        unseen = [u for u in analysis.article_urls if u not in have]
        count = max(0, self.want - len(self.articles))
        self._spare = unseen[count:count + MAX_SPARE]
        for index, url in enumerate(unseen[:count]):
            yield Request(url, callback=self.article, meta={"probe_index": index})
        if analysis.next_url:
            yield Request(analysis.next_url, callback=self.list_two)

    def list_two(self, response: Response) -> None:
        if self._keep(response) is not None:
            self.second_list = canonical_url(response.url)

    def article(self, response: Response) -> Iterator[Request]:
        html = self._keep(response)
        if html is None:
            return
        index = response.meta["probe_doc"] if "probe_doc" in response.meta else response.meta["probe_index"]
        if "probe_doc" not in response.meta and not is_article(html, canonical_url(response.url), MIN_SAMPLE_CHARS):
            # A pinned notice (版规, 公告) heads many lists: not a sample; the next title link is.
            del self.html[canonical_url(response.url)]
            if self._spare:
                yield Request(self._spare.pop(0), callback=self.article, meta={"probe_index": index})
            return
        self.articles.setdefault(index, []).append(canonical_url(response.url))
        yield from self._next_page(html, index)

    def _next_page(self, html: str, index: int) -> Iterator[Request]:
        pages = self.articles[index]
        anchors = [(a.url, a.text) for a in anchors_of(parse(html), pages[-1])]
        _, nexts = pager_links(anchors, pages[0])
        nxt = next((u for u in nexts if u not in pages), None)
        if nxt is not None and len(pages) < MAX_PAGES:
            yield Request(nxt, callback=self.article, dont_filter=True, meta={"probe_doc": index})
