"""Generic-mode pagination: which pager links continue a document."""

from __future__ import annotations

import pytest

from spiders.pagination import is_continuation, pager_links

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
