"""Step 2 (generic mode): tell a post from its comments and replies.

Blog comment lists and BBS threads have one shape in common, whatever the engine (cnblogs,
Sina, WordPress, Discuz!, PHPWind, NetEase, Tianya …): a run of sibling items built alike
(same tag and class, or ids that differ only in a number), each item a header with a time
stamp ("2008-02-12 09:12:33", "发表于 2007-3-6 08:55", "3小时前") and a body.  Dozens of such
items easily outweigh the post they follow, so main-content detection alone keeps them.

Such a group is found before content detection and removed:

- when the page has prose of its own outside the group (a blog post, a news article), every
  item is a comment and goes;
- when it has not, the page is a thread: the first item with prose is the post (楼主) and
  stays, the others are replies and go; on a later page of a thread (page 2 …) all go: the
  post is on page 1, and only the first post of a thread is the text.

An item needs its own header and body (two lines or more): a schedule or a dated list inside
an article is one line per item and is never taken for comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from cleaners.blocks import element_paragraphs, text_of
from cleaners.patterns import COMMENT_STAMP, SKIP_TAGS

__all__ = ["Thread", "find_threads", "drop_replies"]

_ITEM_TAGS = ("div", "li", "table", "dl", "article", "section")
_DIGITS = re.compile(r"\d+")
_MIN_ITEMS = 3
_STAMPED_SHARE = 0.6
"""Of a group's items, at least this share carry a time stamp."""
_MIN_LINES = 2
_PROSE = re.compile(r"[^，。！？；,!?;\s]{2,}[，。！？；,!?;]")
_POST_MIN_PROSE = 30
_OWN_PROSE_MIN = 100
_OWN_PROSE_SHARE = 0.5
"""Prose outside the group of at least max(100, half the first item's) makes the group comments."""


@dataclass(frozen=True, slots=True)
class Thread:
    items: list[HtmlElement]
    """The stamped items, in document order."""
    keep: HtmlElement | None
    """The post, when the group is a thread and not comments under a post outside it."""


def _signature(el: HtmlElement) -> str:
    """Tag and first class (or, without a class, the id with its numbers taken out)."""
    classes = (el.get("class") or "").split()
    if classes:
        return f"{el.tag}.{_DIGITS.sub('', classes[0])}"
    ident = el.get("id")
    return f"{el.tag}#{_DIGITS.sub('#', ident)}" if ident else str(el.tag)


def _text(el: HtmlElement) -> str:
    return text_of(el)


def _prose_chars(text: str) -> int:
    return sum(len(m) for m in _PROSE.findall(text))


def _outside_text(root: HtmlElement, skip: set[HtmlElement]) -> str:
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start",))
    for _, el in walker:
        if el in skip or (isinstance(el.tag, str) and el.tag in SKIP_TAGS):
            walker.skip_subtree()
        elif el.text and isinstance(el.tag, str):
            parts.append(el.text)
        if el.tail and el is not root:
            parts.append(el.tail)
    return "".join(parts)


_STAMP_TEXTS = etree.XPath(
    ".//text()[(contains(., ':') or contains(., '前') or contains(., '刚刚')) and not(parent::script or parent::style)]"
)


def _groups(root: HtmlElement) -> list[list[HtmlElement]]:
    """Sibling groups (same parent, same signature) of which three or more items hold a time stamp,
    outermost first.  Only the elements above a stamp are looked at, not every element of the page."""
    stamped: dict[tuple[HtmlElement, str], list[HtmlElement]] = {}
    seen: set[HtmlElement] = set()
    for text in _STAMP_TEXTS(root):
        if not COMMENT_STAMP.search(text):
            continue
        el = text.getparent()
        while el is not None and el is not root:
            parent = el.getparent()
            if el not in seen and el.tag in _ITEM_TAGS and parent is not None:
                seen.add(el)  # the key holds the parent's proxy, so that lxml hands out the same one
                stamped.setdefault((parent, _signature(el)), []).append(el)
            el = parent
    keys = [k for k, items in stamped.items() if len(items) >= _MIN_ITEMS]
    keys.sort(key=lambda k: sum(1 for _ in k[0].iterancestors()))
    return [[c for c in parent if c.tag in _ITEM_TAGS and _signature(c) == sig] for parent, sig in keys]


def find_threads(root: HtmlElement, *, later_page: bool = False) -> list[Thread]:
    """Comment and reply groups under ``root``, outermost first (see the module docstring).  On a
    ``later_page`` of a thread (page 2 of a Discuz! thread …) every item is a reply: the post is on page 1."""
    found: list[Thread] = []
    taken: set[HtmlElement] = set()
    for group in _groups(root):
        if any(a in taken for a in group[0].iterancestors()):
            continue  # inside an item of a group already found (nested replies)
        texts = [_text(el) for el in group]
        stamped = [el for el, text in zip(group, texts, strict=True) if COMMENT_STAMP.search(text)]
        if len(stamped) < _MIN_ITEMS or len(stamped) < _STAMPED_SHARE * len(group):
            continue
        if sum(len(element_paragraphs([el])) >= _MIN_LINES for el in stamped) < _STAMPED_SHARE * len(stamped):
            continue  # one line per item: a dated list, not posts
        first = next((el for el in stamped if _prose_chars(_text(el)) >= _POST_MIN_PROSE), None)
        own = _prose_chars(_outside_text(root, set(stamped)))
        first_prose = _prose_chars(_text(first)) if first is not None else 0
        keep = None if later_page or own >= max(_OWN_PROSE_MIN, _OWN_PROSE_SHARE * first_prose) else first
        found.append(Thread(items=stamped, keep=keep))
        taken.update(stamped)
    return found


def _times_of_day(text: str) -> int:
    """How many times of day (a colon between digits) and relative times (3小时前) ``text`` holds, counted
    without a regular expression: most pages have none or one, and a scan for the stamp shape costs more."""
    count = 0
    at = text.find(":")
    while at != -1:
        if 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit():
            count += 1
        at = text.find(":", at + 1)
    for unit in ("分钟前", "小时前", "天前"):
        count += text.count(unit)
    return count


def drop_replies(root: HtmlElement, html: str | None = None, *, later_page: bool = False) -> int:
    """Remove comments and replies from ``root`` (in place); characters removed.  A page with fewer times
    of day in its text (or in ``html``, its source, when given: cheaper to scan) than a thread has items
    is not searched.  ``later_page``: the page continues a document (see :func:`find_threads`)."""
    removed = 0
    if _times_of_day(html if html is not None else text_of(root)) < _MIN_ITEMS:
        return removed
    for thread in find_threads(root, later_page=later_page):
        for el in thread.items:
            if el is thread.keep or el.getparent() is None:
                continue
            removed += len("".join(_text(el).split()))
            el.drop_tree()
    return removed
