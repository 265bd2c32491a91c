"""Every span the cleaners removed from a record, in place and by kind, recomputed from the archived pages.

The catalog keeps only counts per kind (the record's ``audit``); a reader asking "why is this
paragraph missing?" needs the text itself where it stood.  :func:`annotate` runs the cleaners'
steps 1-6 (cleaners/pipeline.py) on the archived pages as ``cleaners.clean`` does, but keeps what
each step marked removed instead of dropping it, and diffs each paragraph before and after the
injected-ad step to find the cut spans inside it.  Elements the profile drops outright (share bars,
comment blocks) are first swapped for a placeholder paragraph, so they show where they stood.

It reuses the cleaners' own step functions and never reimplements one; a test checks that the
kept segments are exactly the record's text, so a change in the cleaners that this view does not
follow fails the suite instead of showing a wrong picture.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml.html import HtmlElement

from cleaners.ads import ad_spans, remove_injected_ads
from cleaners.blocks import Para
from cleaners.boilerplate import strip_boilerplate
from cleaners.compilation import split_compilation
from cleaners.masks import find_masks
from cleaners.metadata import Facts, collect_facts, extract_metadata, find_speaker
from cleaners.parse import parse
from cleaners.selectors import regexes, select
from cleaners.stitch import drop_title_lines, stitch_pages
from cleaners.types import CleanOptions, Page, SiteRules

__all__ = ["Segment", "Block", "annotate", "KINDS"]

KINDS = {
    "chrome": "site chrome (navigation, bylines, share bars)",
    "comments": "comment block",
    "injected_ads": "injected ad",
    "markers": "hidden marker",
    "tail_blocks": "相关文章 tail (related links, pager)",
    "masks": "mask (masked name or number)",
    "title": "repeated title", "byline": "byline", "dateline": "dateline", "filler": "compilation filler",
}
"""Kinds a removal can have, with the words the record page's legend uses (others show their own name)."""

_TOKEN_RE = re.compile("\ue000([\ue100-\uf0ff])\ue001")
"""A dropped element's placeholder: private-use characters, which no cleaner pattern (ads, masks) matches."""
_MAX_DROPPED = 0xF0FF - 0xE100
_COMMENT_HINT = re.compile(r"comment|评论|留言|跟帖|网友", re.I)
_TAIL_HINT = re.compile(r"相关文章|相关阅读|推荐阅读|猜你喜欢|上一篇|下一篇")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str | None = None
    """None: kept in the record's text; else the kind of removal (or ``masks``)."""


@dataclass(frozen=True)
class Block:
    """One paragraph of the page as the cleaners saw it, split into kept and removed segments."""

    page: int
    tag: str
    segments: tuple[Segment, ...]

    @property
    def kind(self) -> str | None:
        """The removal kind when the whole paragraph went, else None."""
        kinds = {s.kind for s in self.segments}
        return next(iter(kinds)) if len(kinds) == 1 and None not in kinds else None


def _swap_dropped(tree: HtmlElement, rules: SiteRules | None, dropped: list[tuple[str, str]]) -> None:
    """Replace each element the profile drops by a placeholder paragraph (its text kept in ``dropped``)."""
    if rules is None or not rules.drop:
        return
    for el in select(tree, rules.drop):
        parent = el.getparent()
        if parent is None or el.tag in ("script", "style"):
            continue  # code, not text a reader would miss: strip_boilerplate drops it as usual
        text = " ".join(str(el.text_content()).split())
        if not text or len(dropped) >= _MAX_DROPPED:
            continue
        hint = f"{el.get('class', '')} {el.get('id', '')} {text[:20]}"
        kind = "comments" if _COMMENT_HINT.search(hint) else "tail_blocks" if _TAIL_HINT.search(text) else "chrome"
        dropped.append((kind, text))
        placeholder = el.makeelement("p", {})
        placeholder.text = f"\ue000{chr(0xE100 + len(dropped) - 1)}\ue001"
        placeholder.tail = el.tail
        parent.replace(el, placeholder)


def _masked(text: str, offset: int, masks: Sequence[tuple[int, int]]) -> list[Segment]:
    """``text`` (at ``offset`` of the paragraph's final text) split into kept runs and mask runs."""
    out, pos, end = [], offset, offset + len(text)
    for start, stop in masks:
        if stop <= pos or start >= end:
            continue
        if start > pos:
            out.append(Segment(text[pos - offset:start - offset]))
        out.append(Segment(text[max(start, pos) - offset:min(stop, end) - offset], "masks"))
        pos = min(stop, end)
    if pos < end:
        out.append(Segment(text[pos - offset:]))
    return out


