"""The orchestrator: pages of one article in, one clean record per speech out.

Stages, in order (the numbers are repeated in the code):

1. ``parse`` — each page's HTML into a tree (never raises);
2. ``strip_boilerplate`` — hidden copies out, then profile selectors or main-content
   detection (generic mode first takes comment and reply threads out of the page), then
   chrome lines and tail blocks; the pages are then stitched into one stream
   (the first page's title/date/source evidence is read before anything goes);
3. ``remove_injected_ads`` — ad sentences and paywall markers cut from paragraphs;
4. ``find_masks`` — masked names and numbers located (rendered at the end);
5. ``split_compilation`` — one section per 篇 on compilation pages, filler dropped;
6. ``extract_metadata`` — title, speaker, occasion, date, source per section.

Every step is a pure function of its input; removed paragraphs travel along,
marked, so that each record's audit counts exactly what was taken from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Literal

from cleaners.ads import remove_injected_ads
from cleaners.blocks import Para, tally
from cleaners.boilerplate import strip_boilerplate
from cleaners.compilation import split_compilation
from cleaners.masks import find_masks
from cleaners.metadata import Facts, collect_facts, extract_metadata, find_speaker
from cleaners.parse import read_html
from cleaners.patterns import FORM_BLANK, PROSE_LINE
from cleaners.render import render_text
from cleaners.selectors import regexes
from cleaners.stitch import drop_title_lines, stitch_pages
from cleaners.types import CleanOptions, CleanRecord, CleanResult, Page, SiteRules

__all__ = ["clean"]

_DEFAULT_OPTIONS = CleanOptions()


def _merge(audit: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for kind, entry in more.items():
        mine = audit.setdefault(kind, {"count": 0, "chars": 0})
        mine["count"] += entry["count"]
        mine["chars"] += entry["chars"]


def _prose_chars(texts: Sequence[str]) -> int:
    """Characters in lines that read as sentences, or as the fields of a form (姓名：______)."""
    return sum(len(line) for text in texts for line in text.split("\n")
               if PROSE_LINE.search(line) or FORM_BLANK.search(line))


def clean(pages: Sequence[Page], rules: SiteRules | None = None,
          options: CleanOptions = _DEFAULT_OPTIONS) -> CleanResult:
    """Clean the pages of one article (in order); ``rules=None`` is generic mode."""
    if not pages:
        return CleanResult(records=(), mode="generic" if rules is None else "profile", skipped="no pages given")
    facts = Facts()
    streams: list[Sequence[Para]] = []
    page_audit: dict[str, dict[str, int]] = {}
    profiled = False
    titles: list[str | None] = []
    evidence: list[str] = []
    unreadable: list[tuple[int, str]] = []
    for number, page in enumerate(pages):
        parsed = read_html(page.html)                                                       # 1
        tree = parsed.tree
        if parsed.unreadable is not None:
            unreadable.append((number, parsed.unreadable))
        if number == 0:
            facts = collect_facts(tree, rules, page.html)
            headline = find_speaker(facts.title)
            titles = [facts.title, headline[2] if headline else None]
        stripped = strip_boilerplate(tree, rules, page=number, fallback=options.generic_fallback,  # 2
                                     html=page.html)
        if number == 0 and rules is None and stripped.listing:
            return CleanResult(records=(), mode="generic", page_title=facts.title,
                               skipped="a list page: its main block is article titles with excerpts")
        profiled = profiled or stripped.mode == "profile"
        _merge(page_audit, stripped.audit)
        if number == 0:
            evidence.extend(stripped.evidence)
        streams.append(drop_title_lines(stripped.paras, titles))
    paras = stitch_pages(streams)
    chrome = evidence + [p.text for p in paras if p.removed == "chrome"]
    paras = remove_injected_ads(paras, regexes(rules.ads) if rules is not None else ())      # 3
    paras = find_masks(paras)                                                               # 4
    force = rules.compilation if rules is not None else None
    sections = split_compilation(paras, force=force, page_title=facts.title)                # 5
    records: list[CleanRecord] = []
    plain: list[str] = []
    """Each record's text with masks stripped: whether a page holds a speech must not depend on how
    its masks are shown (a "keep" export would otherwise hold records a "strip" export lacks)."""
    for section in sections:
        meta, body = extract_metadata(section.paras, facts, heading=section.heading, chrome=chrome)  # 6
        text, masks = render_text(body, options.mask_mode)
        stripped_text = text if options.mask_mode == "strip" else render_text(body, "strip")[0]
        if not stripped_text:
            continue
        plain.append(stripped_text)
        audit = tally(body, {} if records else {k: dict(v) for k, v in page_audit.items()})
        records.append(CleanRecord(
            text=text, title=meta.title, speaker=meta.speaker, speaker_title=meta.speaker_title,
            occasion=meta.occasion, date=meta.date, source=meta.source, part=section.part,
            masks=masks, audit=audit,
        ))
    mode: Literal["profile", "generic"] = "profile" if profiled else "generic"
    result = partial(CleanResult, mode=mode, page_title=facts.title, unreadable=tuple(unreadable))
    total = sum(map(len, plain))
    if not records:
        if unreadable and unreadable[0][0] == 0:
            return result(records=(), skipped=f"unparsable: {unreadable[0][1]}")
        return result(records=(), skipped="no main text found (a list, index or error page?)")
    if total < options.min_chars:
        return result(records=(), skipped=f"only {total} characters of text (< min_chars {options.min_chars})")
    if rules is None:
        prose = _prose_chars(plain)
        if prose < options.min_prose_chars:
            return result(records=(), skipped=f"only {prose} characters in sentences (< min_prose_chars "
                                              f"{options.min_prose_chars}): a list or index page")
    return result(records=tuple(records))
