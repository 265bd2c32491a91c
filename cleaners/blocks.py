"""Paragraphs: the unit every text-level step works on, and how elements become them.

A removed paragraph is not thrown away but kept with the kind of its removal, so
that the compilation step can attribute every removal to the speech it came from
and the audit stays exact.  Cuts inside a paragraph (an ad sentence, a marker) are
recorded on the paragraph that lost them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from lxml import etree
from lxml.html import HtmlElement

from cleaners.patterns import BLOCK_TAGS, HEADING_TAGS, INVISIBLE, SKIP_TAGS

__all__ = ["Span", "Para", "normalize", "data_row", "element_paragraphs", "kept", "drop", "tally"]

_CELL_TAGS = frozenset({"td", "th"})
_CELL_WRAPPERS = frozenset({"p", "div", "center"})
ROW_CELL_MAX_CHARS = 200
"""A cell longer than this is a text block of its own, not a field of a row."""


@dataclass(frozen=True, slots=True)
class Span:
    """A mask found in a paragraph: ``text[start:end]`` is the masked run."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    tag: str = "p"
    page: int = 0
    removed: str | None = None
    """Kind of removal when the whole paragraph was dropped (``chrome``, ``tail_blocks`` …)."""
    cuts: tuple[tuple[str, int], ...] = ()
    """(kind, chars) cut from inside this paragraph."""
    masks: tuple[Span, ...] = ()
    form: bool = False
    """The page is a form or worksheet: its runs of underscores are blanks to fill in, kept as text."""

    @property
    def heading(self) -> bool:
        return self.tag in HEADING_TAGS


def text_of(el: HtmlElement) -> str:
    """``el.text_content()``: every text under ``el`` (not its tail), as libxml2's text serializer writes it.
    lxml's ``text_content`` evaluates an XPath ``string()``, set up anew for every call: three times as slow
    on a heading or a link, and the cleaners read thousands a page (tests/test_cleaners_parse.py checks the
    two agree on every element of the saved pages)."""
    text: str = etree.tostring(el, method="text", encoding=str, with_tail=False)
    return text


def normalize(text: str) -> str:
    """One space for every whitespace run (ideographic and no-break spaces included), none at
    the ends, no invisible characters (zero-width spaces, soft hyphens, BOMs)."""
    if INVISIBLE.search(text) is not None:
        text = INVISIBLE.sub("", text)
    return " ".join(text.split())


def kept(paras: Iterable[Para]) -> list[Para]:
    return [p for p in paras if p.removed is None]


def drop(para: Para, kind: str) -> Para:
    return replace(para, removed=kind)


def tally(paras: Iterable[Para], audit: dict[str, dict[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """Audit counts of every removal recorded on ``paras`` (added to ``audit`` when given)."""
    out = audit if audit is not None else {}
    for para in paras:
        if para.removed is not None:
            _add(out, para.removed, len(para.text))
        for kind, chars in para.cuts:
            _add(out, kind, chars)
        if para.removed is None:
            for span in para.masks:
                _add(out, "masks", span.end - span.start)
    return out


def _add(audit: dict[str, dict[str, int]], kind: str, chars: int) -> None:
    entry = audit.setdefault(kind, {"count": 0, "chars": 0})
    entry["count"] += 1
    entry["chars"] += chars


def _simple_cell(cell: HtmlElement) -> bool:
    """A cell whose text is one line: inline markup, at most one wrapping block (Word's ``<p class=MsoNormal>``)."""
    wrappers = 0
    for el in cell.iterdescendants():
        tag = el.tag
        if not isinstance(tag, str) or tag not in BLOCK_TAGS:
            continue
        if tag not in _CELL_WRAPPERS:
            return False
        wrappers += 1
        if wrappers > 1:
            return False
    return len(text_of(cell)) <= ROW_CELL_MAX_CHARS


def data_row(el: HtmlElement) -> bool:
    """A ``<tr>`` of two or more simple cells: read as one line, its cells separated by a space, as a
    reader reads a row of a data table (a layout row holds blocks and is read block by block)."""
    if el.tag != "tr":
        return False
    cells = [c for c in el if isinstance(c.tag, str) and c.tag in _CELL_TAGS]
    return len(cells) >= 2 and all(_simple_cell(c) for c in cells)


def _block_tag(el: HtmlElement) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) and tag in BLOCK_TAGS else None


def element_paragraphs(roots: Iterable[HtmlElement], page: int = 0) -> list[Para]:
    """Text of ``roots`` split into paragraphs at block boundaries and ``<br>``.

    The walk is iterative (``iterwalk``) so that pathologically deep markup cannot
    exhaust the Python stack.
    """
    out: list[Para] = []
    buf: list[str] = []
    tag_of_buf = ["p"]
    row: list[HtmlElement] = []
    """The data row being read (its cells make one line)."""

    def flush() -> None:
        if buf:
            text = normalize("".join(buf))
            buf.clear()
            if text:
                out.append(Para(text=text, tag=tag_of_buf[0], page=page))
        tag_of_buf[0] = "p"

    for root in roots:
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, el in walker:
            tag = el.tag
            if not isinstance(tag, str):  # comments and processing instructions
                if event == "end" and el.tail:
                    buf.append(el.tail)
                continue
            if event == "start":
                if tag in SKIP_TAGS:
                    walker.skip_subtree()
                    if el.tail:
                        buf.append(el.tail)
                    continue
                if row:
                    if tag in _CELL_TAGS:
                        buf.append(" ")
                elif _block_tag(el):
                    flush()
                    if tag in HEADING_TAGS:
                        tag_of_buf[0] = tag
                    if tag == "tr" and data_row(el):
                        row.append(el)
                if el.text:
                    buf.append(el.text)
            else:
                if tag in SKIP_TAGS:
                    continue
                if row and el is row[0]:
                    row.clear()
                if not row and _block_tag(el):
                    if tag in HEADING_TAGS:
                        tag_of_buf[0] = tag
                    flush()
                if el.tail and el is not root:
                    buf.append(el.tail)
        flush()
    return out
