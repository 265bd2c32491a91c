"""``site new --check``: crawl a sample with the proposal right away and print coverage signals.

A proposal that reaches page 1 of a list only, or that takes list pages for articles, looks fine
in the TOML; a few minutes of crawling shows it.  The sample is the first ``lists`` list pages and
``articles`` article links (crawler.spidermiddlewares.sample), crawled by the ordinary crawl command
in a child process (``site new`` has already run its own Twisted reactor, which does not restart)
into ``DATA/check/``.  The signals: list pages reached against the number the pager states,
articles per list page against what page 1 lists, records with no text or no date.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from corpus.catalog import CATALOG_NAME, Catalog
from crawler.paths import new_crawl_id
from spiders.profiles import SiteProfile

logger = logging.getLogger(__name__)

__all__ = ["SampleCheck", "CHECK_ARTICLES", "CHECK_LISTS", "check_sample"]

CHECK_LISTS = 3
CHECK_ARTICLES = 20
_TIMEOUT = 900
"""Seconds the sample crawl may take (a polite crawl of ~25 pages at a few seconds each, with room)."""
_LOW = 0.5
"""An article count below this share of what list page 1 links to is worth a warning."""


@dataclass
class SampleCheck:
    lists: int = 0
    articles: int = 0
    records: int = 0
    empty: int = 0
    undated: int = 0
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def report(self) -> str:
        return "\n".join(["check: a sample crawled with the proposal as it is", *(f"  {x}" for x in self.lines),
                          *(f"  WARNING: {w}" for w in self.warnings)])


def _crawl(profile: SiteProfile, profiles_dir: Path, data: Path, crawl_id: str, allow_private: bool,
           loopback: bool, lists: int, articles: int) -> subprocess.CompletedProcess[str]:
    access = ["--sandbox"] if allow_private and loopback else ["--allow-private"] if allow_private else []
    argv = [sys.executable, "-m", "crawler.cli", "crawl", profile.name, "--profiles", str(profiles_dir),
            "--data", str(data), "--crawl-id", crawl_id, "--no-progress", *access,
            "-s", f"SPEECHCRAWL_SAMPLE_LISTS={lists}", "-s", f"SPEECHCRAWL_SAMPLE_ARTICLES={articles}"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False)


def check_sample(profile: SiteProfile, profiles_dir: Path, data: Path, *, allow_private: bool, loopback: bool,
                 stated_pages: int | None, first_page_articles: int, lists: int = CHECK_LISTS,
                 articles: int = CHECK_ARTICLES) -> SampleCheck:
    """Crawl ``lists`` list pages and ``articles`` articles of ``profile`` into ``data`` and judge them."""
    crawl_id = new_crawl_id()
    proc = _crawl(profile, profiles_dir, data, crawl_id, allow_private, loopback, lists, articles)
    out = SampleCheck()
    if proc.returncode not in (0, 1):  # 1: the health monitors warned, which the signals below cover
        out.warnings.append(f"the sample crawl failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
        return out
    catalog = Catalog(data / CATALOG_NAME)
    try:
        # Answered pages only: an old address answering 301 is not one more article.
        urls = [u for (u,) in catalog.conn.execute("SELECT url FROM fetches WHERE crawl_id = ? AND status < 300",
                                                    (crawl_id,))]
        records = list(catalog.iter_records(profile.name))
    finally:
        catalog.close()
    paths = {u.split("://", 1)[-1].partition("/")[2] for u in urls}
    out.lists = sum(1 for p in paths if profile.links.is_list("/" + p) and not profile.links.is_article("/" + p))
    out.articles = sum(1 for p in paths if profile.links.is_article("/" + p))
    out.records = len(records)
    out.empty = sum(1 for r in records if not (r.get("text") or "").strip())
    out.undated = sum(1 for r in records if not r.get("date"))
    wanted = min(lists, stated_pages) if stated_pages else lists
    stated = f"the pager states {stated_pages}" if stated_pages else "the pager states no count"
    out.lines.append(f"list pages reached: {out.lists} of the {wanted} sampled ({stated})")
    per_list = out.articles / out.lists if out.lists else 0.0
    out.lines.append(f"articles reached: {out.articles} ({per_list:.1f} per list page; list page 1 links "
                     f"{first_page_articles})")
    out.lines.append(f"records: {out.records}; {out.empty} with empty text, {out.undated} without a date")
    if out.lists < wanted:
        out.warnings.append(f"only {out.lists} list page(s) reached of {wanted}: [links] list or restrict misses "
                            "the pager")
    if out.articles < _LOW * min(articles, first_page_articles * max(out.lists, 1)):
        out.warnings.append("fewer articles than the list pages link to: check [links] article")
    if out.records and out.empty > _LOW * out.records:
        out.warnings.append("most records have no text: check [article] content")
    if out.records and out.undated > _LOW * out.records:
        out.warnings.append("most records have no date: check [article] date")
    if out.records > out.articles:
        out.warnings.append(f"{out.records - out.articles} more records than articles: list or reply pages are "
                            "being cleaned as articles")
    return out
