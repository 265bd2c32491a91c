"""Step 3: cut the ad sentences that 范文/文档 sites inject into the speech itself.

These sites splice a sentence such as "下面是众鑫文档网小编给大家带来的…，希望大家
喜欢。" into a real paragraph, sometimes truncated at the paragraph's end, and glue
paywall markers ("当前隐藏内容免费查看") to the text that follows.  Only the
injected words go; the speech text around them stays.  A paragraph that was
nothing but an ad is removed whole.

The rules describe the sentence's *shape*, not any site's wording: 小编 anywhere;
an opener (下面是/以下是/本文是/以上就是) followed by someone curating for the reader
(为大家整理/为您推荐/给大家带来) about a text or with a courtesy; or a courtesy
(供你参考/希望对你有帮助/欢迎阅读) closing a sentence that offers a 讲话稿/范文/N篇.
Held-out pages in tests/fixtures (the ``set`` cases of gold.json) keep them honest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from cleaners.blocks import Para, drop, normalize
from cleaners.chrome import chrome_kind
from cleaners.patterns import (
    AD_CONFIRM,
    AD_COURTESY,
    AD_CURATE,
    AD_FOLLOW,
    AD_GENRE,
    AD_OPENER,
    AD_OPENER_REACH,
    AD_PREFILTER,
    AD_TRIGGER,
    HIDDEN_MARKERS,
)

__all__ = ["ad_spans", "remove_injected_ads"]

_SENTENCE_END = re.compile(r"[。！？!?]")
_MAX_PASSES = 3


def _sentence_start(text: str, pos: int) -> int:
    """Start of the sentence holding ``pos``, or of an opener (下面是…) closer to it."""
    floor = max(0, pos - AD_OPENER_REACH)
    window = text[floor:pos]
    last_end = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
    opener = None
    for m in AD_OPENER.finditer(window, last_end):
        opener = m
    if opener is not None:
        return floor + opener.start()
    if last_end:
        return floor + last_end
    # No boundary in reach: the sentence began further back; search the whole prefix.
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    return before[-1] if before else 0


def _clause_start(text: str, pos: int) -> int:
    """Start of the sales sentence closing at ``pos``: its opener (下面是…) when it has one, even far
    back behind a long title, so that a real clause before it in the same sentence survives."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    start = before[-1] if before else 0
    openers = [m.start() for m in AD_OPENER.finditer(text, start, pos)]
    return openers[-1] if openers else start


def _sentence_end(text: str, pos: int) -> int:
    """End of the sentence running at ``pos`` (the paragraph's end for a truncated ad)."""
    end_match = _SENTENCE_END.search(text, pos)
    return end_match.end() if end_match else len(text)


def ad_spans(text: str, site_patterns: Sequence[re.Pattern[str]] = ()) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every injected span in ``text``, merged and in order."""
    spans: list[tuple[int, int, str]] = []
    for pattern in site_patterns:
        spans.extend((m.start(), m.end(), "injected_ads") for m in pattern.finditer(text) if m.end() > m.start())
    if not spans and AD_PREFILTER.search(text) is None:
        return spans
    for m in AD_TRIGGER.finditer(text):
        # Every trigger but 小编 begins with its own opener (下面是…, 想了解更多…): the ad starts there.
        opens = m.group("editor") is None or AD_OPENER.match(text, m.start()) is not None
        start = m.start() if opens else _sentence_start(text, m.start())
        end = _sentence_end(text, m.end())
        truncated = end == len(text) and _SENTENCE_END.search(text, m.end()) is None  # cut off by the site
        if m.group("editor") is None and "小编" not in m.group() and not truncated \
                and AD_CONFIRM.search(text, start, end) is None:
            continue  # "以下是各单位为大家整理的建议。": a curation verb, but nothing sold and no courtesy
        follow = AD_FOLLOW.match(text, end)
        if follow and follow.end() > end:
            end = follow.end()
        spans.append((start, end, "injected_ads"))
    for m in AD_COURTESY.finditer(text):  # "…讲话稿，供你参考。" closes a sales sentence without 小编
        start, end = _clause_start(text, m.start()), _sentence_end(text, m.end())
        if AD_GENRE.search(text, start, end) and (AD_OPENER.match(text, start) or AD_CURATE.search(text, start, end)):
            spans.append((start, end, "injected_ads"))
    spans.extend((m.start(), m.end(), "markers") for m in HIDDEN_MARKERS.finditer(text))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def remove_injected_ads(paras: Sequence[Para], site_patterns: Sequence[re.Pattern[str]] = ()) -> list[Para]:
    """Paragraphs with injected sentences and markers cut out (recorded as cuts)."""
    out = []
    for para in paras:
        if para.removed is not None:
            out.append(para)
            continue
        text, cuts = para.text, list(para.cuts)
        for _ in range(_MAX_PASSES):  # a cut can join two halves into a new trigger
            spans = ad_spans(text, site_patterns)
            if not spans:
                break
            pieces, pos = [], 0
            for start, end, kind in spans:
                pieces.append(text[pos:start])
                cuts.append((kind, end - start))
                pos = end
            pieces.append(text[pos:])
            text = normalize("".join(pieces))
        if text == para.text:
            out.append(para)
        elif not text:  # nothing but injected words: counted as what they were (a lone marker is a marker)
            kinds = {kind for kind, _ in cuts[len(para.cuts):]}
            out.append(drop(para, "markers" if kinds == {"markers"} else "injected_ads"))
        elif chrome_kind(text):  # a byline bar that carried an ad is still a byline bar
            out.append(drop(replace(para, text=text, cuts=tuple(cuts)), "chrome"))
        else:
            out.append(replace(para, text=text, cuts=tuple(cuts)))
    return out
