"""What a list page says about a site: where its article links are, how its pages are numbered.

A column page holds one list of articles among menus, sidebars of "hot" articles and tag clouds.
The list is found as an element whose children are items each carrying one title link (anchor
text long enough to be a title, and never the same text for different URLs, which rules out
"[VIP下载]" and "更多>>"); when several such lists exist, the one nearest the pager wins, then one
outside anything named like a sidebar.  Its links give the article URL patterns, the pager's
links the list pattern, and both elements the profile's ``restrict`` selectors.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from cleaners import Page, clean
from cleaners.parse import parse
from spiders.infer.dom import common_ancestor, selector_for, text_of
from spiders.infer.url_shapes import article_regex, list_regex, path_query, url_shape
from spiders.pagination import NEXT_WORDS, PAGER_WORDS, is_list_page, js_pager_urls
from spiders.template import canonical_url
from spiders.urls import document_base

__all__ = ["Anchor", "ListAnalysis", "analyse_list", "anchors_of", "article_as_start", "is_article", "list_candidates"]

_PAGE_NUMBER = re.compile(r"^\[?\s*\d{1,3}\s*\]?$")
_TITLE_MIN = 5
_INLINE = frozenset({"li", "span", "b", "strong", "em", "font", "i"})
_MIN_ITEMS = 3
_PAGES_SAID = re.compile(r"共\s*(\d{1,5})\s*页|/\s*(\d{1,5})\s*页|第\s*\d+\s*/\s*(\d{1,5})\s*页")
_ITEM_ID = re.compile(r"^([A-Za-z][A-Za-z-]*_)\d+$")
"""An item id made of a kind and a number (normalthread_56120): the kind tells pinned items from the rest."""
_JS_SAMPLE = 3
"""Pages of a JavaScript pager used as examples for the list regex (enough to see what varies)."""
_NEGATIVE = re.compile(r"side|aside|hot|rank|recommend|related|tuijian|xgwz|foot|header|nav|menu|topbar|banner|"
                       r"friend|tags?\b|comment|widget", re.I)
_CRUMB = re.compile(r"crumb|position|place|location|weizhi|dqwz|path|bread|^pt\b|\spt$", re.I)  # Discuz: div#pt
_CRUMB_TEXT = re.compile(r"^\s*(?:您?当前的?位置|您的位置|你的位置|您现在的位置|所在位置|现在位置|位置)\s*[:：]")


@dataclass(frozen=True)
class Anchor:
    el: HtmlElement
    url: str
    text: str


@dataclass
class ListAnalysis:
    url: str
    article_urls: list[str] = field(default_factory=list)
    article_regexes: list[str] = field(default_factory=list)
    pager_urls: list[str] = field(default_factory=list)
    next_url: str | None = None
    list_regex: str = ""
    restrict: list[str] = field(default_factory=list)
    tree: HtmlElement | None = None
    scripted_pager: bool = False
    stated_pages: int | None = None
    """How many list pages the pager says there are (共N页, a JavaScript pager's count, its last number)."""
    """The pager is written by JavaScript (no ``<a>``): the spider reads the script (spiders.pagination)."""


def anchors_of(root: HtmlElement, page_url: str) -> list[Anchor]:
    """Links to pages of the same site, absolute and canonical, in document order."""
    host = urlsplit(page_url).netloc
    base = document_base(root, page_url)
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = canonical_url(urljoin(base, href))
        if urlsplit(url).netloc == host and urlsplit(url).scheme in ("http", "https"):
            out.append(Anchor(a, url, text_of(a)))
    return out


def _is_pager_label(text: str) -> bool:
    label = " ".join(text.split()).lower()
    return label in PAGER_WORDS or bool(_PAGE_NUMBER.match(label))


def _titles(anchors: list[Anchor]) -> list[Anchor]:
    urls_by_text: dict[str, set[str]] = defaultdict(set)
    for a in anchors:
        urls_by_text[a.text].add(a.url)
    return [a for a in anchors if len(a.text) >= _TITLE_MIN and not _is_pager_label(a.text)
            and len(urls_by_text[a.text]) == 1]


def _negative(el: HtmlElement) -> bool:
    for node in (el, *el.iterancestors()):
        if node.tag in ("aside", "nav", "header", "footer") or _NEGATIVE.search(f"{node.get('class', '')} "
                                                                                 f"{node.get('id', '')}"):
            return True
    return False


def _lists(titles: list[Anchor]) -> list[tuple[HtmlElement, list[Anchor]]]:
    """Elements whose children are items of one title link each, with their links."""
    # Keyed by id() with the element kept in the value: a live lxml proxy's id is not reused.
    by_parent: dict[int, tuple[HtmlElement, dict[int, tuple[HtmlElement, list[Anchor]]]]] = {}
    for a in titles:
        child = a.el
        for parent in a.el.iterancestors():
            entry = by_parent.setdefault(id(parent), (parent, {}))
            entry[1].setdefault(id(child), (child, []))[1].append(a)
            child = parent
    out = []
    for parent, items in by_parent.values():
        links = [a for _, group in items.values() for a in group]
        if len(items) >= _MIN_ITEMS and len(links) <= 2.5 * len(items):
            out.append((parent, sorted(links, key=lambda a: titles.index(a))))
    return out


def _item_titles(container: HtmlElement, links: list[Anchor]) -> list[Anchor]:
    """Per item of the list, the title link and links of its address shape: not the author's space,
    the category or the reply count a forum or blog puts beside the title."""
    # Keyed by id() with the item kept in the value: a live lxml proxy's id is not reused.
    by_item: dict[int, tuple[HtmlElement, list[Anchor]]] = {}
    for a in links:
        item = next((n for n in (a.el, *a.el.iterancestors()) if n.getparent() is container), a.el)
        by_item.setdefault(id(item), (item, []))[1].append(a)
    if len(by_item) < _MIN_ITEMS:  # the container's children are not the items: nothing to tell apart
        return links
    keep: set[int] = set()
    for _, group in by_item.values():
        title = max(group, key=lambda a: len(a.text))
        keep |= {id(a) for a in group if a.url == title.url or url_shape(a.url) == url_shape(title.url)}
    return [a for a in links if id(a) in keep]


def _unpinned(container: HtmlElement, links: list[Anchor]) -> tuple[list[Anchor], str] | None:
    """The list without the items pinned on top, when the template tells them apart by id: Discuz
    writes ``<tbody id="stickthread_9">`` for the 版规 and ``<tbody id="normalthread_56120">`` for the
    threads.  Returns the links of the ordinary items and a selector for them
    (``tbody[id^="normalthread_"]``), or None when every item is named alike."""
    prefixes: dict[int, tuple[HtmlElement, str]] = {}
    for child in container:
        named = _ITEM_ID.match(child.get("id") or "") if isinstance(child.tag, str) else None
        if named:
            prefixes[id(child)] = (child, named[1])
    counts = Counter(prefix for _, prefix in prefixes.values())
    if len(counts) < 2:
        return None
    prefix, count = counts.most_common(1)[0]
    if count < _MIN_ITEMS or count < 0.6 * len(prefixes):
        return None
    tags = {el.tag for el, p in prefixes.values() if p == prefix}
    if len(tags) != 1:
        return None
    kept = []
    for a in links:
        item = next((n for n in (a.el, *a.el.iterancestors()) if n.getparent() is container), None)
        entry = prefixes.get(id(item)) if item is not None else None
        if entry is not None and entry[1] == prefix:
            kept.append(a)
    return kept, f'{tags.pop()}[id^="{prefix}"]'


def _stated_pages(box: HtmlElement | None, pager: list[Anchor], scripted: int) -> int | None:
    """The list's page count as its pager states it: a script's count, "共N页" / "/ N 页", the highest number."""
    if scripted:
        return scripted
    said = _PAGES_SAID.search(text_of(box)) if box is not None else None
    if said:
        return int(next(g for g in said.groups() if g))
    numbers = [int(n) for a in pager for n in re.findall(r"\d{1,4}", a.text)]
    return max(numbers) if numbers else None


def _pager_box(anchors: list[Anchor], url: str) -> HtmlElement | None:
    """The element holding the most pager links: labelled 下一页 / 尾页 / a page number and going to
    another page of this list (a menu's 首页 link to the site root is not one).  It may sit anywhere,
    inside the list's container or outside it."""
    groups: dict[int, tuple[HtmlElement, int]] = {}
    for a in anchors:
        if not _is_pager_label(a.text) or not is_list_page(url, a.url):
            continue
        box = next((p for p in a.el.iterancestors() if p.tag not in _INLINE), None)
        if box is not None:
            groups[id(box)] = (box, groups.get(id(box), (box, 0))[1] + 1)
    return max(groups.values(), key=lambda g: g[1])[0] if groups else None


def _depth(el: HtmlElement) -> int:
    return sum(1 for _ in el.iterancestors())


def _nameable(el: HtmlElement, root: HtmlElement) -> str | None:
    for node in (el, *el.iterancestors()):
        if node.tag in ("body", "html"):
            return None
        selector = selector_for(node, root)
        if selector:
            return selector
    return None


def analyse_list(html: str, url: str) -> ListAnalysis | None:
    """Article links, pager and patterns of a list page; None when the page lists nothing."""
    tree = parse(html)
    anchors = anchors_of(tree, url)
    lists = _lists(_titles(anchors))
    if not lists:
        return None
    pager_box = _pager_box(anchors, url)
    pager = [a for a in anchors if pager_box is not None and _is_pager_label(a.text) and a.url != url
             and is_list_page(url, a.url) and any(p is pager_box for p in a.el.iterancestors())]

    def rank(candidate: tuple[HtmlElement, list[Anchor]]) -> tuple[int, int, int]:
        el, links = candidate
        shared = common_ancestor([el, pager_box]) if pager_box is not None else None
        return (_depth(shared) if shared is not None else 0), int(not _negative(el)), len(links)

    container, links = max(lists, key=rank)
    links = _item_titles(container, links)
    kept = _unpinned(container, links)
    out = ListAnalysis(url=url, tree=tree)
    out.article_urls = list(dict.fromkeys(a.url for a in links))
    scripted = [u for u in js_pager_urls(html, document_base(tree, url)) if u != url]
    out.pager_urls = list(dict.fromkeys(u for u in [*(a.url for a in pager), *scripted[:_JS_SAMPLE]]
                                        if u not in out.article_urls))
    nexts = [a.url for a in pager if " ".join(a.text.split()).lower() in NEXT_WORDS]
    out.next_url = nexts[0] if nexts else (out.pager_urls[0] if out.pager_urls else None)
    out.scripted_pager = bool(scripted)
    out.stated_pages = _stated_pages(pager_box, pager, len(scripted) + 1 if scripted else 0)
    out.list_regex = list_regex(url, out.pager_urls)
    shapes: dict[str, list[str]] = defaultdict(list)
    for link in out.article_urls:
        shapes[url_shape(link)].append(link)
    list_re = re.compile(out.list_regex)
    out.article_regexes = [r for r in dict.fromkeys(article_regex(group) for group in shapes.values())
                           if not any(re.search(r, path_query(u)) for u in [url, *out.pager_urls])]
    out.article_urls = [u for u in out.article_urls if not list_re.search(path_query(u))]
    items = None
    if kept is not None:
        links, items = kept
        pinned = set(out.article_urls) - {a.url for a in links}
        out.article_urls = [u for u in out.article_urls if u not in pinned]
    for box in (container, pager_box):
        selector = _nameable(box, tree) if box is not None else None
        if selector and box is container and items:
            selector = f"{selector} > {items}"
        if selector and selector not in out.restrict:
            out.restrict.append(selector)
    return out


def list_candidates(html: str, url: str) -> list[str]:
    """Pages an article's list may be: breadcrumb links (deepest first), then its parent directories."""
    tree = parse(html)
    out: list[str] = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        named = _CRUMB.search(f"{el.get('class', '')} {el.get('id', '')}")
        if named or (_CRUMB_TEXT.match(text_of(el)) and len(text_of(el)) < 120):
            links = [a.url for a in anchors_of(el, url) if urlsplit(a.url).path not in ("", "/")]
            out += [u for u in reversed(links) if u != url]
            if links:
                break
    path = urlsplit(url).path
    origin = url[: len(url) - len(path_query(url))]
    while path.count("/") > 1:
        path = path[: path.rstrip("/").rfind("/") + 1]
        out.append(origin + path)
    return list(dict.fromkeys(out))


def article_as_start(html: str, url: str) -> ListAnalysis:
    """The article itself as the crawl's start, when no list page links to it.

    Its siblings — links on the page with the same address shape (上一篇 / 下一篇, related articles) —
    are the other samples and, with it, give the article pattern; the list pattern matches only the
    article, so the crawl fetches it (and its own pages) and a maintainer adds the list later.
    """
    shape = url_shape(url)
    siblings = [a.url for a in anchors_of(parse(html), url) if a.url != url and url_shape(a.url) == shape]
    out = ListAnalysis(url=url, tree=None)
    out.article_urls = list(dict.fromkeys(siblings))
    out.article_regexes = [article_regex([url, *out.article_urls])]
    out.list_regex = "^" + re.escape(path_query(url)) + "$"
    return out


def is_article(html: str, url: str, min_chars: int = 0) -> bool:
    """Does the page hold a speech (of ``min_chars`` or more)?  The cleaners' generic mode tells articles
    from lists."""
    return any(len(r.text) >= min_chars for r in clean([Page(url=url, html=html)], None).records)
