"""Gold records: what a perfect crawl + clean of the sandbox must produce, per site.

Computed from the structured article data (paragraph blocks with explicit ⟦mask⟧ and ⟪ad⟫ marks),
never from HTML and never with cleaner code, so the gold cannot inherit a cleaner's mistakes.
Used by the tests and by the quality command; the cleaners never see it.

Conventions: ``text`` is the speech paragraphs joined by "\\n", each stripped with inner whitespace
runs collapsed; ads, chrome, byline lines, part headings and the compilation title are excluded;
mask characters are removed with the surrounding text kept.  Metadata is what the page shows, or
``None``.  ``must_not_contain`` lists strings shown on the page that must not leak into ``text``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sandbox import DEFAULT_ARTICLES
from sandbox.model import (
    CHROME,
    FILLER,
    SPEAKER,
    SPEECH,
    Article,
    Block,
    Meta,
    ads_of,
    gold_paragraph,
    mask_leaks,
    masks_of,
    normalize_space,
    shown,
    split_parts,
)
from sandbox.sites import Site, make_site, site_class

logger = logging.getLogger(__name__)

__all__ = ["gold_records", "robots_disallowed", "occasion_of"]

_OCCASION = re.compile(r"^在(.+?)上的(?:讲话|发言|致辞|表态发言|主持词)")
_LEAK_PREFIX = 30


def occasion_of(title: str) -> str | None:
    """"在X上的讲话" -> "X"; ``None`` when the title names no occasion."""
    m = _OCCASION.match(title)
    return m.group(1) if m else None


def robots_disallowed(site: str) -> list[str]:
    """Path prefixes the site's robots.txt disallows (each is linked from the site's pages)."""
    return list(site_class(site).disallow)


def _leak_forms(text: str) -> list[str]:
    """A leak string, plus its first characters when long (catches a partly removed leak)."""
    text = normalize_space(text)
    return [text, text[:_LEAK_PREFIX]] if len(text) > _LEAK_PREFIX else [text]


def _content_leaks(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block.kind in (SPEAKER, CHROME, FILLER):
            out += _leak_forms(shown(block.text))
        elif block.kind == SPEECH:
            for ad in ads_of(block.text):
                out += _leak_forms(ad)
            out += mask_leaks(block.text)
    return out


def _record(*, url: str, pages: list[str], part: dict[str, Any] | None, meta: Meta, title: str,
            blocks: list[Block], leaks: list[str]) -> dict[str, Any]:
    paragraphs = [gold_paragraph(b.text) for b in blocks if b.kind == SPEECH]
    text = "\n".join(p for p in paragraphs if p)
    masks = [m for b in blocks if b.kind == SPEECH for m in masks_of(b.text)]
    flat = text.replace("\n", " ")
    must_not = [s for s in dict.fromkeys(normalize_space(x) for x in leaks) if s and s not in text and s not in flat]
    return {"url": url, "pages": pages, "part": part, "title": title, "speaker": meta.speaker,
            "speaker_title": meta.speaker_title, "occasion": meta.occasion if part is None else occasion_of(title),
            "date": meta.date, "source": meta.source, "text": text, "masks": masks, "must_not_contain": must_not}


def article_records(site: Site, article: Article, base_url: str) -> list[dict[str, Any]]:
    """Gold records of one article: one, or one per 篇 of a compilation."""
    base = base_url.rstrip("/")
    i = article.index
    pages = [base + site.article_path(i, p) for p in range(1, site.page_count(i) + 1)]
    chrome = site.chrome_leaks(article)
    if not article.compilation:
        leaks = chrome + [article.meta.title] + _content_leaks(list(article.blocks))
        record = _record(url=pages[0], pages=pages, part=None, meta=article.meta, title=article.meta.title,
                         blocks=list(article.blocks), leaks=leaks)
        if article.copy_of is not None:  # the republished original: the pair near-dedup must find
            record["copy_of"] = base + site.article_path(article.copy_of)
        return [record]
    head, parts = split_parts(article.blocks)
    shared = chrome + [article.meta.title] + [h.heading for h, _ in parts] + _content_leaks(head)
    out = []
    for k, (heading, blocks) in enumerate(parts, 1):
        part = {"index": k, "count": len(parts), "label": heading.label}
        out.append(_record(url=pages[0], pages=pages, part=part, meta=article.meta, title=heading.text,
                           blocks=blocks, leaks=shared + _content_leaks(blocks)))
    return out


def gold_records(site: str, base_url: str, articles: int = DEFAULT_ARTICLES, *, epoch: int = 0
                 ) -> list[dict[str, Any]]:
    """Every record a perfect crawl of ``site`` (served at ``base_url``) yields at ``epoch``, newest first."""
    s = make_site(site, articles, epoch=epoch)
    out: list[dict[str, Any]] = []
    for i in s.live:
        out += article_records(s, s.article(i), base_url)
    logger.debug("gold %s: %d articles, %d records", site, s.count, len(out))
    return out
