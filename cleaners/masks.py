"""Step 4: find the masks sites put where a name or a number was (******, X, ××, 20xx, __).

Template sites blank out leaders' names (以******同志为核心), places (X区, ××市),
figures (增长X%, **.x%) and years (20xx年) so that one speech can be resold for
any city.  A mask is recorded with its original string; how it appears in the
text (stripped, kept, replaced by a placeholder) is decided when the record is
rendered (cleaners.render).  Real text must survive: Latin words (Excel, Xi,
X-Man), figures (x86, 3×3, 4x4), X光, 5G.  The rules are spelled out in
docs/masks.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from cleaners.blocks import Para, Span
from cleaners.patterns import (
    FORM_BLANK,
    FORM_BLANK_MIN_CHARS,
    FORM_MIN_BLANKS,
    LATIN_X_WORDS,
    MASK,
    MASK_CHARS,
    MASK_MIN_WORDLIKE,
    MASK_STARS,
    MASKED_G,
)

__all__ = ["mask_spans", "is_form", "find_masks"]

_ASCII_LETTER = re.compile(r"[A-Za-z]")
_PERCENT = frozenset("%％‰")
_X = "xXＸｘⅹⅩ"


def _is_letter(ch: str) -> bool:
    return bool(ch) and _ASCII_LETTER.match(ch) is not None


def _is_alnum(ch: str) -> bool:
    return _is_letter(ch) or (bool(ch) and ch.isascii() and ch.isdigit())


def _near_digit(text: str, pos: int, step: int) -> bool:
    """Whether the nearest non-space character from ``pos`` in direction ``step`` is a digit."""
    while 0 <= pos < len(text) and text[pos] == " ":
        pos += step
    return 0 <= pos < len(text) and text[pos].isdigit()


def _star_run(text: str, start: int, end: int) -> tuple[int, int]:
    """A run with stars is a mask; x's at its edges only when they do not touch a word."""
    while start < end and text[start] in _X and _is_letter(text[start - 1] if start else ""):
        start += 1
    while end > start and text[end - 1] in _X and _is_alnum(text[end] if end < len(text) else ""):
        end -= 1
    return start, end


def _x_run_is_mask(text: str, start: int, end: int) -> bool:
    """Whether a run of x's (maybe x.x) stands for a hidden name or figure."""
    letters = end - start - text.count(".", start, end) - text.count("．", start, end)
    prev = text[start - 1] if start else ""
    nxt = text[end] if end < len(text) else ""
    if _is_letter(prev) and not (prev.islower() and text[start].isupper() and nxt in _PERCENT):
        return False  # part of a word (Excel, maX, SpaceX); but gdpX% is a masked figure after a word
    if letters == 1 and prev == " " and _is_letter(text[start - 2] if start >= 2 else ""):
        return False  # a model name after a Latin word: iPhone X, Mac OS X
    if prev.isdigit() and letters < 2:
        return False  # a product like 4x4
    if _is_alnum(nxt) and letters < MASK_MIN_WORDLIKE and not MASKED_G.match(text, end):
        return False  # x86, Xi, XL
    return not LATIN_X_WORDS.match(text, end)


def mask_spans(text: str, form: bool = False) -> list[Span]:
    """Every mask in one paragraph, in order.  On a ``form`` (a worksheet, a questionnaire) runs of
    underscores are blanks to fill in, not masks; a run as long as a writing line always is."""
    out: list[Span] = []
    if MASK_CHARS.search(text) is None:
        return out
    for m in MASK.finditer(text):
        kind = m.lastgroup or "mask"
        start, end = m.start(), m.end()
        if kind == "run":
            if any(ch in MASK_STARS for ch in m.group()):
                start, end = _star_run(text, start, end)
                kind = "asterisk"
            elif _x_run_is_mask(text, start, end):
                kind = "latin"
            else:
                continue
        elif kind == "cross" and _near_digit(text, start - 1, -1) and _near_digit(text, end, 1):
            continue  # 3×3 is multiplication
        elif kind == "blank" and (form or end - start >= FORM_BLANK_MIN_CHARS):
            continue  # a blank to fill in: the page's own text
        if end > start:
            out.append(Span(start, end, kind))
    return out


def is_form(paras: Sequence[Para]) -> bool:
    """Whether the text is a form or worksheet: several runs of three or more underscores (a masked name
    is two: ``十八届__精神``; a worksheet has a blank in every question, a form in every field)."""
    runs = 0
    for p in paras:
        if p.removed is None and ("_" in p.text or "＿" in p.text):
            runs += len(FORM_BLANK.findall(p.text))
    return runs >= FORM_MIN_BLANKS


def find_masks(paras: Sequence[Para]) -> list[Para]:
    """Paragraphs annotated with their mask spans (text unchanged)."""
    form = is_form(paras)
    out = []
    for para in paras:
        if para.removed is None:
            spans = mask_spans(para.text, form)
            if spans or form:
                para = replace(para, masks=tuple(spans), form=form)
        out.append(para)
    return out
