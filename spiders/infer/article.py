"""What a few sample articles say about a site's article template: which selectors to write.

Each proposal is what a maintainer would derive by reading the pages, checked on every sample:

- content: the element around the page's main text, as main-content detection finds it
  (cleaners.content), named by its own class or id — the deepest such element that holds at
  least 90% of the main text on *every* sample;
- drop: elements inside it that are furniture — scripts, link lists (pagers, tag clouds, 相关文章),
  and elements named like widgets (qrcode, share, tail, tip …) that hold no sentence;
- title / date / source: the element the cleaners' metadata step then reads correctly on most
  samples (a ``<meta name="PubDate">``-style tag when the page has one);
- next_page and title_strip: from samples whose pager continues them on a second page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml.html import HtmlElement

from cleaners import clean
from cleaners.content import best_run, score_paragraphs
from cleaners.metadata import collect_facts
from cleaners.parse import parse
from cleaners.patterns import DATE, PROSE_LINE, SOURCE
from cleaners.types import Page, SiteRules
from spiders.infer.dom import (
    common_ancestor,
    link_text_chars,
    own_selectors,
    path_selector,
    select_all,
    selector_for,
    text_of,
)
from spiders.infer.listing import anchors_of
from spiders.pagination import NEXT_WORDS
from spiders.template import canonical_url
from spiders.urls import document_base

__all__ = ["Sample", "ArticleRules", "analyse_articles"]

_LEAF = frozenset({"p", "span", "font", "strong", "b", "em", "i", "a", "br", "li", "td", "tr", "tbody", "h2", "h3",
                   "h4", "h5", "h6", "blockquote"})
_INLINE = frozenset({"a", "span", "font", "strong", "b", "em", "i", "u", "small", "sup", "sub"})
_COVERAGE = 0.9
_MAX_DROPPED = 0.05
_WIDGET = re.compile(r"qr|code|share|tag|page|pager|link|related|tail|tip|hide|\bad\b|gg|comment|fuli|print|tool|"
                     r"next|prev|copyright|download|xgwz", re.I)
_INLINE_WIDGET = re.compile(r"hide|tip|qr|share|fuli|download|print|\bad\b|gg", re.I)
"""Inline elements sit inside sentences: only these names mark one as a widget (span.hide-tip)."""
_TITLE_NAMES = re.compile(r"title|tit\b|headline|biaoti|\bbt\b", re.I)
_META_TAGS = {"title": ("ArticleTitle", "og:title"), "date": ("PubDate", "article:published_time", "publishdate"),
              "source": ("ContentSource", "source")}
SITE_LINE = re.compile(r"^\s*(?:本帖最后由\s*\S+\s*于\s*[\d:\- ]+编辑|原标题[:：]|[(（]?责任编辑[:：]|"
                       r"[(（]?编辑[:：]\S{2,4}[)）]?$)")
"""Lines a site adds to a speech (a forum's edit notice, 原标题, 责任编辑): dropped when they have an element of their own."""
_BAD_SOURCE = re.compile(r"浏览|点击|阅读|作者|时间|日期|编辑|字号|字体")
_POSTED = re.compile(r"(?:发表|发布|(?<!注册)时间|日期|更新|上传)[^\d]{0,6}" + DATE.pattern)
"""A date labelled as the day the page was posted (发表于 2023-4-15, 发布时间：2023-03-06); a member's 注册时间 is not."""


@dataclass(frozen=True)
class Sample:
    """One sample article: the decoded HTML of each of its pages, in order."""

    urls: tuple[str, ...]
    pages: tuple[str, ...]


@dataclass
class ArticleRules:
    content: str | None = None
    drop: list[str] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    source: str | None = None
    next_page: str | None = None
    title_strip: list[str] = field(default_factory=list)
    compilation: bool | None = None
    first_post: bool = False
    """The content is the first of repeated posts (a thread's 楼主): later pages hold only replies."""
    evidence: dict[str, str] = field(default_factory=dict)
    """Per proposed key, what supports it (written as a comment next to it)."""


def _main_text(tree: HtmlElement) -> list[tuple[HtmlElement, int]]:
    """Owners of the main-text paragraphs with their prose weight (the cleaners' own detection)."""
    body = tree.find("body")
    scored = score_paragraphs(body if body is not None else tree)
    start, end = best_run([s.value() for s in scored])
    return [(s.owner, max(s.words - s.link_chars, 0)) for s in scored[start:end] if s.value() > 0]


def _coverage(el: HtmlElement, owners: list[tuple[HtmlElement, int]]) -> float:
    inside = sum(w for o, w in owners if o is el or any(a is el for a in o.iterancestors()))
    return inside / max(1, sum(w for _, w in owners))


def _first_of_repeated(el: HtmlElement, tree: HtmlElement) -> str | None:
    """A selector for ``el`` when it is the first of repeated blocks of one template: a forum's first
    post (``td.t_f`` of the 楼主) before the replies, each post in its own wrapper under ``div#postlist``.
    Named ``div#postlist > div:nth-of-type(1) td.t_f``: the container, the first wrapper, the element."""
    for own in own_selectors(el):
        found = select_all(tree, own)
        if len(found) < 2 or found[0] is not el:
            continue
        container = common_ancestor(found)
        if container is None or container is el:
            continue
        wrapper = next((a for a in (el, *el.iterancestors()) if a.getparent() is container), None)
        named = selector_for(container, tree) if wrapper is not None else None
        if wrapper is None or named is None or not isinstance(wrapper.tag, str):
            continue
        same = [c for c in container if c.tag == wrapper.tag]
        selector = f"{named} > {wrapper.tag}:nth-of-type({same.index(wrapper) + 1})" + \
            ("" if wrapper is el else f" {own}")
        if select_all(tree, selector) == [el]:
            return selector
    return None


def _content(trees: Sequence[HtmlElement], rules: ArticleRules) -> None:
    mains = [_main_text(t) for t in trees]
    candidates: dict[str, int] = {}
    """Selector -> kind: 0 the element's own class or id, 1 with an ancestor's, 2 a positional path."""
    firsts: set[str] = set()
    for tree, owners in zip(trees, mains, strict=True):
        done: dict[int, HtmlElement] = {}  # the value keeps the element alive, so its id stays its own
        for owner, _ in owners:
            for el in (owner, *owner.iterancestors()):
                if el.tag in ("body", "html") or id(el) in done:
                    break
                done[id(el)] = el
                first = _first_of_repeated(el, tree)
                if first:  # as good as a name: the container's own, and the template's structure
                    candidates.setdefault(first, 0)
                    firsts.add(first)
                if el.tag in _LEAF:
                    continue
                kinds: list[tuple[int, str | None]] = [(0, s) for s in own_selectors(el)]
                kinds += [(1, selector_for(el, tree)), (2, path_selector(el, tree))]
                for kind, selector in kinds:
                    if selector:
                        candidates.setdefault(selector, kind)
    scored: list[tuple[int, int, float, int, str]] = []
    for selector, kind in candidates.items():
        sizes, depth = [], 0
        for tree, owners in zip(trees, mains, strict=True):
            found = select_all(tree, selector)
            if len(found) == 1 and _coverage(found[0], owners) >= _COVERAGE:
                sizes.append(len(text_of(found[0])))
                depth = sum(1 for _ in found[0].iterancestors())
        if sizes:
            scored.append((-len(sizes), kind, sum(sizes) / len(sizes), -depth, selector))
    if not scored:
        return
    # Most samples first, then a name over a path (names survive template edits), then the smallest
    # and deepest element: the text and little else.
    works, _, _, _, rules.content = min(scored)
    rules.first_post = rules.content in firsts
    if -works == len(trees):
        rules.evidence["content"] = (f"holds {_COVERAGE:.0%}+ of the main text (as main-content detection finds "
                                     f"it) on all {len(trees)} sample articles")
    else:
        rules.evidence["content"] = (f"REVIEW: holds the main text on only {-works} of {len(trees)} sample "
                                     "articles (on the others the cleaners fall back to main-content detection)")


def _drop(trees: Sequence[HtmlElement], rules: ArticleRules) -> None:
    if rules.content is None:
        return  # without a content element a drop rule would reach into the text itself
    found: dict[str, str] = {}
    for tree in trees:
        for root in select_all(tree, rules.content)[:1]:
            taken: list[HtmlElement] = []
            for el in root.iter():
                if el is root or not isinstance(el.tag, str) or any(a in taken for a in el.iterancestors()):
                    continue
                if el.tag in ("script", "style"):
                    found.setdefault(el.tag, f"<{el.tag}> inside the content")
                    continue
                names, text = own_selectors(el), text_of(el)
                chars = len(text.replace(" ", ""))
                if not names or not chars:
                    continue
                prose = PROSE_LINE.search(text) is not None and chars > 40
                # A link inside a sentence (a keyword, a name) is text: only whole blocks of links go.
                if el.tag not in _INLINE and link_text_chars(el) >= 0.5 * chars and chars < 400:
                    why = "a list of links inside the content (pager, tags, related articles)"
                elif SITE_LINE.search(text) and chars < 80:
                    why = f"a site line, not speech ({text[:20]!r})"
                elif (_INLINE_WIDGET if el.tag in _INLINE else _WIDGET).search(f"{el.get('class', '')} "
                                                                                f"{el.get('id', '')}") \
                        and not prose and chars < 60:
                    why = f"named like a widget, no sentence in it ({text[:20]!r})"
                else:
                    continue
                taken.append(el)
                found.setdefault(f"{rules.content} {names[0]}", why)
    # A class can name both a widget and the text's own cells (td.p4 on an old forum): keep a drop rule
    # only if it takes no more than a trace of the main text on every sample.
    mains = [_main_text(t) for t in trees]
    safe = [s for s in found if all(sum(_coverage(el, owners) for el in select_all(tree, s)) <= _MAX_DROPPED
                                    for tree, owners in zip(trees, mains, strict=True))]
    rules.drop = sorted(safe, key=lambda s: (s not in ("script", "style"), s))
    for selector in rules.drop:
        rules.evidence[f"drop:{selector}"] = found[selector]


def _best(trees: Sequence[HtmlElement], pick: Callable[[HtmlElement], str | None],
          works: Callable[[HtmlElement, str], bool]) -> tuple[str | None, int]:
    """The selector picked most often over the samples, and on how many samples it works."""
    votes = Counter(s for s in (pick(t) for t in trees) if s)
    for selector, _ in votes.most_common():
        ok = sum(works(t, selector) for t in trees)
        if ok * 2 >= len(trees):
            return selector, ok
    return None, 0


def _meta(tree: HtmlElement, names: Sequence[str]) -> str | None:
    for name in names:
        for attr in ("name", "property"):
            selector = f'meta[{attr}="{name}"]'
            if any((m.get("content") or "").strip() for m in select_all(tree, selector)):
                return selector
    return None


def _title_pick(tree: HtmlElement) -> str | None:
    page_title = " ".join((tree.findtext(".//title") or "").split())
    best: tuple[int, HtmlElement] | None = None
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "meta", "a"):
            continue
        named = el.tag in ("h1", "h2", "h3") or _TITLE_NAMES.search(f"{el.get('class', '')} {el.get('id', '')}")
        text = text_of(el)
        if named and 4 <= len(text) <= 120 and text in page_title and (best is None or len(text) > best[0]):
            best = (len(text), el)
    return selector_for(best[1], tree, tag_ok=True) if best else _meta(tree, _META_TAGS["title"])


