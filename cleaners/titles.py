"""The article title of a page without a profile.

On template sites ``<h1>`` is as often the site logo as the headline, and
``<title>`` carries the site name and the column ("…_范文学习_文秘家园").  The
headline is therefore the heading that the ``<title>`` confirms (a heading that is only a
later segment of ``<title>`` is the site's, blog's or column's name); failing that ``og:title``,
the first segment of ``<title>``, or the first ``<h1>``.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from cleaners.blocks import normalize, text_of
from cleaners.patterns import TITLE_CLASS, TITLE_SEPARATORS, strip_pagination

__all__ = ["page_title", "title_segment"]

_MIN_TITLE = 4
_MAX_TITLE = 120


def title_segment(text: str) -> str:
    """First meaningful segment of a ``<title>``: the part before the site and column names."""
    text = strip_pagination(normalize(text))
    parts = [p for p in TITLE_SEPARATORS.split(text) if p.strip()]
    if not parts:
        return text
    return max(parts[:2], key=len) if len(parts[0]) < _MIN_TITLE else parts[0].strip()


def _headings(tree: HtmlElement) -> list[str]:
    """h1–h3 texts, then elements named like a title box (div.arc-tit, p.article-title): many
    templates show the headline in a styled div, with no heading tag at all."""
    out = []
    for tag in ("h1", "h2", "h3"):
        for el in tree.iter(tag):
            text = normalize(text_of(el))
            if _MIN_TITLE <= len(text) <= _MAX_TITLE:
                out.append(text)
    for el in tree.iter("div", "p", "span", "td", "strong"):
        cls, ident = el.get("class"), el.get("id")
        if (cls or ident) and TITLE_CLASS.search(f"{cls or ''} {ident or ''}"):  # most elements have no name
            text = normalize(text_of(el))
            if _MIN_TITLE <= len(text) <= _MAX_TITLE:
                out.append(text)
    return out


def page_title(tree: HtmlElement) -> str | None:
    """Best guess at the headline (see module docstring); None when the page has none."""
    raw = normalize(str(tree.findtext(".//title") or ""))
    og = next((str(m.get("content") or "") for m in tree.iter("meta") if m.get("property") == "og:title"), "")
    headings = _headings(tree)
    segment = title_segment(raw) if raw else ""
    reference = strip_pagination(raw)
    if reference:
        later = [p.strip() for p in TITLE_SEPARATORS.split(reference) if p.strip()][1:]
        confirmed = [h for h in headings if strip_pagination(h) in reference
                     and not (h in later and h not in segment)]  # a blog's or column's name, not the headline
        if confirmed:
            return max(confirmed, key=len)
    for candidate in (normalize(og), segment, headings[0] if headings else ""):
        if len(candidate) >= 2:
            return candidate
    return None
