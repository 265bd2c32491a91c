"""Generic-mode pagination: which pager links continue a document."""

from __future__ import annotations

import pytest

from spiders.pagination import (
    MAX_LIST_PAGES,
    first_page_of,
    is_continuation,
    is_list_page,
    js_pager_urls,
    pager_links,
)

H = "http://news.example.cn"


@pytest.mark.parametrize(("first", "other"), [
    (f"{H}/22985.html", f"{H}/22985_2.html"),
    (f"{H}/a/list_12_1.html", f"{H}/a/list_12_3.html"),
    (f"{H}/fanwen/jianghuagao/", f"{H}/fanwen/jianghuagao/index_2.html"),
    (f"{H}/show-7.html", f"{H}/show-7-2.html"),
    (f"{H}/view.php?id=7", f"{H}/view.php?id=7&page=2"),
    (f"{H}/node_101.htm", f"{H}/node_101_2.htm"),
    (f"{H}/thread-56120-1-1.html", f"{H}/thread-56120-2-1.html"),  # Discuz!: the page is the last number but one
    (f"{H}/info/1023/5673.htm", f"{H}/info/1023/5673_3.htm"),
])
def test_continuations(first: str, other: str) -> None:
    assert is_continuation(first, other)


@pytest.mark.parametrize(("first", "other"), [
    (f"{H}/content_4816945.htm", f"{H}/content_4816946.htm"),  # the next article, not page 2
    (f"{H}/22985.html", f"{H}/22986.html"),
    (f"{H}/22985.html", "http://other.example.cn/22985_2.html"),
    (f"{H}/a/22985.html", f"{H}/b/22985_2.html"),
    (f"{H}/view.php?id=7", f"{H}/view.php?id=8&page=2"),
    (f"{H}/22985.html", f"{H}/22985.html"),
    (f"{H}/list_1.html", f"{H}/list-2.html"),
    (f"{H}/thread-56120-1-1.html", f"{H}/thread-56111-2-1.html"),  # another thread
    (f"{H}/thread-56120-2-1.html", f"{H}/thread-56120-3-1.html"),  # page 3 continues page 1, not page 2
    (f"{H}/2023-1-15.html", f"{H}/2023-2-15.html"),  # dates, not pages
])
def test_not_continuations(first: str, other: str) -> None:
    assert not is_continuation(first, other)


def test_pager_links_keeps_pager_anchors_only() -> None:
    anchors = [
        (f"{H}/22985_2.html", " 2 "), (f"{H}/22985_3.html", "3"), (f"{H}/22985_2.html", "下一页"),
        (f"{H}/22985_9.html", "点击阅读全文的第九部分"),  # a continuation URL, but not a pager label
        (f"{H}/22990.html", "下一页"),  # a pager label, but another document
        (f"{H}/", "首页"),
    ]
    pages, nexts = pager_links(anchors, f"{H}/22985.html")
    assert pages == {f"{H}/22985_2.html", f"{H}/22985_3.html"}
    assert nexts == [f"{H}/22985_2.html"]


@pytest.mark.parametrize(("first", "other"), [
    (f"{H}/list/1.html", f"{H}/list/2.html"),  # a plain list numbered from 1
    (f"{H}/list/1.html", f"{H}/list/341.html"),  # its 尾页
    (f"{H}/zwgk/index.html", f"{H}/zwgk/index_3.html"),  # TRS
    (f"{H}/category/jhg/", f"{H}/category/jhg/page/2/"),  # WordPress
    (f"{H}/category/jhg/page/2/", f"{H}/category/jhg/page/9/"),
    (f"{H}/forum-2-1.html", f"{H}/forum-2-17.html"),  # Discuz
    (f"{H}/list.php?cid=3&page=2", f"{H}/list.php?cid=3&page=3"),
    (f"{H}/news/list_12_1.html", f"{H}/news/list_12_4.html"),
])
def test_list_pages(first: str, other: str) -> None:
    assert is_list_page(first, other)


