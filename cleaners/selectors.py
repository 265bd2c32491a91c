"""Compiled, cached CSS selectors and profile regexes.

A crawl cleans thousands of pages with the same profile; translating CSS to XPath
and compiling regexes for every page would cost more than the selection itself.
Profiles are validated when loaded (spiders.profiles), so a bad selector here is a
programming error and is allowed to raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from cleaners.blocks import text_of

__all__ = ["css", "select", "select_first_rule", "regexes", "element_text"]


@lru_cache(maxsize=1024)
def css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


@lru_cache(maxsize=256)
def regexes(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def select(tree: HtmlElement, selectors: tuple[str, ...]) -> list[HtmlElement]:
    """Every element matched by any of ``selectors``, in document order, without duplicates.

    The selectors are joined into one group, so that a single XPath union does the
    work and returns document order.
    """
    if not selectors:
        return []
    found: list[HtmlElement] = css(", ".join(selectors))(tree)
    return found


def select_first_rule(tree: HtmlElement, selectors: Iterable[str]) -> list[HtmlElement]:
    """Matches of the first selector that matches anything, outermost elements only."""
    for sel in selectors:
        found = css(sel)(tree)
        if found:
            ids = {id(el) for el in found}
            return [el for el in found if not any(id(a) in ids for a in el.iterancestors())]
    return []


def element_text(el: HtmlElement) -> str:
    """Visible text of one element (attribute ``content`` for ``<meta>``)."""
    if el.tag == "meta":
        return str(el.get("content") or "").strip()
    return " ".join(text_of(el).split())