def _near_text(tree: HtmlElement, pattern: re.Pattern[str], content: str | None) -> str | None:
    skip = select_all(tree, content) if content else []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "head", "html", "body"):
            continue
        if any(el is s or any(a is s for a in el.iterancestors()) for s in skip):
            continue
        text = text_of(el)
        if len(text) <= 120 and pattern.search(text) and not any(pattern.search(text_of(c)) for c in el):
            for node in (el, *el.iterancestors()):
                if len(text_of(node)) > 150 or node.tag == "body":
                    break
                selector = selector_for(node, tree)
                if selector:
                    return selector
    return None


def _date_pick(tree: HtmlElement, content: str | None) -> str | None:
    """A date tag, else the line that labels the posting date (发表于 …, 发布时间：…); only on a page that
    labels none, any date outside the text.  An unlabelled date on a page that has a labelled one is some
    other day (a forum footer's "GMT+8, 2023-5-20 22:16, Processed in …" is when the page was built).
    A labelled line no one selector names on every sample (``em#authorposton123``) is left to the
    cleaners, which read a labelled posting date wherever it is on the page."""
    found = _meta(tree, _META_TAGS["date"])
    if found:
        return found
    return _near_text(tree, _POSTED if _labels_posting(tree, content) else DATE, content)


def _labels_posting(tree: HtmlElement, content: str | None) -> bool:
    """Whether a short line outside the text labels the day the page was posted."""
    inside = {el for root in (select_all(tree, content) if content else []) for el in root.iter()}  # kept alive
    return any(el not in inside and len(text := text_of(el)) <= 120 and _POSTED.search(text) is not None
               for el in tree.iter("em", "span", "p", "div", "td", "li", "font", "h1", "h2", "h3"))


