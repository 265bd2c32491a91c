"""A proposed profile, written as the TOML a maintainer would write, with a comment on every key.

The comments say what each key means and what on the sample pages supports the value, so a
reviewer can judge the proposal without re-deriving it; keys with nothing to propose are written
empty with a hint, so the file shows every knob there is.  The result is validated by
:func:`spiders.profiles.load_profile` before anyone sees it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from spiders.infer.article import ArticleRules
from spiders.infer.listing import ListAnalysis

__all__ = ["Proposal", "propose_encoding"]

_NON_UTF8 = {"gbk": "gbk", "gb2312": "gbk", "gb18030": "gb18030", "big5": "big5"}


def _s(value: str) -> str:
    """A TOML string: literal ('…') when possible, so regexes read as written."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _array(values: Sequence[str], notes: Sequence[str] = (), indent: str = "    ") -> str:
    if not values:
        return "[]"
    if not any(notes) and sum(len(v) + 4 for v in values) < 80:
        return "[" + ", ".join(_s(v) for v in values) + "]"
    lines = [f"{indent}{_s(v)},{'  # ' + n if n else ''}" for v, n in zip(values, [*notes, *[""] * len(values)],
                                                                          strict=False)]
    return "[\n" + "\n".join(lines) + "\n]"


def propose_encoding(charsets: Sequence[tuple[str | None, str | None]]) -> tuple[str, str]:
    """("auto" or a codec, why): a codec only when every sample declares and decodes as the same non-UTF-8 one."""
    chosen = {(_NON_UTF8.get((d or "").lower().strip("\"' ")), (e or "").lower()) for d, e in charsets}
    if len(chosen) == 1:
        declared, decoded = chosen.pop()
        if declared and decoded.startswith("gb" if declared.startswith("gb") else declared):
            return declared, f"every sample page declares {declared} and decodes as such"
    return "auto", "UTF-8 or mixed evidence: let the header, <meta> and trial decoding decide per page"


@dataclass
class Proposal:
    name: str
    from_url: str
    start_url: str
    listing: ListAnalysis
    article: ArticleRules
    samples: int
    encoding: tuple[str, str] = ("auto", "")
    notes: list[str] = field(default_factory=list)
    start_is_article: bool = False
    """No list page links to the article given: the crawl starts (and stays) at the article."""

    def _article_table(self) -> list[str]:
        a = self.article
        ev = a.evidence
        drop_notes = [ev.get(f"drop:{s}", "") for s in a.drop]
        return [
            "[article]",
            "# The element that holds the speech text; the first selector that matches wins.  When none matches",
            "# the cleaners fall back to main-content detection and `speechcrawl site check --live` says so.",
            f"content = {_array([a.content] if a.content else [])}"
            f"{'  # ' + ev['content'] if 'content' in ev else '  # none found: main-content detection'}",
            "# Elements removed, with their text, before the text is read (widgets inside the content).",
            f"drop = {_array(a.drop, drop_notes)}",
            f"# The headline ({ev.get('title', 'none found: the cleaners use <title> and <h1>')}).",
            f"title = {_array([a.title] if a.title else [])}",
            f"# The publication date ({ev.get('date', 'none found: meta tags and lines near the title are tried')}).",
            f"date = {_array([a.date] if a.date else [])}",
            f"# Where the text comes from, 来源 ({ev.get('source', 'none found: 来源 lines are read generically')}).",
            f"source = {_array([a.source] if a.source else [])}",
            "# A headline that names the speaker (\"…书记张三:…\"); none proposed.",
            "author = []",
            f"# The link to the next page of a long article ({ev.get('next_page', '')}).",
            f"next_page = {_array([a.next_page] if a.next_page else [])}",
            "# Regexes cut from the title (page-number suffixes of later pages"
            f"{': ' + ev['title_strip'] if 'title_strip' in ev else ''}).",
            f"title_strip = {_array(a.title_strip)}",
        ]

    def toml(self) -> str:
        lst = self.listing
        lines = [
            f"# Profile for {self.name!r}, proposed on {date.today().isoformat()} by",
            f"#   speechcrawl site new {self.name} --from-url {self.from_url}",
            f"# from {self.samples} sample article(s) and their list page (the fetches are the WARC of",
            f"# spiders/profiles/fixtures/{self.name}/).  Each comment says what supports the value.  Review it, then run",
            f"# `speechcrawl site check {self.name}` and `speechcrawl site check --live {self.name}`.",
            f"name = {json.dumps(self.name)}  # profile name = spider name = the records' \"site\"",
            f"description = {json.dumps('proposed from ' + self.from_url, ensure_ascii=False)}  # for humans",
            ("# Where a crawl starts: REVIEW: no list page linking to the article was found, so the crawl fetches"
             " only\n# the article; put the site's list page here and its pattern in [links] list."
             if self.start_is_article else "# Where a crawl starts: page 1 of the list of articles."),
            f"start_urls = {_array([self.start_url])}",
            f"encoding = {json.dumps(self.encoding[0])}  # {self.encoding[1]}",
            "",
            "[links]",
            "# Only links matching these regexes (searched in path + query) are followed.",
            ("# List pages: none found; this matches the start article only." if self.start_is_article else
             "# List pages: the list as given and the pages its pager (links or script) leads to."),
            f"list = {_array([lst.list_regex])}",
            "# Article pages: every address shape among the list's title links (an old one may answer 301).",
            f"article = {_array(lst.article_regexes)}",
            "# Where on a list page links are taken from: the article list and its pager, not menus or sidebars.",
            f"restrict = {_array(lst.restrict)}",
            "",
            *self._article_table(),
            "",
            "[clean]",
            "# Regexes of whole lines (paragraphs) that are site furniture: none proposed.  Add them after",
            "# reading the records (`speechcrawl site check` shows them), e.g. '^(根据录音整理)$'.",
            "drop_lines = []",
            "# Regexes of sentences the site injects into paragraphs (cut out, the paragraph kept): none proposed.",
            "ads = []",
            "# The date a record carries when a page states two: \"speech\", the dateline under the speaker",
            "# (the day it was given), else the page's; \"page\", the page's publication date (the `date`",
            "# selector, else a line labelled 发布时间 / 发表于 …), else the dateline.",
            'date_from = "speech"',
        ]
        if self.article.compilation is None:
            lines.append("# compilation: not set, so each page is checked for several speeches (篇一 …) on its own.")
        else:
            lines.append(f"compilation = {str(self.article.compilation).lower()}  "
                         f"# {self.article.evidence.get('compilation', '')}")
        return "\n".join(lines) + "\n"
