"""Step 5: split a compilation page (篇一 … 篇十九) into its speeches.

范文 sites sell "…讲话(优秀19篇)": one page, many different speeches, each under a
heading that ends (or starts) with a label — 篇一, 篇1, 第一篇, 【篇一】.  A page
is a compilation when such labels form a run 1, 2, 3 … of at least two (a
profile may force or forbid it).  What precedes the first heading is the
compilation's own title and its SEO filler, never a speech.  Near-copy parts are
kept apart: deciding that two speeches are the same is the dedup step's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cleaners.blocks import Para, drop
from cleaners.patterns import (
    CN_DIGITS,
    COMPILATION_TITLE,
    FILLER,
    FILLER_WORDS,
    HEADING_MAX_CHARS,
    HEADINGS,
)
from cleaners.patterns import SENTENCE_END as _SENTENCE_END
from cleaners.types import Part

__all__ = ["Section", "parse_numeral", "heading_of", "split_compilation", "drop_leading_filler"]


@dataclass(frozen=True, slots=True)
class Section:
    """The paragraphs of one speech; ``part``/``heading`` are set for a compilation's parts."""

    paras: tuple[Para, ...]
    part: Part | None = None
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class _Heading:
    index: int
    number: int
    label: str
    title: str


def parse_numeral(text: str) -> int | None:
    """1 for "一"/"1", 19 for "十九", 21 for "二十一"; None for anything else."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


def heading_of(text: str) -> tuple[int, str, str] | None:
    """(number, label, title) when a paragraph is a part heading."""
    if len(text) > HEADING_MAX_CHARS or _SENTENCE_END.search(text):
        return None
    for pattern in HEADINGS:
        m = pattern.match(text)
        if m is None:
            continue
        number = parse_numeral(m.group("num"))
        if number is None:
            continue
        label = m.group("label").strip("【】[]()（） ")
        title = (m.group("title") or "").strip(" :：、_-") or (m.group("rest") or "").strip(" :：、_-")
        return number, label, title
    return None


def _chain(paras: Sequence[Para]) -> list[_Heading]:
    """The longest run of headings numbered 1, 2, 3 … in page order."""
    found = []
    for i, para in enumerate(paras):
        if para.removed is None:
            head = heading_of(para.text)
            if head is not None:
                found.append(_Heading(i, *head))
    best: list[_Heading] = []
    for k, first in enumerate(found):
        if first.number != 1:
            continue
        chain = [first]
        for h in found[k + 1:]:
            if h.number == chain[-1].number + 1:
                chain.append(h)
        if len(chain) > len(best):
            best = chain
    return best


def _is_filler(para: Para) -> bool:
    if FILLER.search(para.text):
        return True
    had_ad = any(kind == "injected_ads" for kind, _ in para.cuts)
    return had_ad and bool(FILLER_WORDS.search(para.text))


def drop_leading_filler(paras: Sequence[Para]) -> list[Para]:
    """Remove the SEO filler ("在日常学习、工作或生活中，大家总少不了接触讲话稿吧…") opening a text.

    Only a leading run of filler paragraphs goes, up to the first real one: that keeps
    speech paragraphs that merely mention 范文 safe, and makes the step idempotent.
    """
    out = list(paras)
    for i, para in enumerate(out):
        if para.removed is not None:
            continue
        if not _is_filler(para):
            break
        out[i] = drop(para, "filler")
    return out


def split_compilation(paras: Sequence[Para], *, force: bool | None, page_title: str | None) -> list[Section]:
    """One section per speech.  ``force``: True/False from a profile, None to detect."""
    chain = [] if force is False else _chain(paras)
    if len(chain) < (1 if force else 2):
        return [Section(paras=tuple(drop_leading_filler(paras)))]
    fallback_title = COMPILATION_TITLE.sub("", page_title).strip() if page_title else None
    preamble = [p if p.removed else drop(p, "filler") for p in paras[:chain[0].index]]
    sections = []
    for n, head in enumerate(chain):
        end = chain[n + 1].index if n + 1 < len(chain) else len(paras)
        body = drop_leading_filler(paras[head.index + 1:end])
        if n == 0:
            body = preamble + body
        part = Part(index=head.number, count=len(chain), label=head.label)
        sections.append(Section(paras=tuple(body), part=part, heading=head.title or fallback_title))
    return sections
