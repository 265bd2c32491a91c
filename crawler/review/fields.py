"""Where each metadata field of a record came from, found again on the archived first page.

The cleaners do not record the origin of a value; the review page answers the question by
looking where the value can be read: the profile's selector for that field, the page's
``<title>``, the headline, the speech text, or nowhere as such (derived, e.g. a date normalised
from 二〇二一年四月). A label, not a proof: it says where a reader can see the value on the page.
"""

from __future__ import annotations

from typing import Any

from cleaners.parse import parse
from cleaners.selectors import select
from cleaners.types import SiteRules

__all__ = ["FIELDS", "field_sources"]

FIELDS = ("title", "speaker", "speaker_title", "occasion", "date", "source")
_SELECTOR_OF = {"title": "title", "date": "date", "source": "source"}


def _squash(text: str) -> str:
    return "".join(text.split())


def field_sources(html: str | None, record: dict[str, Any], rules: SiteRules | None) -> dict[str, str]:
    """Field -> where its value is found (empty fields: "not found on the page")."""
    tree = parse(html) if html else None
    page_title = _squash(str(tree.findtext(".//title") or "")) if tree is not None else ""
    headings = [_squash(str(h.text_content())) for h in tree.iter("h1", "h2")] if tree is not None else []
    text = _squash(str(record.get("text") or ""))
    out = {}
    for name in FIELDS:
        value = _squash(str(record.get(name) or ""))
        if not value:
            out[name] = "not found on the page"
            continue
        selectors = getattr(rules, _SELECTOR_OF[name], ()) if rules is not None and name in _SELECTOR_OF else ()
        if tree is not None and selectors and any(value in _squash(str(el.text_content()))
                                                  for el in select(tree, tuple(selectors))):
            out[name] = f"profile selector article.{name} = {', '.join(selectors)}"
        elif any(value in h for h in headings):
            out[name] = "the page's headline (h1/h2)"
        elif value in page_title:
            out[name] = "the page's <title>"
        elif value in text[:400]:
            out[name] = "the opening of the speech text"
        elif tree is not None and value in _squash(str(tree.text_content())):
            out[name] = "the page, outside the main text"
        else:
            out[name] = "derived by the cleaners (normalised, not verbatim on the page)"
    return out
