"""Step 2: reduce a page to the paragraphs of its main text.

With a profile, the ``drop`` selectors remove elements first and the first
``content`` selector that matches gives the text: selectors, not heuristics, so
that profiled sites are cleaned exactly and fast.  Without one (or when a
profile's selector misses and fallback is allowed) main-content detection
(cleaners.content) finds the text, once comment or reply threads (cleaners.threads)
are out of the page.  In both modes hidden copies and hidden furniture (cleaners.hidden)
go first: what no reader sees is no one's text; then the lines that only link to the page's
attached files (cleaners.attachments): a file's name is not its text.  Either way the chrome lines and the tail
blocks that live inside the content element are then removed by wording
(cleaners.chrome).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lxml.html import HtmlElement

from cleaners.attachments import drop_attachments
from cleaners.blocks import Para, element_paragraphs, text_of
from cleaners.chrome import cut_tail, strip_chrome_lines
from cleaners.content import find_main_text, looks_like_listing
from cleaners.hidden import drop_hidden
from cleaners.selectors import regexes, select, select_first_rule
from cleaners.threads import drop_replies
from cleaners.types import SiteRules

__all__ = ["Stripped", "strip_boilerplate"]


@dataclass(frozen=True, kw_only=True)
class Stripped:
    """The paragraphs of one page (removed ones kept, marked) and page-level removals."""

    paras: tuple[Para, ...]
    mode: Literal["profile", "generic"]
    audit: dict[str, dict[str, int]] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    """Lines outside the text that may state its date, source or speaker (generic mode)."""
    listing: bool = False
    """Generic mode: the main block is a list of articles (titles with excerpts), not an article."""


def _drop_elements(tree: HtmlElement, selectors: tuple[str, ...], audit: dict[str, dict[str, int]]) -> None:
    for el in select(tree, selectors):
        if el.getparent() is None:
            continue
        chars = len("".join(text_of(el).split()))
        entry = audit.setdefault("chrome", {"count": 0, "chars": 0})
        entry["count"] += 1
        entry["chars"] += chars
        el.drop_tree()  # keeps the element's tail text, which belongs to its parent


def _count(audit: dict[str, dict[str, int]], kind: str, chars: int) -> None:
    if chars:
        entry = audit.setdefault(kind, {"count": 0, "chars": 0})
        entry["count"] += 1
        entry["chars"] += chars


def _body(tree: HtmlElement) -> HtmlElement:
    body = tree.find("body")
    return body if body is not None else tree


def strip_boilerplate(tree: HtmlElement, rules: SiteRules | None, *, page: int = 0,
                      fallback: bool = True, html: str | None = None) -> Stripped:
    """Main-text paragraphs of one parsed page (``tree`` is modified: dropped elements go).  ``html``, the
    source the tree was parsed from, lets generic mode skip searches the source shows are pointless."""
    audit: dict[str, dict[str, int]] = {}
    mode: Literal["profile", "generic"] = "generic"
    paras: list[Para] = []
    roots: list[HtmlElement] = []
    evidence: list[str] = []
    listing = False
    body = _body(tree)
    _count(audit, "hidden", drop_hidden(body, html))  # what no reader sees is no one's text, profile or not
    _count(audit, "chrome", drop_attachments(body, html))  # nor is the name of a file offered for download
    if rules is not None:
        _drop_elements(tree, rules.drop, audit)
        roots = select_first_rule(tree, rules.content)
        if roots:
            mode = "profile"
            paras = element_paragraphs(roots, page)
    if not roots and (rules is None or fallback):
        _count(audit, "comments", drop_replies(body, html, later_page=page > 0))
        main = find_main_text(body, page)
        paras, evidence = main.paras, main.evidence
        listing = looks_like_listing(main)
        if main.link_chars:
            entry = audit.setdefault("chrome", {"count": 0, "chars": 0})
            entry["count"] += 1
            entry["chars"] += main.link_chars
    elif not roots:
        mode = "profile"
    drop_lines = regexes(rules.drop_lines) if rules is not None else ()
    paras = strip_chrome_lines(cut_tail(paras), drop_lines)
    return Stripped(paras=tuple(paras), mode=mode, audit=audit, evidence=tuple(evidence), listing=listing)
