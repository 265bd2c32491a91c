"""Article pagination without a profile: which pager links continue the page being read.

Chinese CMSs split long articles (and list pages) into numbered pages that share the
first page's URL stem: ``22985.html → 22985_2.html`` (DedeCMS, WordPress themes),
``list_12_1.html → list_12_2.html``, ``dir/ → dir/index_2.html``, ``a-1.html → a-2.html``,
``?id=7 → ?id=7&page=2``.  The links to them sit in a pager bar whose anchors read
下一页 / 上一页 / 首页 / 尾页 or a bare page number.  Generic mode stitches such pages into
the first page's document and does not crawl them as documents of their own; a profile
names its pager with a selector instead.

Only the page number may change, and it has at most three digits, so that
``content_4816945.htm → content_4816946.htm`` (the next *article* of a newspaper) is never
taken for a page of the same one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

__all__ = ["NEXT_WORDS", "PAGER_WORDS", "is_continuation", "pager_links"]

NEXT_WORDS = frozenset({"下一页", "下页", "后一页", "下一頁", "next", "next page", "›", "»", ">", ">>"})
PAGER_WORDS = NEXT_WORDS | {"上一页", "上页", "前一页", "首页", "尾页", "末页", "第一页", "最后一页",
                            "prev", "previous", "‹", "«", "<", "<<"}
_PAGE_NUMBER = re.compile(r"^\[?\s*\d{1,3}\s*\]?$")
_NUMBERED = re.compile(r"^(?P<base>.+?)(?P<sep>[_-])(?P<n>\d{1,3})$")
_PAGE_PARAMS = frozenset({"page", "p", "pn", "pg", "pageno", "page_no", "paged"})
_INDEX_STEM = "index"


def _stem(path: str) -> tuple[str, str, str]:
    """(directory, stem, extension) of a URL path; a directory URL reads as its index page."""
    directory, _, name = path.rpartition("/")
    if not name:
        return directory, _INDEX_STEM, ""
    stem, dot, ext = name.rpartition(".")
    return (directory, stem, ext) if dot else (directory, name, "")


def _same_query_but_page(first: str, other: str) -> bool:
    a = [(k, v) for k, v in parse_qsl(first, keep_blank_values=True) if k.lower() not in _PAGE_PARAMS]
    b_all = parse_qsl(other, keep_blank_values=True)
    b = [(k, v) for k, v in b_all if k.lower() not in _PAGE_PARAMS]
    paged = [v for k, v in b_all if k.lower() in _PAGE_PARAMS]
    return a == b and len(paged) == 1 and paged[0].isdigit() and len(paged[0]) <= 3


def is_continuation(first_url: str, url: str) -> bool:
    """True when ``url`` is a numbered page of the document that starts at ``first_url``."""
    first, other = urlsplit(first_url), urlsplit(url)
    if (first.scheme, first.netloc) != (other.scheme, other.netloc):
        return False
    if first.path == other.path:
        return first.query != other.query and _same_query_but_page(first.query, other.query)
    if first.query != other.query:
        return False
    d1, s1, e1 = _stem(first.path)
    d2, s2, e2 = _stem(other.path)
    if d1 != d2 or (e1 and e2 and e1 != e2):
        return False
    numbered = _NUMBERED.match(s2)
    if numbered is None:
        return False
    if numbered["base"] == s1:
        return True  # 22985.html -> 22985_2.html, dir/ -> dir/index_2.html
    own = _NUMBERED.match(s1)
    return own is not None and own["base"] == numbered["base"] and own["sep"] == numbered["sep"]


def pager_links(anchors: Iterable[tuple[str, str]], first_url: str) -> tuple[set[str], list[str]]:
    """Split ``(absolute url, anchor text)`` pairs into the document's page URLs and its next-page URLs.

    Returns ``(pages, nexts)``: every pager link that continues ``first_url``, and among them those
    whose anchor says "next", in page order.
    """
    pages: set[str] = set()
    nexts: list[str] = []
    for url, text in anchors:
        label = " ".join(text.split()).lower()
        if label not in PAGER_WORDS and not _PAGE_NUMBER.match(label):
            continue
        if not is_continuation(first_url, url):
            continue
        pages.add(url)
        if label in NEXT_WORDS and url not in nexts:
            nexts.append(url)
    return pages, nexts
