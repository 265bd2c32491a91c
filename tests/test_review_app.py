"""`speechcrawl serve`: every page in headless Chromium after the sandbox crawl, and its security.

What a person sees is asserted: the sites' record counts, the crawls and their reports, search
results and pages, the removed spans of a known sandbox article in place, versions with a diff,
the near-duplicate cluster; a console error, failed request or dialog anywhere fails the test.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from cleaners.types import Page
from corpus.records import record_id
from crawler.cli import main
from crawler.review.archived import archived_pages, inert_html
from crawler.review.spans import annotate
from sandbox import SITES, SandboxProcess
from sandbox.model import ads_of, masks_of
from sandbox.sites import make_site
from spiders.profiles import load_profiles
from tests import CLI, ArchivedCrawl
from tests.browser import shot, watched
from tests.review_server import fetch, serving

EVIL_TITLE = '"><img src=x onerror=alert(1)>'
EVIL_TEXT = "<script>alert(2)</script>"


@pytest.fixture(scope="module")
def app(five_site_crawl: ArchivedCrawl) -> Iterator[str]:
    with serving(five_site_crawl.data) as url:
        yield url


def _squash(text: str) -> str:
    return "".join(text.split())


def _rows(data: Path, sql: str, *args: Any) -> list[Any]:
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def _known_article(sandbox: SandboxProcess, site: str) -> tuple[str, list[str], list[str]]:
    """URL, injected ads and masks of the first sandbox article of ``site`` with injected ads."""
    s = make_site(site)
    for i in s.live:
        article = s.article(i)
        ads = [ad for b in article.blocks for ad in ads_of(b.text)]
        if ads and article.copy_of is None:
            url = sandbox.urls[site].rstrip("/") + s.article_path(i)
            return url, ads, [m for b in article.blocks for m in masks_of(b.text)]
    raise AssertionError(f"no article with injected ads on {site}")


# -- the removed spans, recomputed -------------------------------------------------------------

def test_kept_spans_are_exactly_each_records_text(five_site_crawl: ArchivedCrawl) -> None:
    """For records of every site and mode, the view's kept segments are their text: the view follows the cleaners.

    Eight records per site (compilation parts and multi-page articles among them) keep the test quick;
    all 300 records of the crawl were checked once by hand the same way, with no difference.
    """
    data = five_site_crawl.data
    profiles = load_profiles()
    kinds: set[str] = set()
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        rows = [json.loads(r[0]) for r in conn.execute(
            "SELECT record FROM (SELECT record, row_number() OVER (PARTITION BY site ORDER BY"
            " json_extract(record, '$.part') IS NULL, json_array_length(record, '$.pages') DESC, url) AS n"
            " FROM records WHERE is_latest = 1) WHERE n <= 8")]
        assert len(rows) == 8 * len(SITES)
        for rec in rows:
            profile = profiles[rec["site"]]
            pages = archived_pages(conn, data, rec, None if profile.encoding == "auto" else profile.encoding)
            blocks = annotate([Page(url=p.url, html=p.html or "") for p in pages],
                              None if rec["mode"] == "generic" else profile.rules, (rec.get("part") or {}).get("index"))
            kept = "".join(s.text for b in blocks for s in b.segments if s.kind is None)
            assert _squash(kept) == _squash(rec["text"]), rec["id"]
            kinds |= {s.kind for b in blocks for s in b.segments if s.kind}
    assert {"chrome", "injected_ads", "masks", "tail_blocks"} <= kinds


def test_archived_html_is_made_inert() -> None:
    page = inert_html(f'<html><head><script>alert(1)</script><link rel=stylesheet href="http://x/s.css"><base '
                      f'href="http://evil/"></head><body onload="alert(3)"><p>正文{html.escape(EVIL_TITLE)}</p>'
                      '<img src="http://x/a.png"><a href="javascript:alert(4)">链接</a><iframe src="/x"></iframe>'
                      '<form action="/post"><input></form></body></html>')
    doc = lxml.html.fromstring(page)
    assert doc.cssselect("script, link, base, iframe, form, img[src]") == []
    assert [a.get("href") for a in doc.cssselect("a")] == [None] and doc.cssselect("body")[0].get("onload") is None
    assert doc.cssselect("p")[0].text_content() == f"正文{EVIL_TITLE}"


# -- security over HTTP ----------------------------------------------------------------------

def test_read_only_loopback_and_headers(app: str, five_site_crawl: ArchivedCrawl) -> None:
    rid = _rows(five_site_crawl.data, "SELECT id FROM records LIMIT 1")[0][0]
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, _ = fetch(f"{app}/records", method)
        assert (status, headers["Allow"]) == (405, "GET, HEAD"), method
    # A DNS-rebinding page reaches 127.0.0.1 under its own name: refused.
    assert fetch(f"{app}/", headers={"Host": "evil.example:80"})[0] == 421
    status, headers, body = fetch(f"{app}/")
    assert status == 200 and "script-src" not in headers["Content-Security-Policy"]
    assert headers["Content-Security-Policy"].startswith("default-src 'none'") and b"<script" not in body
    status, headers, body = fetch(f"{app}/records/{rid}/page/0")
    assert status == 200 and headers["Content-Security-Policy"].startswith("sandbox;") and b"<script" not in body
    status, headers, body = fetch(f"{app}/records/{rid}/warc/0")
    assert status == 200 and headers["Content-Type"] == "application/warc" and body[:2] == b"\x1f\x8b"
    assert headers["Content-Disposition"] == f'attachment; filename="{rid}-0.warc.gz"'
    for path in ("/records/../../etc/passwd", "/crawls/..%2F..%2Fetc/passwd", "/static/../app.py",
                 f"/records/{rid}/page/99", "/records/zzzz", "/crawls/nosuch/wenmi"):
        assert fetch(app + path)[0] == 404, path


def test_downloaded_warc_record_is_the_archived_response(app: str, five_site_crawl: ArchivedCrawl,
                                                         tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    rec = json.loads(_rows(five_site_crawl.data, "SELECT record FROM records WHERE site = 'ribao' LIMIT 1")[0][0])
    body = fetch(f"{app}/records/{rec['id']}/warc/0")[2]
    (tmp_path / "r.warc.gz").write_bytes(body)
    with (tmp_path / "r.warc.gz").open("rb") as f:
        records = list(ArchiveIterator(f))
    assert [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in records] == [("response", rec["url"])]


def test_serve_command_binds_loopback_and_warns_for_another_address(five_site_crawl: ArchivedCrawl) -> None:
    for extra, warned in (([], False), (["--bind", "127.0.0.2"], True)):
        proc = subprocess.Popen([*CLI, "serve", "--data", str(five_site_crawl.data), "--port", "0", *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stderr is not None
            url = proc.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.[12]:\d+/", url), url
            assert url.startswith("http://127.0.0.2") == warned
            deadline = time.monotonic() + 20
            while fetch(url)[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert b"<h1>Sites</h1>" in fetch(url)[2]
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        assert ("warning: serving on 127.0.0.2" in proc.stderr.read()) == warned
    assert main(["serve", "--data", "/nonexistent-dir"]) == 1


def test_serve_help_ends_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1].strip().startswith("speechcrawl serve")


# -- every page in the browser ----------------------------------------------------------------

def test_sites_and_crawls_pages(app: str, browser: Any, five_site_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    data = five_site_crawl.data
    counts = dict(_rows(data, "SELECT site, COUNT(*) FROM records WHERE is_latest = 1 GROUP BY site"))
    with watched(browser, tmp_path) as (page, _):
        page.goto(app + "/")
        assert page.get_by_role("heading", level=1).inner_text() == "Sites"
        shown = {r.get_attribute("data-site"): int(r.locator("td.records").inner_text())
                 for r in page.locator("#sites tbody tr").all()}
        assert shown == counts and set(shown) == set(SITES)
        assert page.locator("#sites .good").count() == 5  # the sandbox crawl is healthy
        shot(page, tmp_path, "sites")
        page.get_by_role("link", name="Crawls").click()
        assert page.locator("#crawls tbody tr").count() == 5
        shot(page, tmp_path, "crawls")
        page.locator("#crawls tbody tr", has_text="wenmi").get_by_role("link").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Crawl report: wenmi"
        pages = _rows(data, "SELECT COUNT(*) FROM fetches WHERE site = 'wenmi'")[0][0]
        assert page.locator('dd[data-key="pages"]').inner_text() == str(pages)
        assert page.locator("#chart-status rect.bar").count() >= 1


def test_record_search_and_pagination(app: str, browser: Any, five_site_crawl: ArchivedCrawl,
                                      tmp_path: Path) -> None:
    data = five_site_crawl.data
    total = _rows(data, "SELECT COUNT(*) FROM records WHERE is_latest = 1")[0][0]
    term = "经济"
    matching = _rows(data, "SELECT COUNT(*) FROM records WHERE is_latest = 1 AND (instr(json_extract(record,"
                     " '$.text'), ?) > 0 OR instr(json_extract(record, '$.title'), ?) > 0)", term, term)[0][0]
    speaker, site, n = _rows(data, "SELECT json_extract(record, '$.speaker') s, site, COUNT(*) FROM records WHERE"
                             " is_latest = 1 AND s IS NOT NULL GROUP BY s, site ORDER BY 3 DESC LIMIT 1")[0]
    with watched(browser, tmp_path) as (page, _):
        page.goto(app + "/records")
        assert page.locator("#records tbody tr").count() == 50
        page.get_by_role("link", name="Next page →").click()
        assert page.locator("#result-summary").inner_text().startswith("Records 51–100")
        page.get_by_role("link", name="← Previous page").click()
        assert page.locator("#result-summary").inner_text().startswith("Records 1–50")
        last = (total - 1) // 50 + 1
        page.goto(f"{app}/records?page={last}")
        assert page.locator("#records tbody tr").count() == total - (last - 1) * 50
        assert page.get_by_role("link", name="Next page →").count() == 0
        page.goto(app + "/records")
        page.get_by_label("Text or title contains").fill(term)
        page.get_by_role("button", name="Search").click()
        assert "q=%E7%BB%8F%E6%B5%8E" in page.url
        first = page.locator("#records tbody tr").count()
        assert 0 < matching and first == min(matching, 50)
        shot(page, tmp_path, "records-search")
        page.goto(app + "/records")
        page.get_by_label("Speaker").fill(speaker)
        page.get_by_label("Site").select_option(site)
        page.get_by_role("button", name="Search").click()
        assert page.locator("#records tbody tr").count() == min(n, 50)
        assert set(page.locator("#records tbody td:nth-child(2)").all_inner_texts()) == {speaker}
        page.goto(app + "/records?since=2099-01-01")
        assert page.locator("#result-summary").inner_text() == "No record matches."


def test_record_page_shows_the_known_ads_and_masks_removed_in_place(app: str, browser: Any, sandbox: SandboxProcess,
                                                                    five_site_crawl: ArchivedCrawl,
                                                                    tmp_path: Path) -> None:
    """The sandbox knows which sentences it injected into an article: its record pages show each one removed."""
    url, ads, masks = _known_article(sandbox, "wendang")
    ids = [r[0] for r in _rows(five_site_crawl.data, "SELECT id FROM records WHERE url = ? AND is_latest = 1"
                               " ORDER BY part_index", url)]
    assert ids
    removed: list[str] = []
    kept = shown_masks = ""
    with watched(browser, tmp_path, viewport={"width": 1400, "height": 1000}) as (page, _):
        for n, rid in enumerate(ids):
            page.goto(f"{app}/records/{rid}")
            removed += [_squash(t) for t in page.locator("#annotated del").all_inner_texts()]
            kept += _squash("".join(page.locator("#annotated span").all_inner_texts()))
            shown_masks += _squash("".join(page.locator('#annotated del[data-kind="masks"]').all_inner_texts()))
            # The archived page sits beside it, in a sandbox with no permission at all.
            assert page.locator("iframe").first.get_attribute("sandbox") == ""
            assert page.locator("#provenance").get_by_role("link", name="Download this record").count() >= 1
            assert page.locator("#metadata tbody tr").count() >= 6
            if n == 0:
                legend = page.locator(".legend").inner_text()
                assert "injected ad" in legend
                frame_text = _squash(page.frame_locator("iframe").first.locator("body").inner_text())
                assert _squash(ads[0]) in frame_text  # the archived page still has the ad the text lost
                shot(page, tmp_path, "record")
    for ad in ads:
        assert any(_squash(ad) in r for r in removed), ad
        assert _squash(ad) not in kept
    assert all(_squash(m) in shown_masks for m in masks)


def test_record_page_near_duplicates(app: str, browser: Any, five_site_crawl: ArchivedCrawl, sandbox: SandboxProcess,
                                     tmp_path: Path) -> None:
    """The sandbox republishes articles (``copy_of``): the copy's page lists its original in its cluster."""
    s = make_site("wenmi")
    copy = next(i for i in s.live if s.article(i).copy_of is not None)
    base = sandbox.urls["wenmi"].rstrip("/")
    rid = record_id(base + s.article_path(copy), None)
    original = record_id(base + s.article_path(s.article(copy).copy_of or 0), None)
    with watched(browser, tmp_path) as (page, _):
        page.goto(f"{app}/records/{rid}")
        links = [a.get_attribute("href") for a in page.locator("#cluster a").all()]
        assert f"/records/{original}" in links
        assert page.locator("#cluster strong", has_text="this record").count() == 1
        similarities = [float(t) for t in page.locator("#cluster td.num").all_inner_texts()]
        assert all(0.5 <= x <= 1.0 for x in similarities) and len(similarities) >= 2


