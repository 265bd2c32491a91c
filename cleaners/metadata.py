"""Step 6: title, speaker, speaker_title, occasion, date and source of each speech.

Evidence is collected from the first page's tree *before* boilerplate removal
(a profile may drop the very byline its ``date`` selector points into), then
resolved per speech together with the chrome lines step 2 removed.  Every field
is None unless the page states it: a date is never taken from the speech's own
prose, a speaker never from a name that merely appears in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from lxml import etree
from lxml.html import HtmlElement

from cleaners.blocks import Para, drop, normalize, text_of
from cleaners.head import parse_date, speaker_line, strip_head, valid_name
from cleaners.patterns import (
    DATE_LABEL,
    DATELINE,
    HEADLINE_AT,
    HEADLINE_SPEAKER,
    META_DATE_NAMES,
    NAME_PREFIX,
    NOT_POST_DATE,
    OCCASION,
    ORDINAL,
    PROSE_LINE,
    REPRINT_MARK,
    SALUTATION,
    SOURCE,
    SOURCE_START,
    SUBTITLE_DASH,
    strip_pagination,
)
from cleaners.selectors import element_text, regexes, select
from cleaners.titles import page_title
from cleaners.types import SiteRules

__all__ = ["Facts", "Meta", "collect_facts", "parse_date", "find_speaker", "extract_metadata"]

_DATE_LINE_MAX_CHARS = 30
_DATE_INFO_MAX_CHARS = 120
_SOURCE_TAGS = ("div", "p", "span", "td", "li", "font", "em", "small")
_SOURCE_LINE_MAX_CHARS = 120
_SUBTITLE_MAX_CHARS = 80


def _none() -> str | None:
    return None


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What the first page says about the article, outside the speech text."""

    title: str | None = None
    headlines: tuple[str, ...] = ()
    """Lines that may prefix the speaker to the title ("荆州市委书记吴锦:…"): h1, author selectors."""
    subtitles: tuple[str, ...] = ()
    """"——在…上的讲话" lines under the headline, read before a profile drops them."""
    date: str | None = None
    page_date_first: bool = False
    """The profile dates its records by the page's publication date, not by the speech's dateline."""
    source: str | None = None
    page_source: Callable[[], str | None] = _none
    """A source line found elsewhere on the page, looked for only when the text's surroundings state none."""
    page_date: Callable[[], str | None] = _none
    """A labelled posting date found elsewhere on the page, looked for only when nothing else dates the text."""


@dataclass(frozen=True, kw_only=True)
class Meta:
    title: str | None = None
    speaker: str | None = None
    speaker_title: str | None = None
    occasion: str | None = None
    date: str | None = None
    source: str | None = None


def _source_of(text: str) -> str | None:
    m = SOURCE.search(text)
    return (m["src"] or m["via"]) if m else None


_SOURCE_LABELS = ("来源", "稿源", "出处", "转自")


def _page_source(tree: HtmlElement, html: str | None = None) -> str | None:
    """A source line anywhere on the page ("来源：江北日报" in an e-paper's footer), when it starts a block.

    The label must open the element's own text, so only the elements that may be such a block are read
    (libxml2 finds them by tag), not every text node of the page (an XPath ``contains`` over each costs more)."""
    page = html if html is not None else text_of(tree)
    if not any(label in page for label in _SOURCE_LABELS):
        return None  # the text scan is cheap; the search below is not
    for el in tree.iter(*_SOURCE_TAGS):
        text = el.text
        if not text or not SOURCE_START.match(text) or not any(label in text for label in _SOURCE_LABELS):
            continue
        line = normalize(text_of(el))
        if len(line) <= _SOURCE_LINE_MAX_CHARS:
            found = _source_of(line)
            if found:
                return found
    return None


_DATE_WORD = re.compile("发布|发表|时间|日期|更新|上传")
"""The words a posting date's label holds (DATE_LABEL's Chinese, 注册时间 included: it is told apart later)."""