@pytest.mark.parametrize(("first", "other"), [
    (f"{H}/list/1.html", f"{H}/a/20230628/8830.html"),  # an article
    (f"{H}/content_4816945.htm", f"{H}/content_4816946.htm"),  # the next article of a paper
    (f"{H}/list.php?cid=3&page=2", f"{H}/list.php?cid=4&page=3"),  # another column, two numbers change
    (f"{H}/category/jhg/", f"{H}/category/other/page/2/"),
    (f"{H}/list/1.html", "http://other.example.cn/list/2.html"),
    (f"{H}/list/1.html", f"{H}/list/1.html"),
])
def test_not_list_pages(first: str, other: str) -> None:
    assert not is_list_page(first, other)


def test_js_pager_trs_create_page_html() -> None:
    html = '<div class="fanye"><script language="javascript">createPageHTML(4, 0, "index", "html");</script></div>'
    assert js_pager_urls(html, f"{H}/xxgk/ldhd/index_2.html") == [
        f"{H}/xxgk/ldhd/index.html", f"{H}/xxgk/ldhd/index_1.html", f"{H}/xxgk/ldhd/index_2.html",
        f"{H}/xxgk/ldhd/index_3.html"]


def test_js_pager_count_variables_and_bounds() -> None:
    html = '<script>var countPage = 3; var currentPage = 0; var prefix = "list"; var suffix = "shtml";</script>'
    assert js_pager_urls(html, f"{H}/col/") == [f"{H}/col/list.shtml", f"{H}/col/list_1.shtml", f"{H}/col/list_2.shtml"]
    assert js_pager_urls("<script>var pageCount = 3;</script>", f"{H}/col/index.html")[-1] == f"{H}/col/index_2.html"
    assert len(js_pager_urls("<script>createPageHTML(99999, 0, 'index', 'html');</script>", f"{H}/c/")) \
        == MAX_LIST_PAGES
    assert js_pager_urls("<script>var countPage = 1;</script>", f"{H}/c/") == []
    assert js_pager_urls("<p>countPage = 5 in a sentence, not a script</p>", f"{H}/c/") == []


def test_a_later_page_names_the_page_it_continues() -> None:
    """Page 2 of a thread, reached from the board's link to it, points back to page 1 through its pager;
    page 1 itself, an article linking the next article, or a 首页 link to the site's home do not."""
    reply_page = [(f"{H}/forum-38-1.html", "讲话稿交流"), (f"{H}/thread-56120-1-1.html", "1"),
                  (f"{H}/thread-56120-3-1.html", "3"), (f"{H}/thread-56120-3-1.html", "下一页")]
    assert first_page_of(reply_page, f"{H}/thread-56120-2-1.html") == f"{H}/thread-56120-1-1.html"
    assert first_page_of([(f"{H}/22985.html", "上一页")], f"{H}/22985_2.html") == f"{H}/22985.html"
    assert first_page_of([(f"{H}/thread-56120-2-1.html", "2")], f"{H}/thread-56120-1-1.html") is None
    assert first_page_of([(f"{H}/22984.html", "下一篇"), (f"{H}/", "首页")], f"{H}/22985.html") is None
    assert first_page_of([(f"{H}/22985.html", "点击阅读第一部分")], f"{H}/22985_2.html") is None  # no pager label


def test_js_pager_that_builds_the_address() -> None:
    """``goPage(n)`` building ``"list_" + n + ".html"`` (no prefix variable): pages list_1 … list_N, resolved
    against what the page's links resolve against; ``(n - 1)`` is the TRS numbering."""
    script = ('<script type="text/javascript">\nvar countPage = 3;//总页数\nvar currentPage = 1;\n'
              'function goPage(n) {\n  if (n < 1 || n > countPage) { return false; }\n'
              '  window.location.href = "jyzx/ldjh/list_" + n + ".html";\n}\n</script>')
    assert js_pager_urls(script, f"{H}/") == [f"{H}/jyzx/ldjh/list_{n}.html" for n in (1, 2, 3)]
    trs = "<script>var pageCount = 3; function go(p) { location.href = 'index_' + (p - 1) + '.htm'; }</script>"
    assert js_pager_urls(trs, f"{H}/col/index.htm") == [f"{H}/col/index.htm", f"{H}/col/index_1.htm",
                                                          f"{H}/col/index_2.htm"]
