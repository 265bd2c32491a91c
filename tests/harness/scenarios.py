"""Fault scenarios: a broken sandbox site, and what a correct crawl of it must show afterwards.

One scenario = one fault mode on one site.  Its expectation is computed without any crawler code,
from the gold records and :meth:`FaultRule.hits`: which records must be exported (with exactly the
text a clean crawl gives), which pages must be listed as failed and with which kind, and which
records may come out shorter (an article whose page 2 failed).  Batches put up to five scenarios, one
per site, into one crawl; the tests (``tests/test_crawl_faults.py``) and the reliability report
(``bench/reliability.py``) run the same batches through :mod:`tests.harness.crawls`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sandbox.faults import parse_fault
from sandbox.gold import gold_records
from sandbox.sites import make_site

logger = logging.getLogger(__name__)

__all__ = ["Scenario", "Batch", "Expected", "BATCHES", "expected", "Key", "key_of", "path_of", "duplicates"]

Key = tuple[str, int | None]
"""A record by path and part: the same across sandboxes on different ports (ids hash the port too)."""


def path_of(url: str) -> str:
    """Path and query of ``url``: how a sandbox site names its pages."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def key_of(record: dict[str, Any]) -> Key:
    part = record.get("part")
    return path_of(record["url"]), (part["index"] if part else None)


@dataclass(frozen=True)
class Scenario:
    """``fault`` is a spec without its site (``reset:every=4``); ``outcome`` says what must happen:

    failed: hit pages are listed as failed with ``kind``, every other record is exported intact;
    recovered / intact: every record is exported with the clean crawl's text (faults were transient,
    or a content quirk the decoder and cleaners must see through); bounded: an endless trap that only
    the crawl's limits (``Batch.args``: depth, pages) can end; the crawl ending at all is the test.  In generic mode (every link followed) the site's own
    dead links are 404s, so there only 404s may be listed as failed.
    """

    name: str
    site: str
    fault: str
    outcome: str
    kind: str = ""

    @property
    def spec(self) -> str:
        mode, sep, options = self.fault.partition(":")
        return f"{mode}@{self.site}" + (f":{options}" if sep else "")


@dataclass(frozen=True)
class Batch:
    name: str
    scenarios: tuple[Scenario, ...]
    args: tuple[str, ...] = ()
    generic: bool = False
    """Crawl the sites by URL (no profile): traps only bite a crawler that follows every link."""


BATCHES: tuple[Batch, ...] = (
    Batch("failing servers", (
        Scenario("connection reset mid-body", "wenmi", "reset:every=4", "failed", "data_loss"),
        Scenario("slow responses past the timeout", "fanwen", "slow:every=5,seconds=3", "failed", "timeout"),
        Scenario("truncated gzip", "wendang", "gzip-truncated:every=4", "failed", "truncated_body"),
        Scenario("503 that never ends", "sucai", "burst:every=4,status=503", "failed", "http"),
        Scenario("redirect loop", "ribao", "redirect-loop:every=4", "failed", "redirect_loop"),
    ), args=("-s", "DOWNLOAD_TIMEOUT=1.5")),
    Batch("bad bodies", (
        Scenario("200 MB body (Content-Length)", "wenmi", "big-body:every=5", "failed", "too_large"),
        Scenario("200 MB body (streamed, no length)", "fanwen", "big-body:every=8,length=0", "failed", "too_large"),
        Scenario("gzip bomb (32 MB inflated)", "wendang", "gzip-bomb:every=8,mb=32", "failed", "too_large"),
        Scenario("random binary under text/html", "sucai", "binary:every=4", "failed", "undecodable"),
        Scenario("PDF behind an article link", "ribao", "non-html:every=4", "failed", "non_html"),
    )),
    Batch("transient faults", (
        Scenario("burst of 500 (2 per page)", "wenmi", "burst:every=2,status=500,times=2", "recovered"),
        Scenario("burst of 429 + Retry-After: 1", "fanwen", "burst:every=3,status=429,retry_after=1,times=2",
                 "recovered"),
        Scenario("slow once, then fast", "wendang", "slow:every=3,seconds=2.5,times=1", "recovered"),
        Scenario("reset twice, then whole", "sucai", "reset:every=3,times=2", "recovered"),
        Scenario("503 + Retry-After as HTTP-date", "ribao", "burst:every=3,status=503,retry_after=@1,times=1",
                 "recovered"),
    ), args=("-s", "DOWNLOAD_TIMEOUT=1.5")),
    Batch("mislabelled and broken pages", (
        Scenario("mislabelled charsets (GBK as UTF-8, GB18030, Big5, BOM, meta conflict, none)", "wenmi",
                 "charset:kind=any", "intact"),
        Scenario("mislabelled charsets on a UTF-8 site", "fanwen", "charset:kind=any", "intact"),
        Scenario("NUL bytes in the HTML", "wendang", "nul:kind=any", "intact"),
        Scenario("broken, truncated HTML", "sucai", "broken-html:kind=any", "intact"),
        Scenario("charsets on paginated and newspaper pages", "ribao", "charset:kind=any", "intact"),
    )),
    Batch("traps (generic mode)", (
        Scenario("infinite calendar", "wenmi", "calendar", "intact"),
        Scenario("session ids in every link (PHPSESSID, canonicalised away)", "sucai", "session-id:param=PHPSESSID",
                 "intact"),
        Scenario("offsite links on every page", "fanwen", "offsite:kind=any", "intact"),
        Scenario("unknown session ids in every link (a new URL per view)", "ribao", "session-id", "bounded"),
    ), args=("--max-depth", "3", "--max-pages", "250"), generic=True),
)


@dataclass
class Expected:
    """What a correct crawl of one scenario's site shows."""

    records: int
    hit: int = 0
    """Article pages the fault breaks (for a transient fault: at first)."""
    intact: set[Key] = field(default_factory=set)
    partial: set[Key] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    """Path of each page that must be listed as failed -> its kind."""


def expected(scenario: Scenario, base_url: str, articles: int | None = None) -> Expected:
    """The expectation of ``scenario`` on a sandbox site served at ``base_url``."""
    site = make_site(scenario.site, articles)
    gold = gold_records(scenario.site, base_url, site.count)
    out = Expected(records=len(gold))
    rule = parse_fault(scenario.spec)
    out.hit = sum(rule.hits(site, page) for page in {path_of(url) for g in gold for url in g["pages"]})
    if scenario.outcome == "bounded":
        return out
    if scenario.outcome != "failed":
        out.intact = {key_of(g) for g in gold}
        return out
    first_pages = {site.article_path(i): site.link_path(i) for i in range(site.count)}
    for record in gold:
        paths = [path_of(url) for url in record["pages"]]
        hit = [p for p in paths if rule.hits(site, p)]
        if not hit:
            out.intact.add(key_of(record))
        elif hit[0] == paths[0]:
            out.failed[first_pages[paths[0]]] = scenario.kind
        else:  # the article is kept up to its first bad page; the pages after it are never asked for
            out.partial.add(key_of(record))
            out.failed[hit[0]] = scenario.kind
    if not out.failed:
        raise ValueError(f"scenario {scenario.name!r} hits no page of {scenario.site}: choose another `every`")
    return out


def duplicates(records: list[dict[str, Any]]) -> int:
    """Records exported more than once (by id, and by path + part)."""
    by_id = Counter(r["id"] for r in records)
    by_key = Counter(key_of(r) for r in records)
    return sum(n - 1 for n in by_id.values() if n > 1) + sum(n - 1 for n in by_key.values() if n > 1)
