"""What every sandbox site shares: article index, routing, robots, redirects, caching, HTML helpers.

A site is an origin-free object: it maps a request target (path + query) to a response and knows
how to build article ``i`` (0 = newest) on demand.  Subclasses only describe their URL layout and
their templates.  Pages are built lazily from the index and kept in a bounded per-process cache, so
serving 2,000 articles costs no start-up time and little memory.
"""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import ClassVar

from sandbox import DEFAULT_ARTICLES
from sandbox.epochs import gone_status, is_revised, live_indexes, revise
from sandbox.hooks import Hook, Request, Response, run_hooks
from sandbox.model import Article, Meta
from sandbox.validators import not_modified, with_validators
from sandbox.writer import rng_for

logger = logging.getLogger(__name__)

__all__ = ["Site", "esc", "para", "PageCache"]


def esc(text: str) -> str:
    """HTML-escape text content (quotes too: the same helper fills attributes)."""
    return html.escape(text, quote=True)


def para(text: str, attrs: str = "") -> str:
    """A <p> whose text keeps its leading indentation (NBSP as &nbsp;, like the real pages)."""
    body = esc(text).replace("\xa0", "&nbsp;")
    return f"<p{attrs}>{body}</p>"


class PageCache:
    """A thread-safe LRU of rendered responses, bounded by total body bytes."""

    def __init__(self, max_bytes: int = 48 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, Response] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], Response]) -> Response:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit
        response = build()  # built outside the lock: two threads may build the same page, harmlessly
        with self._lock:
            if key not in self._data:
                self._data[key] = response
                self._bytes += len(response.body)
                while self._bytes > self.max_bytes and len(self._data) > 1:
                    _, old = self._data.popitem(last=False)
                    self._bytes -= len(old.body)
        return response


