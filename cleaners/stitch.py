"""Joining the pages of one article into one paragraph stream.

Every page of a paginated article repeats the headline (often with "(第2/3页)"),
the byline and sometimes a pagination bar; a paragraph may also be cut at the
page break.  Repeats at the joins are removed (kind ``stitch``), and a paragraph
that a page break cut in two is made whole again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cleaners.blocks import Para, drop
from cleaners.patterns import strip_pagination

__all__ = ["title_key", "drop_title_lines", "stitch_pages"]

_EDGE_LINES = 5
"""How many lines at a page's start or end can be a repeat of the first page's."""
_CLOSED = frozenset("。！？!?”’」』…）)：:；;")


def title_key(text: str) -> str:
    """A line's identity for repeat detection: no spaces, no pagination suffix."""
    return "".join(strip_pagination(text).split())


def drop_title_lines(paras: Sequence[Para], titles: Sequence[str | None]) -> list[Para]:
    """The headline repeated at the top of the content belongs to metadata, not to the text."""
    out = list(paras)
    keys = {title_key(t) for t in titles if t}
    if not keys:
        return out
    seen = 0
    for i, para in enumerate(out):
        if para.removed is not None:
            continue
        seen += 1
        if seen > 3:
            break
        if title_key(para.text) in keys:
            out[i] = drop(para, "title")
    return out


def _edge_indices(paras: Sequence[Para], from_end: bool) -> list[int]:
    indices = [i for i, p in enumerate(paras) if p.removed is None]
    return (indices[::-1] if from_end else indices)[:_EDGE_LINES]


def stitch_pages(pages: Sequence[Sequence[Para]]) -> list[Para]:
    """One paragraph list for the whole article, page repeats removed."""
    if not pages:
        return []
    first = list(pages[0])
    heads = {title_key(first[i].text) for i in _edge_indices(first, False)}
    heads |= {title_key(p.text) for p in first if p.removed is not None}
    tails = {title_key(first[i].text) for i in _edge_indices(first, True)}
    out = first
    for page in pages[1:]:
        current = list(page)
        for i in _edge_indices(current, False):
            if title_key(current[i].text) not in heads:
                break
            current[i] = drop(current[i], "stitch")
        for i in _edge_indices(current, True):
            if title_key(current[i].text) not in tails:
                break
            current[i] = drop(current[i], "stitch")
        _mend(out, current)
        out.extend(current)
    return out


def _mend(before: list[Para], after: list[Para]) -> None:
    """Rejoin a paragraph cut by the page break (previous page ends mid-sentence)."""
    last = next((i for i in range(len(before) - 1, -1, -1) if before[i].removed is None), None)
    nxt = next((i for i, p in enumerate(after) if p.removed is None), None)
    if last is None or nxt is None:
        return
    tail, head = before[last], after[nxt]
    if tail.heading or head.heading or tail.text[-1] in _CLOSED:
        return
    before[last] = replace(tail, text=tail.text + head.text)
    del after[nxt]