def _facts(tree: HtmlElement, *, title: str = "", date: str = "", source: str = "",
           ) -> tuple[str | None, str | None, str | None]:
    """What the cleaners' metadata step reads with these selectors: the proof a selector works."""
    rules = SiteRules(content=("body",), title=(title,) if title else (), date=(date,) if date else (),
                      source=(source,) if source else ())
    facts = collect_facts(tree, rules)
    return facts.title, facts.date, facts.source


def _metadata(trees: Sequence[HtmlElement], rules: ArticleRules) -> None:
    n = len(trees)
    rules.title, ok = _best(trees, _title_pick, lambda t, s: bool(_facts(t, title=s)[0]))
    if rules.title:
        rules.evidence["title"] = f"the headline that <title> repeats; read on {ok} of {n} samples"
    rules.date, ok = _best(trees, lambda t: _date_pick(t, rules.content), lambda t, s: bool(_facts(t, date=s)[1]))
    if rules.date:
        rules.evidence["date"] = f"a date outside the text; a valid date on {ok} of {n} samples"
    elif any(_labels_posting(t, rules.content) for t in trees):
        rules.evidence["date"] = ("none proposed: the samples label a posting date (发表于 …, 发布时间 …) where no one "
                                  "selector names it; the cleaners read such a line wherever it is")

    def source_ok(tree: HtmlElement, selector: str) -> bool:
        value = _facts(tree, source=selector)[2]
        return bool(value) and len(value or "") <= 20 and not _BAD_SOURCE.search(value or "")

    rules.source, ok = _best(trees, lambda t: _meta(t, _META_TAGS["source"]) or _near_text(t, SOURCE, rules.content),
                             source_ok)
    if rules.source:
        rules.evidence["source"] = f"states 来源; a clean source name on {ok} of {n} samples"