def _cut_segments(before: Para, after: Para, patterns: Sequence[re.Pattern[str]]) -> list[Segment]:
    """Kept and cut parts of one paragraph: ``before`` the ad step, ``after`` it (masks marked on ``after``).

    The cuts are where the cleaners' own ``ad_spans`` puts them; when the step needed more than one
    pass or re-collapsed whitespace (the kept pieces do not join into ``after``), a character diff
    of the two texts places them instead.
    """
    masks = sorted((m.start, m.end) for m in after.masks)
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, kind in ad_spans(before.text, patterns) if after.cuts != before.cuts else ():
        pieces += [(before.text[pos:start], None), (before.text[start:end], kind)]
        pos = end
    pieces.append((before.text[pos:], None))
    if "".join(t for t, k in pieces if k is None) == after.text:
        out: list[Segment] = []
        offset = 0
        for text, cut in pieces:
            if cut is None:
                out += _masked(text, offset, masks)
                offset += len(text)
            elif text:
                out.append(Segment(text, cut))
        return out
    new_cuts = {kind for kind, _ in after.cuts[len(before.cuts):]}
    cut_kind = next(iter(new_cuts)) if len(new_cuts) == 1 else "injected_ads"
    out = []
    matcher = difflib.SequenceMatcher(None, before.text, after.text, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += _masked(after.text[j1:j2], j1, masks)
        elif op in ("delete", "replace") and before.text[i1:i2].strip():
            out.append(Segment(before.text[i1:i2], cut_kind))
    return out


def _untoken(segments: Sequence[Segment], dropped: list[tuple[str, str]]) -> tuple[Segment, ...]:
    """Placeholders back to the dropped element's text and kind (one may sit inside a paragraph)."""
    out: list[Segment] = []
    for seg in segments:
        pieces = _TOKEN_RE.split(seg.text)
        for i, piece in enumerate(pieces):
            if i % 2:
                kind, text = dropped[ord(piece) - 0xE100]
                out.append(Segment(text, kind))
            elif piece.strip() or (piece and len(pieces) == 1):
                out.append(Segment(piece, seg.kind))
    return tuple(out)


def _blocks(paras: Sequence[Para], before: dict[int, Para], dropped: list[tuple[str, str]],
            patterns: Sequence[re.Pattern[str]]) -> list[Block]:
    out = []
    for para in paras:
        if para.removed is not None:
            segments = [Segment(before.get(id(para), para).text, para.removed)]
        else:
            segments = _cut_segments(before.get(id(para), para), para, patterns)
        kept = _untoken(segments, dropped)
        if kept:
            out.append(Block(para.page, para.tag, kept))
    return out


def annotate(pages: Sequence[Page], rules: SiteRules | None, part: int | None = None,
             options: CleanOptions | None = None) -> list[Block]:
    """The paragraphs of the record (compilation part ``part``) with every removal, as ``cleaners.clean`` made them."""
    options = options or CleanOptions()
    facts = Facts()
    titles: list[str | None] = []
    streams: list[Sequence[Para]] = []
    evidence: list[str] = []
    dropped: list[tuple[str, str]] = []
    for number, page in enumerate(pages):
        tree = parse(page.html)
        if number == 0:
            facts = collect_facts(tree, rules)
            headline = find_speaker(facts.title)
            titles = [facts.title, headline[2] if headline else None]
        _swap_dropped(tree, rules, dropped)
        stripped = strip_boilerplate(tree, rules, page=number, fallback=options.generic_fallback)
        if number == 0:
            evidence.extend(stripped.evidence)
        streams.append(drop_title_lines(stripped.paras, titles))
    paras = stitch_pages(streams)
    chrome = evidence + [p.text for p in paras if p.removed == "chrome"]
    patterns = regexes(rules.ads) if rules is not None else ()
    cut = remove_injected_ads(paras, patterns)
    masked = find_masks(cut)
    # The ad and mask steps return one paragraph per paragraph, in order: pair each with its text before ads.
    before = {id(m): p for p, m in zip(paras, masked, strict=True)}
    sections = split_compilation(masked, force=rules.compilation if rules is not None else None,
                                 page_title=facts.title)
    section = next((s for s in sections if (s.part.index if s.part else None) == part), sections[0] if sections
                   else None)
    if section is None:
        return []
    _, body = extract_metadata(section.paras, facts, heading=section.heading, chrome=chrome)
    # Metadata extraction marks paragraphs removed (title, byline…) as new objects: map them back by position.
    originals = list(section.paras)
    for new in body:
        match = next((o for o in originals if o.text == new.text and o.page == new.page), None)
        if match is not None and id(match) in before:
            before[id(new)] = before[id(match)]
    return _blocks(body, before, dropped, patterns)
