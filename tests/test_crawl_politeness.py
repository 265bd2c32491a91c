"""End to end: politeness and limits of a real crawl (robots Crawl-delay, user agent, --max-*)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from corpus.catalog import Catalog
from crawler.options import CrawlOptions, crawl_settings
from sandbox import SandboxProcess
from sandbox.sites import make_site
from tests import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def polite_sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(sites=["wenmi", "sucai", "ribao"],
                        faults=["crawl-delay@sucai:seconds=0.4", "slow@ribao:kind=any,seconds=0.8"]) as sb:
        yield sb


def _crawl(sb: SandboxProcess, site: str, data: Path, *args: str) -> dict[str, Any]:
    proc = run_cli("crawl", site, "--sandbox", "--no-progress", "--data", str(data),
                   f"--origin={site}={sb.urls[site]}", *args, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    catalog = Catalog(data / "catalog.sqlite")
    row = dict(catalog.conn.execute("SELECT status, stats FROM crawls").fetchone())
    fetched = catalog.fetched_urls()
    catalog.close()
    return {"status": row["status"], "stats": json.loads(row["stats"]), "fetched": fetched, "out": proc.stdout}


def test_crawl_delay_user_agent_and_max_pages(polite_sandbox: SandboxProcess, tmp_path: Path) -> None:
    run = _crawl(polite_sandbox, "sucai", tmp_path, "--max-pages", "6", "--contact", "mailto:ops@example.org")
    assert run["status"] == "closespider_pagecount"
    # Crawl-delay 0.4 s: every request after robots.txt and the first one waited its turn.
    assert run["stats"]["speechcrawl/pacing/waits"] >= 4
    assert run["stats"]["speechcrawl/pacing/waited_seconds"] >= 0.4 * 4 * 0.9
    agents = set()
    for path in (tmp_path / "warc").rglob("*.warc.gz"):
        with path.open("rb") as fh:
            agents |= {r.http_headers.get_header("User-Agent") for r in ArchiveIterator(fh) if r.rec_type == "request"}
    assert agents == {"Mozilla/5.0 (compatible; speechcrawl/0.1; +mailto:ops@example.org)"}


def test_max_duration_ends_a_slow_crawl(polite_sandbox: SandboxProcess, tmp_path: Path) -> None:
    run = _crawl(polite_sandbox, "ribao", tmp_path, "--max-duration", "1")
    assert run["status"] == "closespider_timeout"


def test_max_depth_stops_at_the_first_list_page(polite_sandbox: SandboxProcess, tmp_path: Path) -> None:
    run = _crawl(polite_sandbox, "wenmi", tmp_path, "--max-depth", "1")
    site = make_site("wenmi")
    reached = {u.split(":", 2)[2].split("/", 1)[1] for u in run["fetched"]}
    first_list = {site.link_path(i).lstrip("/") for i in site.on_list(1)}
    second_list = {site.link_path(i).lstrip("/") for i in site.on_list(2)}
    assert first_list <= reached and not second_list & reached
    assert run["status"] == "finished"


def test_bad_contact_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("crawl", "wenmi", "--contact", "me at home", "--data", str(tmp_path), timeout=60)
    assert proc.returncode == 2 and "--contact must be an http(s) URL or a mailto:" in proc.stderr


def test_real_sites_get_autothrottle_a_delay_and_the_ssrf_guard(tmp_path: Path) -> None:
    real = crawl_settings(CrawlOptions(data_dir=tmp_path))
    assert real.getbool("AUTOTHROTTLE_ENABLED") and real.getfloat("DOWNLOAD_DELAY") > 0
    assert real.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4 and real.getbool("ROBOTSTXT_OBEY")
    assert not real.getbool("SPEECHCRAWL_SSRF_ALLOW_PRIVATE") and real.getint("DOWNLOAD_MAXSIZE") == 20 << 20
    sandbox = crawl_settings(CrawlOptions(data_dir=tmp_path, sandbox=True))
    assert not sandbox.getbool("AUTOTHROTTLE_ENABLED") and sandbox.getfloat("DOWNLOAD_DELAY") == 0
