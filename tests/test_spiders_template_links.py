"""Generic mode's link handling: each link resolved once per page, each URL requested once per depth."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse

from spiders.template import TemplateSpider, _Requested

SITE = "http://127.0.0.1:8700"


def _page(url: str, body: str, depth: int = 0) -> HtmlResponse:
    request = Request(url, meta={"depth": depth})
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def _requested(items: object) -> list[str]:
    return [i.url for i in items if isinstance(i, Request)]  # type: ignore[attr-defined]


def test_a_url_is_requested_again_only_when_found_shallower() -> None:
    seen = _Requested()
    assert seen.first("a", 3)
    assert not seen.first("a", 3) and not seen.first("a", 4)
    assert seen.first("a", 2)  # the deeper request may have been dropped by DEPTH_LIMIT


def test_links_resolve_alike_from_every_page_and_repeats_are_not_requested() -> None:
    spider = TemplateSpider(url=SITE + "/")
    links = ('<a href="/a/1.html">一</a><a href="b/2.html">二</a><a href="../c/3.html">三</a>'
             '<a href="http://elsewhere.example/x">外</a><a href="/a/1.html#top">一</a>')
    first = _requested(spider.parse(_page(SITE + "/x/index.html", links)))
    assert first == [SITE + "/a/1.html", SITE + "/x/b/2.html", SITE + "/c/3.html"]
    # The same hrefs on a page elsewhere: relative links resolve against that page, not from the cache.
    second = _requested(spider.parse(_page(SITE + "/y/z/list.html", links)))
    assert second == [SITE + "/y/z/b/2.html", SITE + "/y/c/3.html"]
    # Found again at the same depth: Scrapy's duplicate filter would drop them, so they are not yielded.
    assert _requested(spider.parse(_page(SITE + "/x/index.html", links))) == []


def test_links_resolve_against_the_base_href() -> None:
    """JSP portals write ``<base href="/">`` and every link relative to it: resolved against the page's own
    address they would all be 404s."""
    spider = TemplateSpider(url=SITE + "/")
    page = ('<html><head><base href="/" /></head><body><a href="info/1023/5678.htm">讲话</a>'
            '<a href="./jyzx/ldjh/list_2.html">2</a><a href="/abs.html">绝对</a></body></html>')
    assert _requested(spider.parse(_page(SITE + "/jyzx/ldjh/list_1.html", page))) == [
        SITE + "/info/1023/5678.htm", SITE + "/jyzx/ldjh/list_2.html", SITE + "/abs.html"]
    column = '<html><head><base href="/xxgk/ldhd/index.html"></head><body><a href="./202403/t1.html">一</a></body></html>'
    assert _requested(spider.parse(_page(SITE + "/elsewhere/", column))) == [SITE + "/xxgk/ldhd/202403/t1.html"]


def test_a_later_page_reached_on_its_own_is_no_document() -> None:
    """Page 2 of a thread, linked from the board: its links are followed (page 1 among them, which stitches
    it), but it yields no document of its own."""
    spider = TemplateSpider(url=SITE + "/")
    page = ('<html><body><div id="postlist"><p>学习了，感谢分享。</p></div><div class="pg">'
            '<a href="thread-7-1-1.html">1</a><strong>2</strong><a href="forum-38-1.html">返回列表</a></div></body></html>')
    items = list(spider.parse(_page(SITE + "/thread-7-2-1.html", page)))
    assert _requested(items) == [SITE + "/thread-7-1-1.html", SITE + "/forum-38-1.html"]
    assert not [i for i in items if not isinstance(i, Request)]


def test_no_callback_is_a_generator_returning_a_value() -> None:
    """What Scrapy's WARN_ON_GENERATOR_RETURN_VALUE checks on every response (switched off in
    crawler.settings: it re-parses the callback's source each time), checked once here instead."""
    import inspect

    from scrapy.utils.misc import is_generator_with_return_value

    callbacks = [member for name, member in inspect.getmembers(TemplateSpider, inspect.isfunction)
                 if inspect.isgeneratorfunction(member)]
    assert len(callbacks) >= 3, "parse, the article callbacks: the check must see them"
    assert [c.__name__ for c in callbacks if is_generator_with_return_value(c)] == []
