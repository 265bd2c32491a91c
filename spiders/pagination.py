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
from urllib.parse import parse_qsl, urljoin, urlsplit

__all__ = ["NEXT_WORDS", "PAGER_WORDS", "MAX_LIST_PAGES", "first_page_of", "is_continuation", "is_list_page",
           "js_pager_urls", "pager_links"]

NEXT_WORDS = frozenset({"下一页", "下页", "后一页", "下一頁", "next", "next page", "›", "»", ">", ">>"})
PAGER_WORDS = NEXT_WORDS | {"上一页", "上页", "前一页", "首页", "尾页", "末页", "第一页", "最后一页",
                            "prev", "previous", "‹", "«", "<", "<<"}
_PAGE_NUMBER = re.compile(r"^\[?\s*\d{1,3}\s*\]?$")
_NUMBERED = re.compile(r"^(?P<base>.+?)(?P<sep>[_-])(?P<n>\d{1,3})$")
_MID_NUMBERED = re.compile(r"^(?P<head>[^_-]*[A-Za-z].*?[_-])(?P<n>\d{1,3})(?P<tail>[_-]\d{1,3})$")
"""Discuz!'s ``thread-TID-PAGE-LISTPAGE``: the page number is the last but one."""
_PAGE_PARAMS = frozenset({"page", "p", "pn", "pg", "pageno", "page_no", "paged"})
_INDEX_STEM = "index"
MAX_LIST_PAGES = 2000
"""A JavaScript pager claiming more pages than this is read as this many (a bound, not a guess)."""
# TRS WCM: createPageHTML(countPage, currentPage, "index", "html") writes index.html, index_1.html …
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d{1,5})['\"]?\s*,\s*['\"]?\d{1,5}['\"]?\s*,"
                          r"\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
# Other CMSs: var countPage = 12 / pageCount = 12, with prefix/suffix variables or none (index, html).
_COUNT_VAR = re.compile(r"\b(?:countPage|pageCount|totalPage|page_count|totalPages)\s*[=:]\s*['\"]?(\d{1,5})\b")
_PREFIX_VAR = re.compile(r"\b(?:prefix|pagePrefix|page_prefix)\s*[=:]\s*['\"]([\w-]+)['\"]")
_SUFFIX_VAR = re.compile(r"\b(?:suffix|pageExt|page_suffix)\s*[=:]\s*['\"](\w+)['\"]")
# A pager function that builds the address itself: location.href = "list_" + n + ".html" (page n is list_n),
# or "index_" + (n - 1) + ".html" (TRS numbering: page 1 is index.html).  The head may hold a path.
_BUILT_URL = re.compile(r"""(['"])(?P<head>[\w./-]*[_-])\1\s*\+\s*\(?\s*[A-Za-z_$][\w$]*\s*(?P<minus>-\s*1)?\s*\)?"""
                        r"""\s*\+\s*(['"])\.(?P<ext>\w{2,5})\4""")
_ANY_PAGER_SCRIPT = re.compile(r"createPageHTML|countPage|pageCount|totalPage|page_count")
"""Cheap test first: most pages have none of these words and are not scanned script by script."""
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_WP_PAGE = re.compile(r"^(?P<base>.*/)page/\d{1,4}/?$")
_DIGITS = re.compile(r"\d+")


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
    first_mid, other_mid = _MID_NUMBERED.match(s1), _MID_NUMBERED.match(s2)
    if first_mid and other_mid and first_mid["n"] == "1" != other_mid["n"] \
            and (first_mid["head"], first_mid["tail"]) == (other_mid["head"], other_mid["tail"]):
        return True  # thread-56120-1-1.html -> thread-56120-2-1.html
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


def first_page_of(anchors: Iterable[tuple[str, str]], url: str) -> str | None:
    """The page that ``url`` continues, when its own pager links back to it; else None.

    Page 2 of an article (``x_2.html``), of a thread (``thread-7-2-1.html``: replies only) or of a list
    links back to page 1 through 首页 / 上一页 / "1".  Reached on its own (a list links a thread's
    reply pages, a sidebar a later page), such a page is no document: it is read as a page of the
    document that starts where its pager points, when that one is crawled."""
    for link, text in anchors:
        label = " ".join(text.split()).lower()
        if link != url and (label in PAGER_WORDS or _PAGE_NUMBER.match(label)) and is_continuation(link, url):
            return link
    return None


def is_list_page(first_url: str, url: str) -> bool:
    """True when ``url`` is another page of the list that ``first_url`` is a page of.

    Besides :func:`is_continuation` (``index.html → index_2.html``, ``forum-2-1.html → forum-2-2.html``):
    the same address with one small number changed (``list/1.html → list/7.html``, ``?page=3``), and
    WordPress's ``/category/x/ → /category/x/page/2/``.
    """
    if is_continuation(first_url, url) or is_continuation(url, first_url):
        return True
    first, other = urlsplit(first_url), urlsplit(url)
    if (first.scheme, first.netloc) != (other.scheme, other.netloc) or first_url == url:
        return False
    wp_first, wp_other = _WP_PAGE.match(first.path), _WP_PAGE.match(other.path)
    base_first = wp_first["base"] if wp_first else first.path
    base_other = wp_other["base"] if wp_other else other.path
    if (wp_first or wp_other) and base_first == base_other and first.query == other.query:
        return True
    a, b = first.path + "?" + first.query, other.path + "?" + other.query
    if _DIGITS.sub("0", a) != _DIGITS.sub("0", b):
        return False
    changed = [(x, y) for x, y in zip(_DIGITS.findall(a), _DIGITS.findall(b), strict=True) if x != y]
    return len(changed) == 1 and max(len(changed[0][0]), len(changed[0][1])) <= 4


def js_pager_urls(html: str, page_url: str) -> list[str]:
    """The list pages a JavaScript pager would write links to, absolute, page 1 first.

    TRS gov sites have no ``<a>`` in their pager: ``createPageHTML(12, 0, "index", "html")`` builds
    it in the browser, for pages ``index.html``, ``index_1.html`` … ``index_11.html`` of the page's
    directory.  Other CMSs state ``var countPage = 12`` (with ``prefix``/``suffix`` variables, else the
    same TRS naming), or a pager function that builds the address (``"list_" + n + ".html"``: pages
    ``list_1.html`` … ``list_N.html``; ``"index_" + (n - 1) + ".html"``: the TRS naming).  ``page_url`` is
    what the page's links resolve against (spiders.urls.document_base).  The count is bounded by
    :data:`MAX_LIST_PAGES`.
    """
    if not _ANY_PAGER_SCRIPT.search(html):
        return []
    total, prefix, suffix = 0, _INDEX_STEM, "html"
    built: re.Match[str] | None = None
    for script in _SCRIPT.findall(html):
        made = _CREATE_PAGE.search(script)
        if made:
            total, prefix, suffix = int(made[1]), made[2], made[3]
            built = None
            break
        count = _COUNT_VAR.search(script)
        if count and not total:
            total = int(count[1])
            pre, suf = _PREFIX_VAR.search(script), _SUFFIX_VAR.search(script)
            prefix, suffix = (pre[1] if pre else prefix), (suf[1] if suf else suffix)
            built = None if pre else _BUILT_URL.search(script)
    if total < 2:
        return []
    total = min(total, MAX_LIST_PAGES)
    if built is not None:
        head, ext = built["head"], built["ext"]
        if built["minus"]:  # page n is head + (n - 1); page 1 the bare stem
            names = [f"{head[:-1]}.{ext}"] + [f"{head}{n}.{ext}" for n in range(1, total)]
        else:
            names = [f"{head}{n}.{ext}" for n in range(1, total + 1)]
        return [urljoin(page_url, name) for name in names]
    directory = urlsplit(page_url)
    base = f"{directory.scheme}://{directory.netloc}{directory.path.rpartition('/')[0]}/"
    names = [f"{prefix}.{suffix}"] + [f"{prefix}_{n}.{suffix}" for n in range(1, total)]
    return [base + name for name in names]
