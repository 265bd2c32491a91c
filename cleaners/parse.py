"""Step 1: parse HTML text into an lxml tree, whatever state the page is in.

Archived pages are truncated mid-tag, carry NUL bytes, XML declarations inside
decoded text, or are tens of megabytes of junk.  None of that may stop a crawl, so
this step never raises: it repairs what libxml2 will not take and returns an empty
document when nothing is left.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
)

from cleaners.patterns import CONTROL_CHARS

__all__ = ["parse", "MAX_HTML_CHARS"]

MAX_HTML_CHARS = 8_000_000
"""Longer input is cut: no speech page is that big, and the parser's time grows with it."""

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_PARSER = HTMLParser(remove_comments=True, remove_pis=True, remove_blank_text=False, recover=True,
                     huge_tree=False, no_network=True, collect_ids=False)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
"""Every element is a plain ``HtmlElement``: lxml.html's default lookup picks form/input/label classes
in Python for every element the cleaners touch (a tenth of generic cleaning); none of them is used here."""


def _empty() -> HtmlElement:
    doc: HtmlElement = document_fromstring("<html><body></body></html>", parser=_PARSER)
    return doc


def parse(html: str) -> HtmlElement:
    """The document root of ``html`` (an empty document when nothing parses)."""
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    # libxml2 refuses str input that declares an encoding, and NUL/control bytes.
    html = _XML_DECLARATION.sub("", html, count=1)
    html = CONTROL_CHARS.sub("", html)
    # Lone surrogates (from lenient decoders) cannot be encoded for libxml2.
    html = html.encode("utf-8", "replace").decode("utf-8")
    if not html.strip():
        return _empty()
    try:
        doc: HtmlElement = document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return _empty()
    return doc
