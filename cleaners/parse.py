"""Step 1: parse HTML text into an lxml tree, whatever state the page is in.

Archived pages are truncated mid-tag, carry NUL bytes, XML declarations inside
decoded text, or are tens of megabytes of junk.  None of that may stop a crawl, so
this step never raises: it repairs what libxml2 will not take and returns an empty
document when nothing is left.

libxml2 gives up on nesting deeper than a few thousand elements (an unclosed ``<font>`` or
``<div>`` on every line of an old page does that) and returns a document without the text.
Such a page is parsed again by BeautifulSoup's own parser, which has no depth limit, into a
flat document of one paragraph per line of text: the structure is lost, the text is not.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
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

__all__ = ["parse", "read_html", "Parsed", "MAX_HTML_CHARS"]

_LOST_TEXT_PROBE = 200
"""Characters of text a parsed page must show before the parse is trusted (checked lazily)."""
_TEXT_RUN = re.compile(r">([^<>]+)<")
"""Text between two tags of the raw markup."""

MAX_HTML_CHARS = 8_000_000
"""Longer input is cut: no speech page is that big, and the parser's time grows with it."""

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""``CONTROL_CHARS`` as UTF-8 bytes: each is one byte there, and no byte of a longer sequence is one of them."""
_PARSER = HTMLParser(remove_comments=True, remove_pis=True, remove_blank_text=False, recover=True,
                     huge_tree=True, no_network=True, collect_ids=False)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
"""Every element is a plain ``HtmlElement``: lxml.html's default lookup picks form/input/label classes
in Python for every element the cleaners touch (a tenth of generic cleaning); none of them is used here."""


def _empty() -> HtmlElement:
    doc: HtmlElement = document_fromstring("<html><body></body></html>", parser=_PARSER)
    return doc


def parse(html: str) -> HtmlElement:
    """The document root of ``html`` (an empty document when nothing parses)."""
    return read_html(html).tree


@dataclass(frozen=True)
class Parsed:
    """A page's tree, and why it is empty when its markup was not."""

    tree: HtmlElement
    unreadable: str | None = None
    """Set when markup holding text gave no tree to read (libxml2 and BeautifulSoup both failed): the
    page then yields nothing, and the crawl lists it as a failure with this reason rather than as a
    page without a speech."""


def read_html(html: str) -> Parsed:
    """:func:`parse`, saying why a page that holds text could not be read."""
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    # libxml2 refuses str input that declares an encoding, and NUL/control bytes.
    html = _XML_DECLARATION.sub("", html, count=1)
    # Lone surrogates (from lenient decoders) cannot be encoded for libxml2 either.  One scan finds out
    # whether there is anything to repair (most pages have nothing): the surrogate round trip copies the
    # page twice, and a page of 200,000 links is 13 MB of text (issue 23, item 10).
    if _needs_repair(html):
        html = CONTROL_CHARS.sub("", html)
        if _SURROGATE.search(html):
            html = html.encode("utf-8", "replace").decode("utf-8")
    if not html or html.isspace():  # not html.strip(): that copies the page
        return Parsed(_empty())
    try:
        doc: HtmlElement = document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        return Parsed(_empty(), f"libxml2 could not parse it ({exc})" if _holds_text(html) else None)
    if _too_deep() or _text_was_lost(doc, html):
        return _flat_document(html)
    return Parsed(doc)


def _needs_repair(html: str) -> bool:
    """Whether ``html`` holds a ``CONTROL_CHARS`` character or a lone surrogate.  Encoding to UTF-8 fails on the
    surrogate, and deleting the control bytes from the encoding shortens it: two passes in C at a byte or a
    character a step, half the time of a regular expression's character class tried at every position."""
    try:
        raw = html.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return len(raw.translate(None, _CONTROL_BYTES)) != len(raw)


def _too_deep() -> bool:
    """libxml2 stopped at its nesting limit (2048 with huge_tree): the text below it is gone from the tree.

    It says so in its error log; the text probe of :func:`_text_was_lost` alone misses it when the
    first few hundred characters sit above the limit (an unclosed ``<font>`` on every line).
    """
    last = _PARSER.error_log.last_error
    return last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT


def _holds_text(html: str) -> bool:
    return _text_chars((m.group(1) for m in _TEXT_RUN.finditer(html)), 1) > 0


def _text_chars(texts: object, limit: int) -> int:
    """Non-space characters among the first pieces of text, counting up to ``limit`` only."""
    total = 0
    for piece in texts:  # type: ignore[attr-defined]
        total += len("".join(str(piece).split()))
        if total >= limit:
            break
    return total


def _text_was_lost(doc: HtmlElement, html: str) -> bool:
    """The tree shows (almost) no text although the markup holds plenty: libxml2 gave up."""
    shown = _text_chars(doc.itertext(), _LOST_TEXT_PROBE)
    if shown >= _LOST_TEXT_PROBE:
        return False  # the usual case, decided after reading a few hundred characters
    in_markup = _text_chars((m.group(1) for m in _TEXT_RUN.finditer(html)), 2 * _LOST_TEXT_PROBE)
    return in_markup > 2 * shown + 50


def _flat_document(html: str) -> Parsed:
    """Title and text of ``html`` as read by BeautifulSoup, one ``<p>`` per line of text."""
    try:
        soup = BeautifulSoup(html, "html.parser")
        for hidden in soup.find_all(["script", "style", "noscript", "template"]):
            hidden.decompose()
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        if soup.title:
            soup.title.decompose()
        text = soup.get_text("\n")
    except RecursionError:
        return Parsed(_empty(), "nested deeper than libxml2 reads, and too deep for BeautifulSoup as well")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    body = "".join(f"<p>{html_lib.escape(line)}</p>" for line in lines if line)
    flat: HtmlElement = document_fromstring(f"<html><head><title>{html_lib.escape(title)}</title></head>"
                                            f"<body><div>{body}</div></body></html>", parser=_PARSER)
    return Parsed(flat)