def _select_links(tree: HtmlElement, selector: str) -> list[HtmlElement]:
    """``select_all``, with ``a:contains("下一页")`` read as the spider's selector engine reads it."""
    base, contains, text = selector.partition(' a:contains("')
    if not contains and selector.startswith('a:contains("'):
        base, text = "", selector.removeprefix('a:contains("')
    elif not contains:
        return select_all(tree, selector)
    wanted = text.removesuffix('")')
    links = select_all(tree, f"{base} a" if base else "a")
    return [a for a in links if wanted in text_of(a)]


def _leads_on(samples: Sequence[Sample], selector: str) -> bool:
    """Does the first link ``selector`` matches go to the next page, on every page but the last?
    (The spider follows the first match: on page 2 a selector that also names 上一页 goes back.)"""
    for sample in samples:
        for page, url, following in zip(sample.pages, sample.urls, sample.urls[1:], strict=False):
            tree = parse(page)
            found = [e.get("href") for e in _select_links(tree, selector) if e.get("href")]
            if not found or canonical_url(urljoin(document_base(tree, url), found[0])) != canonical_url(following):
                return False
    return True


def _pagination(samples: Sequence[Sample], rules: ArticleRules) -> None:
    multi = [s for s in samples if len(s.pages) > 1]
    if multi and rules.first_post:
        rules.evidence["next_page"] = (f"none: the text is the first of repeated posts (a thread's 楼主); the later "
                                       f"pages of {len(multi)} sample(s) hold replies, not more of it")
        return
    if not multi:
        rules.evidence["next_page"] = f"none of the {len(samples)} samples continues on a second page"
        return
    votes: Counter[str] = Counter()
    for sample in multi:
        tree = parse(sample.pages[0])
        for anchor in anchors_of(tree, sample.urls[0]):
            if anchor.url == canonical_url(sample.urls[1]) and anchor.text.lower() in NEXT_WORDS:
                box = next((p for p in anchor.el.iterancestors() if own_selectors(p)), None)
                prefix = f"{own_selectors(box)[0]} " if box is not None else ""
                # The anchor's class may name 上一页 too (PHPCMS: a.a1): its text is the fallback.
                for inner in [*own_selectors(anchor.el)[:1], f'a:contains("{anchor.text}")']:
                    votes[prefix + inner] += 1
    valid = [s for s, _ in votes.most_common() if _leads_on(multi, s)]
    for selector in valid[:1]:
        rules.next_page = selector
        rules.evidence["next_page"] = f"the 下一页 link of {len(multi)} sample(s) that run over several pages"
    first = _facts(parse(multi[0].pages[0]), title=rules.title or "h1")[0] or ""
    raw = [text_of(e) for e in select_all(parse(multi[0].pages[1]), rules.title or "h1")][:1]
    if raw and first and raw[0].startswith(first) and raw[0] != first:
        suffix = raw[0][len(first):]
        rules.title_strip = [re.sub(r"\d+", r"\\d+", re.escape(suffix.strip())) + "$"]
        rules.evidence["title_strip"] = f"later pages add {suffix.strip()!r} to the title"


def _compilation(samples: Sequence[Sample], rules: ArticleRules) -> None:
    site = SiteRules(content=(rules.content,) if rules.content else ())
    parts = [len(clean([Page(url=s.urls[0], html=s.pages[0])], site).records) for s in samples]
    if all(n > 1 for n in parts):
        rules.compilation = True
        rules.evidence["compilation"] = f"every sample holds several speeches ({', '.join(map(str, parts))} parts)"


def analyse_articles(samples: Sequence[Sample]) -> ArticleRules:
    """Selectors for the article template, from the first pages (and later pages) of the samples."""
    rules = ArticleRules()
    trees = [parse(s.pages[0]) for s in samples]
    _content(trees, rules)
    _drop([parse(s.pages[0]) for s in samples], rules)
    _metadata(trees, rules)
    _pagination(samples, rules)
    _compilation(samples, rules)
    return rules