def _date_text_owners(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The element each text of ``tree`` holding a ``_DATE_WORD`` belongs to (a tail belongs to the element's
    parent), in document order.  A walk in Python with one search a text takes half the time of an XPath
    selection of the same text nodes (``contains`` six times over a copy of every text node)."""
    search = _DATE_WORD.search
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            text = el.text if isinstance(el.tag, str) else None  # a comment's or PI's own text is not text
            if text and search(text):
                yield el
        elif el is not tree:
            tail = el.tail
            if tail and search(tail):
                parent = el.getparent()
                if parent is not None:
                    yield parent


def _page_date(tree: HtmlElement) -> str | None:
    """The first short line on the page that labels a posting date (an info bar's "发布时间:2023-03-06
    来源:…" inside the headline, where no selector names it): what generic mode reads above the text."""
    for el in _date_text_owners(tree):
        if el.tag in ("script", "style", "title", "head"):
            continue
        line = normalize(text_of(el))
        if len(line) <= _DATE_INFO_MAX_CHARS and DATE_LABEL.search(line) and not NOT_POST_DATE.search(line):
            found = parse_date(line)
            if found:
                return found
    return None


def _unmark(title: str) -> str:
    """A headline without the reprint and forum markers around it (【转帖】, [转载], (转))."""
    return REPRINT_MARK.sub("", title).strip() or title


def _meta_date(tree: HtmlElement) -> str | None:
    for meta in tree.iter("meta"):
        name = str(meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in META_DATE_NAMES:
            found = parse_date(str(meta.get("content") or ""))
            if found:
                return found
    for time in tree.iter("time"):
        found = parse_date(str(time.get("datetime") or "") or normalize(text_of(time)))
        if found:
            return found
    return None


def _headings(tree: HtmlElement, tags: tuple[str, ...]) -> list[str]:
    return [t for tag in tags for el in tree.iter(tag) if (t := normalize(text_of(el)))]


def _subtitles(tree: HtmlElement) -> list[str]:
    """"——在…上的讲话" lines outside the text: an h3 on one site, a div.arc-sub on another."""
    out = []
    for el in tree.iter("h2", "h3", "h4", "h5", "h6", "div", "p", "span", "strong", "center"):
        text = el.text  # read once: each read decodes the text again
        if text and SUBTITLE_DASH.match(text.lstrip()):
            text = normalize(text_of(el))
            if len(text) <= _SUBTITLE_MAX_CHARS:
                out.append(text)
    return out


def collect_facts(tree: HtmlElement, rules: SiteRules | None, html: str | None = None) -> Facts:
    """Title, date and source from profile selectors, else from generic page evidence (``html``, the
    page's source, lets the page-wide source search be skipped when no label appears in it at all)."""
    title = date = source = None
    headlines = _headings(tree, ("h1",))
    subtitles = _subtitles(tree)
    if rules is not None:
        headlines = [element_text(el) for el in select(tree, rules.author)] + headlines
        texts = [element_text(el) for el in select(tree, rules.title)]
        title = next((t for t in texts if t), None)
        date = next((d for d in (parse_date(element_text(el)) for el in select(tree, rules.date)) if d), None)
        for el in select(tree, rules.source):
            text = element_text(el)
            source = _source_of(text) or (text.strip(" :：()（）") if 1 < len(text) <= 30 else None)
            if source:
                break
        if title:
            for pattern in regexes(rules.title_strip):
                title = pattern.sub("", title)
    if not title:
        title = page_title(tree)
    if title:
        title = _unmark(strip_pagination(normalize(title))) or None
    headlines = [_unmark(h) for h in headlines if len(h) <= 120]
    return Facts(title=title, headlines=tuple(headlines), subtitles=tuple(subtitles),
                 date=date or _meta_date(tree), page_date_first=rules is not None and rules.date_from == "page",
                 source=source, page_source=cache(lambda: _page_source(tree, html)),
                 page_date=cache(lambda: _page_date(tree)))


def find_speaker(title: str | None) -> tuple[str, str | None, str] | None:
    """(speaker, speaker_title, rest of headline) from "荆州市委书记吴锦:狠抓落地转化…".

    "市长王小平在…上的讲话" and "王小平同志在…上的讲话" name the speaker too (speaker_title is None
    when no office is stated); their rest is the speech's own title, "在…上的讲话".
    """
    if not title:
        return None
    m = HEADLINE_SPEAKER.match(title)
    if m is not None:
        name = m["name"].replace(" ", "")
        return (name, m["office"], m["rest"].strip()) if valid_name(name) else None
    m = HEADLINE_AT.match(title)
    if m is not None:
        name = m["name"] or m["comrade"]
        return (name, m["office"], m["rest"].strip()) if valid_name(name) else None
    return None


def _drop_leading_subtitle(paras: list[Para]) -> None:
    """A heading line (h2–h6) before the first sentence of the text that is not one of the speech's
    own numbered sections is the headline's subtitle ("学习贯彻省委全会精神体会"), not speech."""
    for i, para in enumerate(paras):
        if para.removed is not None:
            continue
        if PROSE_LINE.search(para.text) or not para.heading:
            return
        if not ORDINAL.match(para.text):
            paras[i] = drop(para, "title")


def _speech_opening(paras: Sequence[Para]) -> bool:
    """Whether the text opens like a speech (同志们：, 各位代表：, 尊敬的…)."""
    first = next((p.text for p in paras if p.removed is None), "")
    return SALUTATION.match(first) is not None


def _name_prefix(title: str | None) -> tuple[str, str] | None:
    """(name, rest) of a headline "张建国：以钉钉子精神抓好各项任务落实" (a bare name, no office)."""
    m = NAME_PREFIX.match(title) if title else None
    if m is None or not valid_name(m["name"]):
        return None
    return m["name"], m["rest"].strip()


@lru_cache(maxsize=64)
def _post_date(lines: tuple[str, ...]) -> str | None:
    """The date of the first line labelled as a posting date (发表于/发布时间/日期…), else of the first
    dated line that is not some other date (a member's 注册时间, a deadline).  Every speech of a compilation
    asks it of the same chrome lines, which are parsed for dates once (the cache is that short on purpose:
    the lines of one article, not of a site)."""
    dated = [(line, d) for line in lines if (d := parse_date(line))]
    labelled = next((d for line, d in dated if DATE_LABEL.search(line) and not NOT_POST_DATE.search(line)), None)
    return labelled or next((d for line, d in dated if not NOT_POST_DATE.search(line)), None)


def extract_metadata(paras: Sequence[Para], facts: Facts, *, heading: str | None,
                     chrome: Sequence[str]) -> tuple[Meta, list[Para]]:
    """Metadata of one speech, and its paragraphs with a speaker byline line removed."""
    title = heading or facts.title
    out = list(paras)
    _drop_leading_subtitle(out)
    head = strip_head(out)
    speaker, office = head.speaker, head.speaker_title
    if heading is None:
        for line in (title, *facts.headlines):
            headline = find_speaker(line)
            if headline is not None:
                speaker, office = headline[0], headline[1]
                if line == title:
                    title = headline[2]
                break
        if speaker is None:  # a byline above the text, outside it: "区委副书记 郑凯", "市委书记 许振东"
            speaker, office = next((found for line in chrome if (found := speaker_line(line))), (None, None))
        prefixed = _name_prefix(title)
        if prefixed is not None and _speech_opening(out):
            if speaker is None or speaker == prefixed[0]:
                speaker, title = prefixed[0], prefixed[1]
    occasion = None
    lines = (title,) if heading else (title, *facts.subtitles, *head.subtitles, *chrome)
    for line in lines:
        m = OCCASION.match(line) if line else None
        if m:
            occasion = m["occ"].strip()
            break
    # The day the speech was given (its dateline) beats the day a site posted it, unless the profile says
    # otherwise (``date_from = "page"``).
    dateline = head.dateline
    if dateline is None and heading is None:
        dateline = next((parse_date(line) for line in chrome if DATELINE.match(line) and parse_date(line)), None)
    spoken = dateline or head.byline_date
    posted = facts.date or _post_date(tuple(chrome))
    if posted is None and (facts.page_date_first or not spoken):
        posted = facts.page_date()
    date = (posted or spoken) if facts.page_date_first else (spoken or posted)
    source = facts.source or next((src for line in chrome if (src := _source_of(line))), None)
    source = source or facts.page_source()
    if date is None:
        first = [p.text for p in out if p.removed is None][:3]
        date = next((parse_date(t) for t in first if len(t) <= _DATE_LINE_MAX_CHARS and parse_date(t)), None)
    return Meta(title=title, speaker=speaker, speaker_title=office, occasion=occasion, date=date,
                source=source), out
