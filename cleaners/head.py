"""Step 6a: the head of a speech — speaker bylines, datelines and "——在…上的讲话" subtitles.

Under the headline, sites put lines that are metadata, not speech: "焦作市委书记  王小平",
"（2023年3月10日）", "——在全市作风建设推进会上的讲话".  They are read and removed here.
The head ends after a few lines that read as sentences; lines removed here never count
towards that, so the head of a cleaned text is the same head again, and cleaning the
cleaners' own output removes nothing more (the idempotence property test).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cleaners.blocks import Para, drop
from cleaners.compilation import parse_numeral
from cleaners.patterns import (
    BYLINE_SPEAKER,
    CN_DATE,
    COMPOUND_SURNAMES,
    DATE,
    DATELINE,
    PROSE_LINE,
    SENTENCE_END,
    SUBTITLE_DASH,
    SURNAMES,
)

__all__ = ["Head", "parse_date", "valid_name", "speaker_line", "strip_head"]

HEAD_SENTENCES = 4
"""The head ends with the fourth line that reads as a sentence."""
_BYLINE_MAX_CHARS = 40
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


def parse_date(text: str) -> str | None:
    """First valid calendar date in ``text`` as YYYY-MM-DD (2023-03-15, 2023年3月15日, 二〇二三年三月十五日)."""
    for m in DATE.finditer(text):
        try:
            return dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
        except ValueError:
            continue
    for m in CN_DATE.finditer(text):
        month, day = parse_numeral(m["m"]), parse_numeral(m["d"])
        try:
            return dt.date(int(m["y"].translate(_CN_YEAR_DIGITS)), month or 0, day or 0).isoformat()
        except ValueError:
            continue
    return None


def valid_name(name: str) -> bool:
    """A Chinese personal name: two to four characters under a known surname."""
    return 2 <= len(name) <= 4 and (name[0] in SURNAMES or name[:2] in COMPOUND_SURNAMES)


@dataclass(kw_only=True)
class Head:
    speaker: str | None = None
    speaker_title: str | None = None
    byline_date: str | None = None
    """A date the speaker line carries: "县委书记 张建国（2023年1月5日）"."""
    dateline: str | None = None
    """The day the speech was given, from a line of its own."""
    subtitles: list[str] = field(default_factory=list)


def speaker_line(text: str) -> tuple[str, str] | None:
    if len(text) > _BYLINE_MAX_CHARS:
        return None
    m = BYLINE_SPEAKER.match(text)
    if m is None:
        return None
    name = m["name"].replace(" ", "")
    return (name, m["office"].strip("（）() ")) if valid_name(name) else None


def strip_head(paras: list[Para]) -> Head:
    """Read and remove (in place) the metadata lines of the head.

    A byline a profile already dropped as chrome still names the speaker.  Lines above the
    byline that are not sentences are the headline's subtitle: they go too.
    """
    head = Head()
    byline_at: int | None = None
    sentences = 0
    for i, para in enumerate(paras):
        if para.removed not in (None, "chrome"):
            continue
        speaker = speaker_line(para.text)
        if speaker is not None:
            if head.speaker is None:
                head.speaker, head.speaker_title = speaker
                head.byline_date = parse_date(para.text)
                byline_at = i
            if para.removed is None:
                paras[i] = drop(para, "byline")
            continue
        if para.removed is not None:
            continue
        if DATELINE.match(para.text) and parse_date(para.text):
            head.dateline = head.dateline or parse_date(para.text)
            paras[i] = drop(para, "dateline")
        elif SUBTITLE_DASH.match(para.text) and not SENTENCE_END.search(para.text):
            head.subtitles.append(para.text)
            paras[i] = drop(para, "title")
        elif PROSE_LINE.search(para.text):
            sentences += 1
            if sentences >= HEAD_SENTENCES:
                break
    for i in range(byline_at or 0):
        if paras[i].removed is None and not SENTENCE_END.search(paras[i].text):
            paras[i] = drop(paras[i], "title")
    return head