@pytest.fixture
def edited(five_site_crawl: ArchivedCrawl, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the catalog where one record has a second version with markup in its title and text."""
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(five_site_crawl.data / "catalog.sqlite") as src, sqlite3.connect(data / "catalog.sqlite") as dst:
        src.backup(dst)
    (data / "warc").symlink_to(five_site_crawl.data / "warc")
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        row = conn.execute("SELECT * FROM records WHERE site = 'ribao' AND is_latest = 1 LIMIT 1").fetchone()
        names = [d[0] for d in conn.execute("SELECT * FROM records LIMIT 0").description]
        rec = dict(zip(names, row, strict=True))
        body = json.loads(rec["record"])
        paras = body["text"].split("\n")
        body.update(title=EVIL_TITLE, speaker=EVIL_TEXT, text="\n".join([EVIL_TEXT, *paras[1:]]), version=2)
        conn.execute("UPDATE records SET is_latest = 0 WHERE id = ?", (rec["id"],))
        rec.update(version=2, is_latest=1, crawl_id="later", record=json.dumps(body, ensure_ascii=False))
        conn.execute(f"INSERT INTO records ({', '.join(rec)}) VALUES ({', '.join('?' * len(rec))})", list(rec.values()))
    return data, str(rec["id"])


def test_versions_diff_and_hostile_text_shown_escaped(edited: tuple[Path, str], browser: Any, tmp_path: Path) -> None:
    data, rid = edited
    with serving(data) as url, watched(browser, tmp_path) as (page, _):  # a dialog would fail the watch
        page.goto(f"{url}/records/{rid}")
        assert page.get_by_role("heading", level=1).inner_text() == EVIL_TITLE
        assert page.locator("main img").count() == 0 and page.locator("script").count() == 0
        assert page.locator("#versions li").count() == 2
        assert page.locator(".diff ins").first.inner_text() == EVIL_TEXT
        assert page.locator(".diff del").count() == 1
        assert page.locator("#metadata tr", has_text="speaker").locator("td").first.inner_text() == EVIL_TEXT
        shot(page, tmp_path, "record-versions")
        page.goto(f"{url}/records?q={EVIL_TEXT}")
        assert page.locator("#records tbody th").all_inner_texts() == [EVIL_TITLE]
        page.goto(f"{url}/records/{rid}?v=1")
        assert page.locator("#versions a[aria-current]").inner_text() == "version 1"


# -- accessibility ------------------------------------------------------------------------------

_CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
      if (!c.startsWith('rgba(0, 0, 0, 0)')) return c; } return 'rgb(255, 255, 255)'; };
  const out = [];
  for (const el of document.querySelectorAll('a, p, td, th, h1, h2, label, span, del, ins, small, dd, dt, li, button')) {
    if (!el.offsetParent || !el.textContent.trim() || el.closest('.sr, .skip')) continue;
    const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) out.push(el.tagName + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 30));
  }
  return out; }"""


def test_accessibility_headings_labels_contrast_and_keyboard(app: str, browser: Any, five_site_crawl: ArchivedCrawl,
                                                             tmp_path: Path) -> None:
    rid = _rows(five_site_crawl.data, "SELECT id FROM records WHERE site = 'sucai' LIMIT 1")[0][0]
    crawl = _rows(five_site_crawl.data, "SELECT id FROM crawls LIMIT 1")[0][0]
    with watched(browser, tmp_path) as (page, _):
        for path in ("/", "/crawls", "/records", f"/records/{rid}", f"/crawls/{crawl}/wenmi"):
            page.goto(app + path)
            assert page.locator("h1").count() == 1, path
            levels = [int(t[1]) for t in page.locator("h1, h2, h3").evaluate_all("els => els.map(e => e.tagName)")]
            assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path, levels)
            assert page.evaluate(_CONTRAST) == [], path
            unlabelled = page.locator("input, select").evaluate_all(
                "els => els.filter(e => !(e.labels && e.labels.length)).map(e => e.name)")
            assert unlabelled == [], path
            assert page.locator("iframe:not([title])").count() == 0
        # Keyboard only: from the search box, Tab reaches the first record; Enter opens it.
        page.goto(app + "/records")
        page.get_by_label("Text or title contains").focus()
        first = page.locator("#records tbody a").first
        title = first.inner_text()
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('#records') !== null"):
                break
        assert page.evaluate("document.activeElement.textContent") == title
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/records/[0-9a-f]+$"))
        assert page.get_by_role("heading", level=1).inner_text() == title
        # The skip link is the first stop and leads to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
