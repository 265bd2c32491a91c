"""Step 2 (generic mode): find the main text of a page that has no profile.

The page is read as one sequence of paragraphs in document order, each valued by
how much it looks like prose (characters outside links, with sentence
punctuation) minus what it looks like furniture (link text, a fixed cost per
line, a container named like a sidebar or comment box).  The main text is the
contiguous run with the largest total value (a maximum-subarray search), which
copes with articles split over sibling elements and with table layouts, where
"pick the best element" extractors lose paragraphs.  Link lists left inside the
run are then dropped line by line, and so are promo boxes (app download, newsletter,
follow-us QR code: ``PROMO_CLASS``).  A lead (导语/摘要) that the template puts above the
body container is taken in when it sits right before the run in a box named like one
(``LEAD_CLASS``) or labels itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from lxml import etree
from lxml.html import HtmlElement

from cleaners.blocks import Para, data_row, normalize, text_of
from cleaners.patterns import (
    BLOCK_TAGS,
    BOX_STYLE,
    HEADING_TAGS,
    LEAD_CLASS,
    LEAD_LABEL,
    PROMO_CLASS,
    PROSE_LINE,
    SKIP_TAGS,
)

__all__ = ["Scored", "MainText", "score_paragraphs", "best_run", "find_main_text", "looks_like_listing"]

_CELL_TAGS = frozenset({"td", "th"})
_TABLE_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th"})
_PUNCT = re.compile(r"[，。、；！？“”,;!?]")
_NON_WORD = re.compile(r"\W+")
_NEGATIVE = re.compile(
    r"comment|footer|foot\b|nav|menu|sidebar|side\b|aside|related|recommend|copyright|breadcrumb|crumb|share|"
    r"login|banner|toolbar|pager|pagination|hot|rank|links?\b|friend|tags?\b|topbar|header|bottom|right|left|ad\b|"
    r"advert|gg\b|pinglun|xgwz|tuijian|sitemap",
    re.I,
)
_POSITIVE = re.compile(r"content|article|text|body|detail|main|post|entry|news|zoom|con\b|cont|txt|story|read", re.I)
_LINE_COST = 8.0
_LINK_WEIGHT = 2.0
_BARE_TEXT_WEIGHT = 0.3
"""Text without any sentence punctuation (titles, labels, dates) counts for less."""
_NEGATIVE_FACTOR = 0.3
_POSITIVE_FACTOR = 1.3
_INNER_LINE_COST = 4.0
"""Inside the core container furniture is rarer, so a short line costs less there."""
_CORE_SHARE = 0.7
_LEAF_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "pre", "blockquote", "span",
                        "font", "strong", "b", "em", "i", "a", "br"})
_MIN_COVERAGE = 1 / 3
"""A run holding less than this share of its container's prose is not the whole text."""
_EDGE_MAX_CHARS = 30
_EDGE_MAX_LINES = 3
_EVIDENCE_LINES = 8
_EVIDENCE_MAX_CHARS = 80
_LINK_LINE = 0.6
"""Inside the chosen run, a line with more than this share of link text is a link list."""
_TITLE_MIN_CHARS = 8
_BOX_DEPTH = 4
_TABLE_MAX_ROWS = 40
_LEAD_REACH = 4
_LEAD_MIN_WORDS = 30
_BOX_MIN_WORDS = 10
_BOX_MAX_LINES = 8
_BOX_MAX_CHARS = 600
"""A box of notes above the text is short: a longer one is a text of its own (or a sidebar)."""
_LEAD_SKIP_CHARS = 40
"""Between a lead and the body only short lines (byline, date, a label) may stand."""
_LISTING_MIN_TEASERS = 3
_LISTING_SHARE = 0.5


@dataclass(slots=True, eq=False)
class Scored:
    """A paragraph of the page and the features its prose value is computed from (one is made for every
    line of every page, so it is a plain slotted object, not a frozen one: those cost twice to create)."""

    text: str
    tag: str
    owner: HtmlElement
    """The innermost block element the paragraph's text belongs to."""
    chars: int
    link_chars: int
    words: int
    """Characters that are letters, digits or hanzi (rules of dashes are not prose)."""
    punctuated: bool
    factor: float
    index: int = 0
    """Position in the page's list of paragraphs."""

    def value(self, line_cost: float = _LINE_COST) -> float:
        prose = max(self.words - self.link_chars, 0) * (1.0 if self.punctuated else _BARE_TEXT_WEIGHT)
        value = prose - _LINK_WEIGHT * self.link_chars - line_cost
        return value * self.factor if value > 0 else value / self.factor