class Site:
    """Base class of the five sandbox sites."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    encoding: ClassVar[str] = "utf-8"
    page_size: ClassVar[int] = 10
    disallow: ClassVar[tuple[str, ...]] = ()
    """robots.txt ``Disallow`` path prefixes; every one of them is linked from the site's pages."""
    newest: ClassVar[date] = date(2023, 6, 30)
    conditional: ClassVar[bool] = False
    """Send ETag/Last-Modified and answer conditional requests with 304 (sandbox.validators)."""
    content_attr: ClassVar[str] = ""
    """The attribute naming the element that holds an article's text (``class="entry-content"``).  A
    redesigned site renames it (``-v2``): how the tests break a template on purpose."""

    def __init__(self, articles: int = DEFAULT_ARTICLES, *, epoch: int = 0, hooks: Sequence[Hook] = (),
                 redesign: bool = False) -> None:
        if articles < 1:
            raise ValueError("a site needs at least one article")
        self.count = articles
        """Articles at epoch 0 (later epochs add and remove some: sandbox.epochs)."""
        self.hooks = tuple(hooks)
        self.redesign = redesign
        self.seed_index = min(2, articles - 1)
        self.redirect_index = min(1, articles - 1)
        self._meta: dict[int, Meta] = {}
        self._dates: dict[int, date] = {}
        self._articles: OrderedDict[int, Article] = OrderedDict()
        self._lock = threading.Lock()
        self._extras = self.extra_pages()
        self.set_epoch(epoch)

    def set_epoch(self, epoch: int) -> None:
        """Move the site to another point in time: lists, routes and revised pages follow."""
        if epoch < 0:
            raise ValueError("epochs start at 0")
        self.epoch = epoch
        keep = frozenset({self.seed_index, self.redirect_index})
        self.live = live_indexes(self.count, epoch, keep)
        self._revised = {i for i in range(self.count) if is_revised(i, epoch, keep)}
        with self._lock:
            self._articles.clear()
        self._cache = PageCache()
        self._routes = self._build_routes()

    # -- layout: subclasses override -------------------------------------------------------------
    def article_path(self, i: int, page: int = 1) -> str:
        raise NotImplementedError

    def old_path(self, i: int) -> str:
        """The legacy URL of article ``i`` that answers 301 to :meth:`article_path`."""
        raise NotImplementedError

    def list_path(self, page: int) -> str:
        raise NotImplementedError

    def trap_path(self, i: int) -> str:
        """A robots-disallowed URL that shows article-like content (print view, preview, download)."""
        raise NotImplementedError

    def page_count(self, i: int) -> int:
        return 1

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        """Other pages the templates link to (login, search …), by target."""
        return {}

    # -- content: subclasses override ------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        raise NotImplementedError

    def make_article(self, i: int, meta: Meta) -> Article:
        raise NotImplementedError

    def render_article(self, i: int, page: int) -> str:
        raise NotImplementedError

    def render_list(self, page: int) -> str:
        raise NotImplementedError

    def render_trap(self, i: int) -> str:
        raise NotImplementedError

    def render_home(self) -> str:
        return self.render_list(1)

    def chrome_leaks(self, article: Article) -> list[str]:
        """Chrome strings every page of ``article`` shows near its content (for gold ``must_not_contain``)."""
        return []

    # -- shared ----------------------------------------------------------------------------------
    def date_of(self, i: int) -> date:
        """Publication date of article ``i``: a few days older for each index (memoized: URLs embed it)."""
        day = self._dates.get(i)
        if day is None:
            day = self._dates[i] = self.newest - timedelta(days=i * 3 + rng_for(self.name, "date", i).randint(0, 2))
        return day

    def meta(self, i: int) -> Meta:
        """Cheap metadata of article ``i`` (titles for list and related links need no body)."""
        cached = self._meta.get(i)
        if cached is None:
            cached = self._meta[i] = self.make_meta(i)
        return cached

    def article(self, i: int) -> Article:
        """Article ``i`` with its full content, built on demand (LRU of 1024: a crawl's working set)."""
        with self._lock:
            hit = self._articles.get(i)
            if hit is not None:
                self._articles.move_to_end(i)
                return hit
        built = self.make_article(i, self.meta(i))
        if i in self._revised:
            built = revise(built)
        with self._lock:
            self._articles[i] = built
            while len(self._articles) > 1024:
                self._articles.popitem(last=False)
        return built

    @property
    def list_pages(self) -> int:
        return -(-len(self.live) // self.page_size)

    def link_path(self, i: int) -> str:
        """The URL the site's own pages use for article ``i`` (the legacy one for the redirect article)."""
        return self.old_path(i) if i == self.redirect_index else self.article_path(i)

    def on_list(self, page: int) -> list[int]:
        return self.live[(page - 1) * self.page_size:page * self.page_size]

    def modified(self, i: int) -> date:
        """Last-Modified of article ``i``: its date, or the epoch's date once revised."""
        return self.newest + timedelta(days=30 * self.epoch) if i in self._revised else self.date_of(i)

    def neighbours(self, i: int, n: int, salt: str = "rel") -> list[int]:
        """``n`` other article indexes for related/hot lists, deterministic per article."""
        if self.count <= 1:
            return []
        picks = rng_for(self.name, salt, i).sample(range(self.count - 1), min(n, self.count - 1))
        return [j + 1 if j >= i else j for j in picks]  # every index but i

    def robots(self) -> str:
        return "\n".join(["User-agent: *", *(f"Disallow: {p}" for p in self.disallow), ""])

    def _build_routes(self) -> dict[str, tuple[str, int, int]]:
        routes: dict[str, tuple[str, int, int]] = {"/": ("home", 0, 0)}
        for page in range(1, self.list_pages + 1):
            routes[self.list_path(page)] = ("list", page, 0)
        live = set(self.live)
        for i in range(min(self.live, default=0), self.count):
            kind = "article" if i in live else "gone"
            for page in range(1, self.page_count(i) + 1):
                routes[self.article_path(i, page)] = (kind, i, page)
            if kind == "article":
                routes[self.trap_path(i)] = ("trap", i, 0)
        routes[self.old_path(self.redirect_index)] = ("redirect", self.redirect_index, 0)
        return routes

    def handle(self, request: Request) -> Response:
        """Answer one request (hooks first, then robots.txt, then the route table)."""
        answer = run_hooks(self.hooks, request)
        if answer is not None:
            return answer
        return self.answer(request)

    def route_kind(self, target: str) -> str | None:
        """What ``target`` is on this site: "home", "list", "article", "trap", "redirect", or None."""
        route = self._routes.get(target)
        return route[0] if route is not None else None

    def answer(self, request: Request) -> Response:
        """The site's own answer, without hooks (a fault hook starts from it to serve a broken variant)."""
        target = request.target
        if target == "/robots.txt":
            return Response.text(self.robots())
        extra = self._extras.get(target)
        if extra is not None:
            return self._cache.get(target, lambda: Response.html(extra(), self.encoding))
        route = self._routes.get(target)
        if route is None:
            return Response.not_found()
        kind, i, page = route
        if kind == "redirect":
            return Response.redirect(self.article_path(i))
        if kind == "gone":
            return Response(gone_status(i), b"<html><body><h1>Gone</h1></body></html>")
        response = self._cache.get(target, lambda: self._respond(kind, i, page))
        if self.conditional:
            return not_modified(request, response) or response
        return response

    def _respond(self, kind: str, i: int, page: int) -> Response:
        response = Response.html(self._render(kind, i, page), self.encoding)
        if not self.conditional:
            return response
        modified = self.modified(i) if kind in ("article", "trap") else self.modified(self.live[0])
        return with_validators(response, modified)

    def _render(self, kind: str, i: int, page: int) -> str:
        if kind == "article":
            return self._redesigned(self.render_article(i, page)) if self.redesign else self.render_article(i, page)
        if kind == "list":
            return self.render_list(i)
        if kind == "trap":
            return self.render_trap(i)
        return self.render_home()

    def _redesigned(self, page: str) -> str:
        """The page after a redesign: same text, the content element renamed."""
        if not self.content_attr or self.content_attr not in page:
            raise ValueError(f"{self.name}: content_attr {self.content_attr!r} is not on the page")
        return page.replace(self.content_attr, _renamed(self.content_attr))


def _renamed(attr: str) -> str:
    name, _, value = attr.partition("=")
    return f'{name}="{value.strip(chr(34))}-v2"'

