"""Generic-mode pagination: which pager links continue a document."""

from __future__ import annotations

import pytest

from spiders.pagination import MAX_LIST_PAGES, is_continuation, is_list_page, js_pager_urls, pager_links

H = "http://news.example.cn"


@pytest.mark.parametrize(("first", "other"), [
    (f"{H}/22985.html", f"{H}/22985_2.html"),
    (f"{H}/a/list_12_1.html", f"{H}/a/list_12_3.html"),
    (f"{H}/fanwen/jianghuagao/", f"{H}/fanwen/jianghuagao/index_2.html"),
    (f"{H}/show-7.html", f"{H}/show-7-2.html"),
    (f"{H}/view.php?id=7", f"{H}/view.php?id=7&page=2"),
    (f"{H}/node_101.htm", f"{H}/node_101_2.htm"),
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