def _attr_class(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


@lru_cache(maxsize=4096)
def _names_factor(names: str) -> float:
    """A template repeats its class names on every page: the answer is computed once a name."""
    if _POSITIVE.search(names):
        return _POSITIVE_FACTOR
    if _NEGATIVE.search(names):
        return _NEGATIVE_FACTOR
    return 1.0


_CACHED_MAX_CHARS = 64
"""Text runs up to this long (indentation included) have their features cached: site furniture (menu
items, footer lines, the titles of related lists) is short and repeats on every page of a site, a
speech's paragraphs are longer and rarely repeat."""


_HANZI = re.compile("[\u4e00-\u9fff]+")
"""The CJK unified ideographs, every one of them a word character (tests/test_cleaners_content.py asks ``re``).
Counting the ``\\W`` characters of a speech paragraph tests each character's Unicode category, which is most
of what measuring a paragraph costs; taking its hanzi out first (a range test a character) leaves that test to
the few others."""


def _measure(joined: str) -> tuple[str, int, int, bool] | None:
    """Normalized text, characters, word characters and whether it is punctuated, of one raw text run."""
    text = normalize(joined)
    if not text:
        return None
    solid = text.replace(" ", "")
    chars = len(solid)
    rest = _HANZI.sub("", solid)  # hanzi are word characters: what is left holds every \W of the run
    return text, chars, chars - len("".join(_NON_WORD.findall(rest))), _PUNCT.search(text) is not None


_measure_short = lru_cache(maxsize=8192)(_measure)


_FURNITURE_MIN_LINKS = 3
_LIST_TAGS = frozenset({"ul", "ol", "dl", "nav", "menu"})
"""Boxes that are lists whatever their name: passed over on the same test as a box named like furniture."""


def _link_furniture(el: HtmlElement) -> bool:
    """Whether ``el``, a block named like furniture (``_NEGATIVE``) or a list (``_LIST_TAGS``), is a box of links
    and labels that holds no sentence at all: a menu, a list of related titles, a tag cloud, a breadcrumb.  Its
    lines are not main text (link lines are dropped from any run, and the rest are labels between them), so the
    walk passes over the box instead of measuring them: on the sandbox's template pages such boxes hold 46 % of
    the paragraphs.  A box that turns out to sit inside the text is read after all (``find_main_text``); one
    outside it no longer stands between the lines around it, nor among the evidence lines above the text (on
    the bench, real and dev-set pages no record changed).

    The name alone is not enough: furniture-like names also cover the text's own column on some templates
    (DedeCMS's ``pleft``) and comment boxes; those hold sentences and are walked as before.  Both tests stay in
    libxml2: three ``<a>`` are looked for, not counted, and the text is serialized once, not walked."""
    if next(islice(el.iter("a"), _FURNITURE_MIN_LINKS - 1, None), None) is None:
        return False
    return _PUNCT.search(text_of(el)) is None


def score_paragraphs(root: HtmlElement, skipped: list[int] | None = None) -> list[Scored]:
    """Every paragraph of ``root`` with the features its prose value is computed from.  Given ``skipped``,
    boxes of link furniture (``_link_furniture``: named like furniture, or a list) are passed over, and the
    position of each (how many paragraphs come before it) is appended to it.

    This runs over every element of every page, so the walk is written for speed: text runs are
    collected in place (no helper call per element), whitespace that would only open a run is not
    collected (it is the indentation between blocks, and a run is normalized anyway), and a run's
    features come from a cache when the same run was seen on an earlier page (``_CACHED_MAX_CHARS``)."""
    out: list[Scored] = []
    text_parts: list[str] = []
    link_parts: list[str] = []
    heading = "p"
    link_depth = 0
    factors: list[float] = [1.0]
    owners: list[HtmlElement] = [root]
    row: HtmlElement | None = None
    """The data row being read: its cells make one paragraph (cleaners.blocks.data_row)."""
    append = out.append

    def flush() -> None:
        joined = "".join(text_parts)
        text_parts.clear()
        if joined.isspace():  # the indentation between blocks: most flushes
            link_parts.clear()
            return
        measured = _measure_short(joined) if len(joined) <= _CACHED_MAX_CHARS else _measure(joined)
        if link_parts:
            link = len("".join("".join(link_parts).split()))
            link_parts.clear()
        else:
            link = 0
        if measured is not None:
            text, chars, words, punctuated = measured
            append(Scored(text, heading, owners[-1], chars, min(link, chars), words, punctuated, factors[-1],
                          len(out)))

    # Tests ordered by how often they hold (block tags, then links, then skipped tags: the three sets
    # are disjoint); comments and processing instructions give no events at all (tag=etree.Element).
    walker = etree.iterwalk(root, events=("start", "end"), tag=etree.Element)
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in BLOCK_TAGS:
                if row is not None:
                    if tag in _CELL_TAGS:
                        text_parts.append(" ")
                        if link_depth:
                            link_parts.append(" ")
                else:
                    if text_parts:
                        flush()
                    heading = tag if tag in HEADING_TAGS else "p"
                    names, ident = el.get("class"), el.get("id")
                    factor = _names_factor(f"{names or ''} {ident or ''}") if names or ident else 1.0
                    factors.append(factors[-1] * factor if factor != 1.0 else factors[-1])
                    owners.append(el)
                    if skipped is not None and (factor == _NEGATIVE_FACTOR or tag in _LIST_TAGS) \
                            and _link_furniture(el):
                        skipped.append(len(out))
                        walker.skip_subtree()  # its end event still comes: the stacks are popped there
                        continue
                    if tag == "tr" and data_row(el):
                        row = el
            elif tag == "a":
                link_depth += 1
            elif tag in SKIP_TAGS:
                walker.skip_subtree()
                tail = el.tail
                if tail and (text_parts or not tail.isspace()):
                    text_parts.append(tail)
                    if link_depth:
                        link_parts.append(tail)
                continue
            text = el.text
            if text and (text_parts or not text.isspace()):
                text_parts.append(text)
                if link_depth:
                    link_parts.append(text)
            continue
        if tag in BLOCK_TAGS:
            if row is not None and el is row:
                row = None
            if row is None:
                if tag in HEADING_TAGS:
                    heading = tag
                if text_parts:
                    flush()
                heading = "p"
                factors.pop()
                owners.pop()
        elif tag == "a":
            link_depth -= 1
        elif tag in SKIP_TAGS:
            continue
        if el is not root:
            tail = el.tail
            if tail and (text_parts or not tail.isspace()):
                text_parts.append(tail)
                if link_depth:
                    link_parts.append(tail)
    if text_parts:
        flush()
    return out


def best_run(values: Sequence[float]) -> tuple[int, int]:
    """Bounds [start, end) of the contiguous run with the largest sum (Kadane)."""
    best, best_start, best_end = 0.0, 0, 0
    current, start = 0.0, 0
    for i, value in enumerate(values):
        if current <= 0:
            current, start = value, i
        else:
            current += value
        if current > best:
            best, best_start, best_end = current, start, i + 1
    return best_start, best_end


def _core(scored: Sequence[Scored]) -> HtmlElement | None:
    """Lowest common ancestor of the paragraphs that carry most of the page's prose value."""
    valued = [(value, s.index, s.owner) for s in scored if (value := s.value()) > 0]
    if not valued:
        return None
    valued.sort(key=lambda v: (-v[0], v[1]))  # by value, ties in page order (as a stable sort leaves them)
    total = sum(v for v, _, _ in valued)
    chosen: list[HtmlElement] = []
    acc = 0.0
    for value, _, owner in valued:
        chosen.append(owner)
        acc += value
        if acc >= _CORE_SHARE * total:
            break
    path = [chosen[0], *chosen[0].iterancestors()][::-1]
    depth = len(path)
    for el in chosen[1:]:
        other = [el, *el.iterancestors()][::-1]
        depth = min(depth, len(other))
        for i in range(depth):
            if other[i] is not path[i]:
                depth = i
                break
    core = path[depth - 1] if depth else None
    while core is not None and core.tag in _LEAF_TAGS and core.getparent() is not None:
        core = core.getparent()  # one dominant paragraph: its container is the text, not it alone
    return core


def _short_sibling(s: Scored, parent: HtmlElement | None) -> bool:
    return not s.link_chars and s.chars <= _EDGE_MAX_CHARS and s.owner.getparent() is parent


def _container(owner: HtmlElement) -> HtmlElement | None:
    """The element a paragraph's siblings live in; for a table row, the element around its table
    (a notice's signature and date follow the table that ends its text)."""
    parent = owner.getparent()
    if owner.tag != "tr":
        return parent
    while parent is not None and parent.tag in _TABLE_TAGS:
        parent = parent.getparent()
    return parent


def _table_row_above(s: Scored, head: HtmlElement) -> bool:
    """A row of a data table (not a link line) whose table sits in a container of the run's first paragraph."""
    if s.owner.tag != "tr" or s.link_chars * 2 >= s.chars:
        return False
    container = _container(s.owner)
    return container is not None and _inside(head, container)


def _table_above(scored: Sequence[Scored], first: Scored) -> list[Scored]:
    """The rows of a data table heading the text in its container (a gov document's 索引号 / 发文机关 /
    成文日期 table above the headline): a reader reads them as the top of the document."""
    at = first.index
    start = at
    while start > 0 and at - start < _TABLE_MAX_ROWS and _table_row_above(scored[start - 1], first.owner):
        start -= 1
    return list(scored[start:at])


def _extend(pool: Sequence[Scored], start: int, end: int) -> tuple[int, int]:
    """Take in the short lines at both ends of the run that sit in the same container (a
    section number, a speaker byline, 特此通告。, a signature, a date): each costs more
    than it weighs, so the run alone stops short of them."""
    if end <= start:
        return start, end
    first, floor = _container(pool[start].owner), max(0, start - _EDGE_MAX_LINES)
    while start > floor and _short_sibling(pool[start - 1], first):
        start -= 1
    last, ceiling = _container(pool[end - 1].owner), min(len(pool), end + _EDGE_MAX_LINES)
    while end < ceiling and _short_sibling(pool[end], last):
        end += 1
    return start, end


def _coverage(scored: Sequence[Scored]) -> int:
    return sum(max(s.words - s.link_chars, 0) for s in scored)


def _inside(el: HtmlElement, core: HtmlElement) -> bool:
    return el is core or any(a is core for a in el.iterancestors())


_NAMES = etree.XPath(".//@class | .//@id")


def _promo_boxes(core: HtmlElement) -> set[HtmlElement]:
    """Elements under ``core`` named like a promo box (most pages have none: one attribute scan finds out)."""
    return {value.getparent() for value in _NAMES(core) if PROMO_CLASS.search(value)}


def _in_promo(el: HtmlElement, core: HtmlElement, boxes: set[HtmlElement]) -> bool:
    for _ in range(_BOX_DEPTH):
        if el is core or el is None:
            return False
        if el in boxes:
            return True
        el = el.getparent()
    return False


def _in_box(el: HtmlElement, core: HtmlElement, names: re.Pattern[str], depth: int = _BOX_DEPTH) -> bool:
    """Whether ``el`` or one of its ancestors below ``core`` (at most ``depth`` levels up) is named like ``names``."""
    for _ in range(depth):
        if el is core or el is None:
            return False
        if names.search(_attr_class(el)):
            return True
        el = el.getparent()
    return False


def _intro_box(s: Scored, first: Scored) -> HtmlElement | None:
    """The box around ``s`` (not around the run's ``first`` paragraph) that reads as an introduction to
    the text: named like a lead or a notes box, or drawn as a box (a border, a fieldset)."""
    el: HtmlElement | None = s.owner
    for _ in range(_BOX_DEPTH):
        if el is None or el.tag in ("body", "html") or _inside(first.owner, el):
            return None
        if el.tag == "fieldset" or LEAD_CLASS.search(_attr_class(el)) or BOX_STYLE.search(el.get("style") or "") \
                or (el.tag == "table" and (el.get("border") or "0").strip() not in ("", "0")):
            return el
        el = el.getparent()
    return None


def _lead_before(scored: Sequence[Scored], first: Scored) -> list[Scored]:
    """The lead (导语/摘要) or the boxed notes (答题说明, 填表须知 …) a template puts above the body
    container, outside it: prose right before the run (only short lines — a byline, a date — between
    them), in a box named like a lead or drawn as a box, or labelled as one."""
    at = first.index
    for i in range(at - 1, max(-1, at - 1 - _LEAD_REACH), -1):
        s = scored[i]
        if s.punctuated and s.words >= _BOX_MIN_WORDS and s.link_chars * 10 < s.chars:
            box = _intro_box(s, first)
            if box is None:
                return [s] if s.words >= _LEAD_MIN_WORDS and LEAD_LABEL.match(s.text) else []
            inside = [x for x in scored[max(0, i - _BOX_MAX_LINES):i + 1] if _inside(x.owner, box)]
            if sum(x.chars for x in inside) > _BOX_MAX_CHARS or any(x.link_chars for x in inside):
                return []
            return inside
        if s.chars > _LEAD_SKIP_CHARS:
            return []
    return []


@dataclass(frozen=True, slots=True)
class MainText:
    paras: list[Para]
    link_chars: int
    """Characters of link-list lines dropped from inside the chosen run."""
    teasers: int
    """Title links (a link line of a title's length) each directly followed by a prose paragraph."""
    evidence: list[str]
    """Short lines just before the run (byline, date, source): metadata, not text."""


def looks_like_listing(main: MainText) -> bool:
    """A main block whose prose is mostly excerpts, each under a title link, lists articles; it is not one.

    Menus, tables of short links (a wiki infobox) and a stray "see also" link inside an article
    do not make title + excerpt pairs, so they do not count."""
    prose = sum(1 for p in main.paras if PROSE_LINE.search(p.text))
    return main.teasers >= _LISTING_MIN_TEASERS and main.teasers >= _LISTING_SHARE * prose


def _choose(scored: Sequence[Scored]) -> tuple[HtmlElement | None, list[Scored]]:
    """The core container and the paragraphs of the main text, in page order (see the module docstring)."""
    core = _core(scored)
    if core is None:
        pool = list(scored)
    else:
        blocks = set(core.iter(*BLOCK_TAGS))
        pool = [s for s in scored if s.owner in blocks]
    start, end = best_run([s.value(_INNER_LINE_COST) for s in pool])
    start, end = _extend(pool, start, end)
    chosen = pool[start:end]
    if _coverage(chosen) < _MIN_COVERAGE * _coverage(pool):
        chosen = pool  # the run broke a structured text (tables, lists) apart: trust the container
    if chosen:
        chosen = _table_above(scored, chosen[0]) + chosen
        chosen = _lead_before(scored, chosen[0]) + chosen
    return core, chosen


def find_main_text(root: HtmlElement, page: int = 0) -> MainText:
    """Paragraphs of the main text of ``root`` (see the module docstring).

    The boxes of link furniture are passed over first.  When one of them sat inside the text chosen (a
    "related" list between two parts of the article), the page is read again with every box in it: its link
    lines are then dropped one by one and counted in the record's audit, and the run is chosen with them
    standing between the parts, as it always was."""
    skipped: list[int] = []
    scored = score_paragraphs(root, skipped)
    core, chosen = _choose(scored)
    if chosen and any(chosen[0].index < at <= chosen[-1].index for at in skipped):
        scored = score_paragraphs(root)
        core, chosen = _choose(scored)
    paras: list[Para] = []
    link_chars = teasers = 0
    after_title = False
    boxes = _promo_boxes(core) if core is not None else set()
    for s in chosen:
        if boxes and core is not None and _in_promo(s.owner, core, boxes):
            link_chars += s.chars
            continue
        if s.chars and s.link_chars / s.chars > _LINK_LINE:
            link_chars += s.chars
            after_title = s.link_chars >= _TITLE_MIN_CHARS
            continue
        teasers += after_title and s.punctuated
        after_title = False
        paras.append(Para(text=s.text, tag=s.tag, page=page))
    evidence: list[str] = []
    if chosen:
        first = chosen[0].index
        evidence = [s.text for s in scored[max(0, first - _EVIDENCE_LINES):first]
                    if len(s.text) <= _EVIDENCE_MAX_CHARS]
    return MainText(paras, link_chars, teasers, evidence)
