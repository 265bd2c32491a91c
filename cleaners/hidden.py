"""Step 2 (generic mode): elements a reader never sees — hidden print/share copies, collapsed boxes.

Gov and news templates repeat the whole body in a ``display:none`` container for printing,
sharing or an app layer; wikis and portals fold navigation and track lists into collapsed
boxes.  Such an element is removed when what it holds is a copy of visible text or is not
prose (link lists, short labels).  Hidden prose that appears nowhere else is kept: some sites
hide the rest of an article behind a "read more" click, and that text is the article's.

An element is hidden when its inline style says ``display:none`` / ``visibility:hidden``, it
carries the ``hidden`` attribute, its class is one the page's own ``<style>`` hides, or its class
is a conventional hiding class (``HIDDEN_CLASSES``).  Stylesheets outside the page cannot be read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from lxml.html import HtmlElement

from cleaners.blocks import element_paragraphs
from cleaners.patterns import HIDDEN_CLASSES, HIDDEN_STYLE, PROSE_LINE

__all__ = ["hidden_elements", "drop_hidden"]

_STYLE_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^\s*(?:[a-z0-9]*)([.#])([\w-]+)\s*$", re.I)
_COPY_SHARE = 0.5
"""A hidden element whose prose is at least this much a copy of visible text is a duplicate."""
_PROSE_MIN_CHARS = 20
_PROSE_SHARE = 0.5
"""Hidden text is kept only when it is mostly prose: collapsed lists and tables are furniture."""
_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
"""Copies are compared sentence by sentence: a share layer often runs the paragraphs together."""
_SENTENCE_MIN_CHARS = 8


def _page_hidden_names(root: HtmlElement) -> tuple[set[str], set[str]]:
    """Classes and ids that the page's own ``<style>`` blocks hide (simple ``.x`` / ``#x`` rules only)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for style in root.iter("style"):
        css = style.text or ""
        if "none" not in css and "hidden" not in css:
            continue
        for selectors, body in _STYLE_RULE.findall(css):
            if not HIDDEN_STYLE.search(body):
                continue
            for selector in selectors.split(","):
                m = _SIMPLE_SELECTOR.match(selector)
                if m:
                    (classes if m.group(1) == "." else ids).add(m.group(2))
    return classes, ids


def _is_hidden(el: HtmlElement, classes: set[str], ids: set[str]) -> bool:
    style = el.get("style")
    if style and HIDDEN_STYLE.search(style):
        return True
    if el.get("hidden") is not None:
        return True
    names = (el.get("class") or "").split()
    if any(n in HIDDEN_CLASSES or n in classes for n in names):
        return True
    return bool(ids) and el.get("id") in ids


def _class_test(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_HINT_WORDS = ("none", "None", "NONE", "hid", "Hid", "HID", "collapsed", "invisible", "sr-only")
"""Substrings of every hiding style or class: a page source with none of them hides nothing (plain
substring tests; a regular expression over the whole source costs more than the search it saves)."""
_ATTRIBUTES = etree.XPath(".//@style | .//@class | .//@hidden")
_HINT = re.compile(r"hid|collapsed|invisible|sr-only|d-none|none", re.I)
"""What a hiding style or class contains; ``_is_hidden`` decides on the elements that have it."""


def _candidates(root: HtmlElement) -> list[HtmlElement]:
    """Elements that may be hidden, in document order.  libxml2 lists the attributes (a Python walk over
    every element costs twice as much, substring tests in XPath three times)."""
    out: list[HtmlElement] = []
    for value in _ATTRIBUTES(root):
        if value.attrname == "hidden" or _HINT.search(value):
            el = value.getparent()
            if not out or out[-1] is not el:
                out.append(el)
    return out


def hidden_elements(root: HtmlElement) -> list[HtmlElement]:
    """The outermost hidden elements under ``root``, in document order."""
    classes, ids = _page_hidden_names(root)
    found = _candidates(root)
    if classes or ids:
        names = [_class_test(n) for n in sorted(classes) if "'" not in n]
        names += [f"@id='{n}'" for n in sorted(ids) if "'" not in n]
        if names:
            found = root.xpath(f".//*[{' or '.join(names)}]") + found
            found.sort(key=_document_order(root))
    out: list[HtmlElement] = []
    for el in found:
        if el.tag in ("html", "body", "input", "style", "script") or not _is_hidden(el, classes, ids):
            continue
        if out and (el is out[-1] or any(a is out[-1] for a in el.iterancestors())):
            continue
        out.append(el)
    return out


def _document_order(root: HtmlElement) -> Callable[[HtmlElement], int]:
    order = {el: i for i, el in enumerate(root.iter())}
    return lambda el: order.get(el, 0)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _visible_text(root: HtmlElement, skip: set[HtmlElement]) -> str:
    """All text of ``root`` outside the ``skip`` subtrees (their tails count: they are visible)."""
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start",))
    for _, el in walker:
        if el in skip:
            walker.skip_subtree()
        elif el.text and isinstance(el.tag, str):
            parts.append(el.text)
        if el.tail and el is not root:
            parts.append(el.tail)
    return "".join("".join(parts).split())


def drop_hidden(root: HtmlElement, html: str | None = None) -> int:
    """Remove hidden copies and hidden furniture from ``root`` (in place); characters removed.
    ``html``, the page's source, lets a page with no hiding markup at all skip the search."""
    if html is not None and not any(word in html for word in _HINT_WORDS):
        return 0
    found = hidden_elements(root)
    if not found:
        return 0
    visible = _visible_text(root, set(found))
    removed = 0
    for el in found:
        lines = [p.text for p in element_paragraphs([el])]
        prose = [ln for ln in lines if len(ln) >= _PROSE_MIN_CHARS and PROSE_LINE.search(ln)]
        prose_chars = sum(len(ln) for ln in prose)
        copied = sum(len(part) for ln in prose for part in _SENTENCE.findall("".join(ln.split()))
                     if len(part) >= _SENTENCE_MIN_CHARS and part in visible)
        total = sum(len(ln) for ln in lines)
        if prose_chars >= _PROSE_SHARE * total and copied < _COPY_SHARE * prose_chars:
            continue  # hidden prose found nowhere else: the rest of the article, behind a click
        removed += total
        el.drop_tree()  # keeps the element's tail text, which belongs to its parent
    return removed
