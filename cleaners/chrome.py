"""Step 2b: chrome lines and tail blocks inside the content, by their wording.

Content selectors (or main-content detection) still leave site furniture that
lives in the same element as the speech: breadcrumbs, byline bars, banners,
pagination bars, "scan to read on your phone" and, at the end, related-article
lists and comment widgets.  Whole paragraphs are recognised here; nothing is
ever cut from inside a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleaners.blocks import Para, drop
from cleaners.patterns import (
    ATTACHMENT_LINE,
    BREADCRUMB_SEP,
    BREADCRUMB_START,
    BYLINE_STAMP,
    BYLINE_TOKEN,
    CHROME_LINE_ANYWHERE,
    CHROME_LINE_START,
    EDITOR_NOTE,
    EDITOR_NOTE_MAX_CHARS,
    NUMBER_LINE,
    ORDINAL,
    PAGINATION_LINE,
    PAGINATION_WORD,
    PROMO_LINE,
    PROMO_MAX_CHARS,
    SENTENCE_END,
    SOURCE_LINE,
    TAIL_LONG_START,
    TAIL_MAX_LINE,
    TAIL_MIN_POSITION,
    TAIL_START,
    WIDGET_LINE,
    WIDGET_MAX_CHARS,
)

__all__ = ["chrome_kind", "strip_chrome_lines", "cut_tail"]

_MAX_CHROME_CHARS = 200
_SENTENCE_BYLINE_TOKENS = 3
_DECORATION = "·•●■□◆◇▶►>»›|｜【[（(〖"
"""Bullets and brackets a widget heading may start with (【相关文章】, ·网友评论, » 相关推荐)."""


def chrome_kind(text: str) -> str | None:
    """``"chrome"`` when a paragraph is site furniture, else None."""
    if len(text) <= EDITOR_NOTE_MAX_CHARS and EDITOR_NOTE.match(text):
        return "chrome"
    if len(text) > _MAX_CHROME_CHARS:
        return None  # every other chrome shape is short; most speech paragraphs stop here
    if len(text) <= 120 and BREADCRUMB_START.match(text):
        return "chrome"
    if len(text) <= 120 and len(BREADCRUMB_SEP.findall(text)) >= 2 and not SENTENCE_END.search(text) \
            and "，" not in text:
        return "chrome"
    if _is_byline(text):
        return "chrome"
    if len(text) <= 120:
        if SOURCE_LINE.match(text) or CHROME_LINE_START.match(text) or CHROME_LINE_ANYWHERE.search(text):
            return "chrome"
        if text.startswith(("附件", "相关附件", "下载附件")) and ATTACHMENT_LINE.match(text):
            return "chrome"
        if PAGINATION_WORD.search(text) and PAGINATION_LINE.match(text):
            return "chrome"
    if len(text) <= WIDGET_MAX_CHARS and WIDGET_LINE.match(text):
        return "chrome"
    if len(text) <= PROMO_MAX_CHARS and PROMO_LINE.search(text):
        return "chrome"
    return None


def _is_byline(text: str) -> bool:
    """Two or more byline tokens (作者:, 来源:, 阅读 次, 【收藏 …), a date/time counting once."""
    if BYLINE_TOKEN.search(text) is None:
        return False
    if ORDINAL.match(text):
        return False  # "二、报名时间：2020年7月6日至…": an item of the text, not a byline bar
    tokens = len(BYLINE_TOKEN.findall(text))
    if tokens < _SENTENCE_BYLINE_TOKENS and text.endswith("。"):
        return False  # "公示时间：2021年6月21日至6月27日。" is a sentence; a byline bar rarely ends like one
    if len(SENTENCE_END.findall(text)) > 1:
        return False
    return tokens + (1 if BYLINE_STAMP.search(text) else 0) >= 2


def strip_chrome_lines(paras: Sequence[Para], drop_lines: Sequence[re.Pattern[str]] = ()) -> list[Para]:
    """Mark chrome paragraphs removed (profile ``drop_lines`` first, then the generic rules)."""
    out = []
    for para in paras:
        if para.removed is None and (any(p.search(para.text) for p in drop_lines) or chrome_kind(para.text)):
            para = drop(para, "chrome")
        out.append(para)
    return out


def _is_tail_start(text: str) -> bool:
    if " " in text:
        if len(text) <= TAIL_MAX_LINE and any(_opens_tail(part) for part in text.split(" ")[1:]):
            return True  # a toolbar row read as one line: 发送给朋友 发表评论 打印本文
        text = "".join(text.split())
    return _opens_tail(text)


def _opens_tail(text: str) -> bool:
    if not text:
        return False
    if TAIL_LONG_START.match(text):
        return True
    m = TAIL_START.match(text)
    if m is None and text[:1] in _DECORATION:
        text = text.strip(_DECORATION)
        m = TAIL_START.match(text)
    return m is not None and len(text) - len(m.group(1) or "") <= TAIL_MAX_LINE


def cut_tail(paras: Sequence[Para]) -> list[Para]:
    """Drop everything from the first tail marker on, as ``tail_blocks``.

    A marker in the first 30% of the text is more likely a stray line (a sidebar
    heading that main-content detection let in) than the start of the tail, so only
    that line goes.  Bare numbers right before the tail (view counters) go with it.
    """
    out = list(paras)
    total = sum(len(p.text) for p in out if p.removed is None) or 1
    seen = 0
    for i, para in enumerate(out):
        if para.removed is not None:
            continue
        if _is_tail_start(para.text):
            if seen / total < TAIL_MIN_POSITION:
                out[i] = drop(para, "chrome")
                continue
            start = i
            while start > 0 and (out[start - 1].removed is not None or NUMBER_LINE.match(out[start - 1].text)):
                if out[start - 1].removed is None:
                    out[start - 1] = drop(out[start - 1], "tail_blocks")
                start -= 1
            for j in range(i, len(out)):
                if out[j].removed is None:
                    out[j] = drop(out[j], "tail_blocks")
            break
        seen += len(para.text)
    return out
