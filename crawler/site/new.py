"""``site new NAME --from-url URL``: fetch a sample of a site, propose its profile, record its fixture.

Steps: (1) the ProbeSpider fetches the page at URL and what goes with it — with a list page, its
first articles and its second page; with an article, the list page that links to it (found
through the breadcrumb or the parent directories), then the same — as an ordinary crawl, so every
fetch is archived to ``DATA/warc/NAME/``; (2) spiders.infer proposes every key of the profile from
those pages; (3) the profile is written to ``PROFILES/NAME.toml`` and validated; (4) the WARC is
copied to ``FIXTURES/NAME/`` and replayed through the new profile: the records it gives become the
fixture's expected records, so ``site check NAME`` passes until the site or the cleaners change.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess

from archive.warc import WARC_DIRNAME
from crawler.options import CrawlOptions, crawl_settings
from crawler.paths import new_crawl_id
from crawler.site.check import check_fixture
from crawler.site.fixture import Fixture, Manifest
from spiders.infer.article import Sample, analyse_articles
from spiders.infer.proposal import Proposal, propose_encoding
from spiders.probe import ProbeSpider
from spiders.profiles import USER_PROFILES_DIR, ProfileError, SiteProfile, fixture_dir, load_profile

logger = logging.getLogger(__name__)

__all__ = ["NewSite", "NewSiteError", "is_loopback", "new_site"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class NewSiteError(RuntimeError):
    """``site new`` cannot go on; ``exit_code`` 2 for bad input, 1 when the site gave nothing to work with."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class NewSite:
    profile: SiteProfile
    path: Path
    fixture: Path
    records: int
    kind: str
    pages: int
    notes: list[str] = field(default_factory=list)
    stated_pages: int | None = None
    """List pages the pager of the start page states (共N页, a script's count, its last number)."""
    first_page_articles: int = 0
    """Article links on the start page."""

    def report(self) -> str:
        rules = self.profile.rules
        assert rules is not None
        lines = [f"{self.profile.name}: --from-url is {'an article' if self.kind == 'article' else 'a list page'}; "
                 f"{self.pages} pages fetched and archived",
                 f"  profile  {_shown(self.path)}",
                 f"    start_urls {list(self.profile.start_urls)}",
                 f"    content {list(rules.content)}  title {list(rules.title)}  date {list(rules.date)}  "
                 f"source {list(rules.source)}",
                 f"    next_page {list(self.profile.next_page)}  encoding {self.profile.encoding!r}",
                 f"  fixture  {_shown(self.fixture)} ({self.records} expected records)",
                 *[f"  note: {n}" for n in self.notes],
                 f"next: review {self.path.name}, then `speechcrawl site check {self.profile.name}` and "
                 f"`speechcrawl site check --live {self.profile.name}`"]
        return "\n".join(lines)


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _probe(url: str, name: str, data: Path, crawl_id: str, allow_private: bool) -> ProbeSpider:
    # A server on this very machine (the sandbox) needs no politeness delay; anything else gets it.
    settings = crawl_settings(CrawlOptions(
        data_dir=data, crawl_id=crawl_id, allow_private=allow_private, sandbox=allow_private and is_loopback(url),
        overrides={
            # A sample, not a crawl of the site: no catalog rows, no health verdict; the WARC is the record.
            "SPEECHCRAWL_CATALOG_ENABLED": False, "SPEECHCRAWL_HEALTH_ENABLED": False, "CONCURRENT_REQUESTS": 4}))
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, "cmdline")
    process = CrawlerProcess(settings)  # (re)configures logging: quieten after it
    quiet = logging.getLogger("scrapy.middleware")  # it warns about the two components switched off above
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        crawler = process.create_crawler(ProbeSpider)
        process.crawl(crawler, url=url, site=name)
        process.start()
    finally:
        quiet.setLevel(level)
    assert isinstance(crawler.spider, ProbeSpider)
    return crawler.spider


def _samples(spider: ProbeSpider) -> list[Sample]:
    out = []
    for index in sorted(spider.articles):
        urls = [u for u in spider.articles[index] if u in spider.html]
        if urls:
            out.append(Sample(urls=tuple(urls), pages=tuple(spider.html[u] for u in urls)))
    return out


def new_site(name: str, url: str, *, data: Path, profiles_dir: Path | None, fixtures: Path | None = None,
             allow_private: bool = False, force: bool = False) -> NewSite:
    """Propose ``PROFILES/NAME.toml`` and record ``FIXTURES/NAME/`` from a sample fetched from ``url``."""
    if not _NAME.match(name):
        raise NewSiteError(f"bad site name {name!r}: lower-case letters, digits, '-' or '_', starting with a letter")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise NewSiteError(f"--from-url must be an absolute http(s) URL, got {url!r}")
    path = (profiles_dir or USER_PROFILES_DIR) / f"{name}.toml"
    if path.exists() and not force:
        raise NewSiteError(f"{path} exists: pick another name, or --force to replace it and its fixture")
    crawl_id = new_crawl_id()
    spider = _probe(url, name, data, crawl_id, allow_private)
    samples = _samples(spider)
    if spider.listing is None or not samples:
        why = "; ".join(spider.problems) or "nothing was fetched (robots.txt, a private address without " \
                                            "--allow-private, or the site did not answer)"
        raise NewSiteError(f"cannot propose a profile for {url}: {why}", exit_code=1)
    rules = analyse_articles(samples)
    if rules.content is None:
        raise NewSiteError(f"cannot propose a profile for {url}: no element holds the main text of the sample "
                           "articles (are they articles?); give another --from-url", exit_code=1)
    charsets = [spider.charsets[u] for s in samples for u in s.urls]
    proposal = Proposal(name=name, from_url=url, start_url=spider.listing.url, listing=spider.listing,
                        article=rules, samples=len(samples), encoding=propose_encoding(charsets),
                        start_is_article=spider.no_list)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(proposal.toml(), encoding="utf-8")
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        path.unlink()
        raise NewSiteError(f"the proposed profile does not validate (a bug in `site new`): {exc}", 1) from exc
    warcs = sorted((data / WARC_DIRNAME / name).glob(f"{name}-{crawl_id}-*.warc.gz"))
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(spider.listing.url))
    manifest = Manifest(site=name, origin=origin, crawl_id=crawl_id, how=f"speechcrawl site new {name} --from-url {url}",
                        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"), scope="probe")
    fixture = Fixture.create(fixture_dir(profile, fixtures), manifest, warcs)
    if fixture.expected_path.exists():
        fixture.expected_path.unlink()
    result = check_fixture(profile, fixture, update=True)
    notes = list(spider.problems)
    if rules.evidence["content"].startswith("REVIEW"):
        notes.append(f"content: {rules.evidence['content']}")
    return NewSite(profile=profile, path=path, fixture=fixture.directory, records=result.records, kind=spider.kind,
                   pages=len(spider.html), notes=notes, stated_pages=spider.listing.stated_pages,
                   first_page_articles=len(spider.listing.article_urls))
