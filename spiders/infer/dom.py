"""DOM helpers for proposing selectors: name an element the way a maintainer would, and check the name.

A maintainer writes ``div.entry-content`` or ``div#ozoom``, not a path of ``nth-child`` steps: a
class or id survives small template edits, a position does not.  :func:`selector_for` builds
such a selector from the element's own id and classes (an ancestor's when its own are not
unique on the page), and the callers keep only selectors that pick the same kind of element on
every sample page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from cleaners import blocks
from cleaners.selectors import css

__all__ = ["IDENT", "text_of", "link_text_chars", "select_all", "selector_for", "own_selectors",
           "common_ancestor", "path_selector"]

IDENT = re.compile(r"^-?[_a-zA-Z][\w-]*$")
"""What can stand after ``#`` or ``.`` in a CSS selector without escaping."""
_VOLATILE = re.compile(r"\d{3,}")
"""Classes and ids with long numbers (post-22994, article_1352960) name one page, not the template."""
_MAX_ANCESTORS = 4


def text_of(el: HtmlElement) -> str:
    """The element's text, white space runs made one space (the cleaners' reading of the text)."""
    return " ".join(blocks.text_of(el).split())


def link_text_chars(el: HtmlElement) -> int:
    return sum(len("".join(blocks.text_of(a).split())) for a in el.iter("a"))


def select_all(root: HtmlElement, selector: str) -> list[HtmlElement]:
    found: list[HtmlElement] = css(selector)(root)
    return found


def own_selectors(el: HtmlElement) -> list[str]:
    """``tag#id`` and ``tag.class`` names of the element itself, most specific first."""
    tag = el.tag if isinstance(el.tag, str) else "*"
    out = []
    ident = (el.get("id") or "").strip()
    if ident and IDENT.match(ident) and not _VOLATILE.search(ident):
        out.append(f"{tag}#{ident}")
    classes = [c for c in (el.get("class") or "").split() if IDENT.match(c) and not _VOLATILE.search(c)]
    out += [f"{tag}.{c}" for c in classes]
    if len(classes) > 1:
        out.append(f"{tag}." + ".".join(classes))
    return out


def selector_for(el: HtmlElement, root: HtmlElement, *, tag_ok: bool = False) -> str | None:
    """A selector that matches exactly ``el`` in ``root``: its own name, else an ancestor's name before it."""
    own = own_selectors(el) or ([el.tag] if tag_ok and isinstance(el.tag, str) else [])
    for selector in own:
        if select_all(root, selector) == [el]:
            return selector
    for depth, ancestor in enumerate(el.iterancestors()):
        if depth >= _MAX_ANCESTORS or ancestor.tag in ("body", "html"):
            break
        for prefix in own_selectors(ancestor):
            for selector in own:
                for joined in (f"{prefix} > {selector}", f"{prefix} {selector}"):
                    if select_all(root, joined) == [el]:
                        return joined
    return None


def path_selector(el: HtmlElement, root: HtmlElement) -> str:
    """Last resort for old table layouts with no class or id near the text: the path from the
    nearest named ancestor (or body), ``table:nth-of-type(2) > tr > td``-style."""
    steps: list[str] = []
    node: HtmlElement | None = el
    while node is not None and node.tag not in ("body", "html"):
        named = selector_for(node, root) if node is not el else None
        if named:
            steps.append(named)
            break
        parent = node.getparent()
        same = [c for c in parent if c.tag == node.tag] if parent is not None else [node]
        steps.append(f"{node.tag}:nth-of-type({same.index(node) + 1})" if len(same) > 1 else str(node.tag))
        node = parent
    else:
        steps.append("body")
    return " > ".join(reversed(steps))


def common_ancestor(elements: Sequence[HtmlElement]) -> HtmlElement | None:
    """The deepest element containing all of ``elements`` (itself when there is one)."""
    if not elements:
        return None
    # Lists, not sets of id(): lxml proxies die with their last reference and their ids get reused.
    lines = [[el, *el.iterancestors()] for el in elements[1:]]
    return next((a for a in (elements[0], *elements[0].iterancestors())
                 if all(any(a is b for b in line) for line in lines)), None)

