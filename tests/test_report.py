"""The HTML crawl report: written after every crawl, right figures, self-contained, escaped, seen in Chromium."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from corpus.catalog import Catalog
from crawler.cli import main
from crawler.report import write_report
from sandbox import SITES
from tests import ArchivedCrawl, run_cli
from tests.browser import shot, watched


def _crawl_id(data: Path) -> str:
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        return str(conn.execute("SELECT id FROM crawls ORDER BY started_at DESC LIMIT 1").fetchone()[0])


def _one(data: Path, sql: str, *args: Any) -> int:
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def _summary(doc: Any) -> dict[str, str]:
    return {dd.get("data-key"): dd.text_content().strip() for dd in doc.cssselect("dd[data-key]")}


def test_every_crawled_site_gets_a_report_with_the_catalogs_figures(five_site_crawl: ArchivedCrawl) -> None:
    data = five_site_crawl.data
    crawl = _crawl_id(data)
    for site in SITES:
        path = data / "reports" / f"{site}-{crawl}.html"
        doc = lxml.html.fromstring(path.read_text(encoding="utf-8"))
        summary = _summary(doc)
        pages = _one(data, "SELECT COUNT(*) FROM fetches WHERE crawl_id = ? AND site = ?", crawl, site)
        new = _one(data, "SELECT COUNT(DISTINCT url) FROM record_events WHERE crawl_id = ? AND site = ?"
                   " AND event = 'new'", crawl, site)
        assert pages > 20 and new >= 20
        assert (summary["pages"], summary["new"], summary["changed"], summary["gone"]) == (str(pages), str(new), "0", "0")
        # The status chart's bars add up to every fetch, one bar per status seen.
        bars = doc.cssselect("#chart-status rect.bar")
        statuses = {b.get("data-label"): int(b.get("data-value")) for b in bars}
        assert sum(statuses.values()) == pages and statuses["200"] > 20
        # Per host: the sandbox site's one host, with the bytes of every body; response times were measured.
        assert [b.get("data-label") for b in doc.cssselect("#chart-host-bytes rect.bar")] == [
            f"127.0.0.1:{five_site_crawl_port(data, site)}"]
        assert int(doc.cssselect("#chart-host-bytes rect.bar")[0].get("data-value")) > 100_000
        assert len(doc.cssselect("#slowest tbody tr")) == 10 and "ms" in doc.cssselect("#slowest td")[0].text_content()
        timeline = sum(int(b.get("data-value")) for b in doc.cssselect("#chart-timeline rect.bar"))
        assert timeline == pages
        # Self-contained: no script, no stylesheet or image fetched from anywhere.
        assert doc.cssselect("script, link, img, iframe") == []
        assert doc.cssselect('meta[http-equiv="Content-Security-Policy"]')


def five_site_crawl_port(data: Path, site: str) -> str:
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        url = str(conn.execute("SELECT url FROM fetches WHERE site = ? LIMIT 1", (site,)).fetchone()[0])
    return url.split("/")[2].split(":")[1]


def _hostile_catalog(tmp_path: Path) -> tuple[Path, str]:
    """A catalog whose one crawl failed on a page with markup in its URL and reason, and warned about it."""
    data = tmp_path / "hostile"
    catalog = Catalog(data / "catalog.sqlite")
    evil = '"><img src=x onerror=alert(1)>'
    catalog.start_crawl("c1", "evil", "2026-01-01T00:00:00+00:00")
    catalog.add_fetch(crawl_id="c1", site="evil", url=f"http://127.0.0.1:9/a?q={evil}", status=500,
                      fetched_at="2026-01-01T00:00:01+00:00", elapsed_ms=12.0, body_bytes=10)
    catalog.add_failure(crawl_id="c1", site="evil", url=f"http://127.0.0.1:9/a?q={evil}", status=500,
                        reason="<script>alert(2)</script>", at="2026-01-01T00:00:02+00:00")
    catalog.finish_crawl("c1", "evil", "2026-01-01T00:00:03+00:00", "finished",
                         {"speechcrawl/health/warnings": ["errors: 1 of 1 fetches failed <b>bold</b>"]})
    catalog.close()
    return data, evil


def test_markup_from_a_site_is_shown_as_text_never_run(tmp_path: Path, browser: Any) -> None:
    data, evil = _hostile_catalog(tmp_path)
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        conn.row_factory = sqlite3.Row
        path = write_report(conn, data, "c1", "evil")
    doc = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    assert doc.cssselect("script, img, b") == []
    assert "<script>alert(2)</script>" in doc.cssselect("#failures td")[3].text_content()
    assert evil in doc.cssselect("#failures td.url")[0].text_content()
    # The warning links to the failed page as its example.
    assert [a.get("href") for a in doc.cssselect(".warning a")] == [f"http://127.0.0.1:9/a?q={evil}"]
    with watched(browser, tmp_path) as (page, _):  # a dialog (alert) would fail the watch
        page.goto(path.as_uri())
        assert page.locator("#failures tbody tr").count() == 1
        assert page.locator(".warning").inner_text().startswith("errors: 1 of 1 fetches failed <b>bold</b>")


def test_the_report_as_a_person_sees_it_in_chromium(five_site_crawl: ArchivedCrawl, browser: Any,
                                                      tmp_path: Path) -> None:
    data = five_site_crawl.data
    crawl = _crawl_id(data)
    path = data / "reports" / f"wenmi-{crawl}.html"
    with watched(browser, tmp_path) as (page, _):
        page.goto(path.as_uri())
        assert page.get_by_role("heading", level=1).inner_text() == "Crawl report: wenmi"
        assert page.locator("h2").all_inner_texts()[:2] == ["Summary", "Charts"]
        pages = _one(data, "SELECT COUNT(*) FROM fetches WHERE crawl_id = ? AND site = 'wenmi'", crawl)
        assert page.locator('dd[data-key="pages"]').inner_text() == str(pages)
        # The status chart is drawn: its bars have a visible size and the 200 bar is the longest.
        boxes = {b.get_attribute("data-label"): b.bounding_box() for b in page.locator("#chart-status rect.bar").all()}
        assert boxes["200"] is not None and boxes["200"]["width"] > 200
        assert all(box is not None and box["height"] > 10 for box in boxes.values())
        assert page.get_by_role("img", name="Responses by HTTP status").is_visible()
        assert page.locator("text=No page failed.").is_visible()
        shot(page, tmp_path, "report-wenmi")
        page.emulate_media(media="print")
        assert not page.locator("nav").is_visible()  # printable: the section links go, the content stays
        assert page.locator("#chart-status").is_visible()
        pdf = page.pdf()
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


@pytest.fixture
def data_copy(five_site_crawl: ArchivedCrawl, tmp_path: Path) -> Path:
    """The shared crawl's catalog and reports, copied: `report` rewrites files and the shared crawl is read-only."""
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(five_site_crawl.data / "catalog.sqlite") as src, \
            sqlite3.connect(data / "catalog.sqlite") as dst:
        src.backup(dst)
    shutil.copytree(five_site_crawl.data / "reports", data / "reports")
    for html in (data / "reports").glob("*.html"):
        html.unlink()
    return data


def test_report_command_rewrites_the_latest_crawls_reports(data_copy: Path) -> None:
    proc = run_cli("report", "--data", str(data_copy), timeout=60)
    assert proc.returncode == 0, proc.stderr
    crawl = _crawl_id(data_copy)
    assert proc.stdout.split() == [str(data_copy / "reports" / f"{s}-{crawl}.html") for s in sorted(SITES)]
    assert all(Path(p).stat().st_size > 5000 for p in proc.stdout.split())
    listing = run_cli("crawls", "--data", str(data_copy), timeout=60)
    assert f"HTML reports: {data_copy / 'reports'}" in listing.stderr
    show = run_cli("crawls", "show", crawl, "--data", str(data_copy), timeout=60)
    assert f"report: {data_copy / 'reports' / f'wenmi-{crawl}.html'}" in show.stdout


def test_report_command_says_what_is_wrong(data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    assert main(["report", "nosuchcrawl", "--data", str(data_copy)]) == 1
    assert "no crawl 'nosuchcrawl'" in capsys.readouterr().err
    assert main(["report", "--data", str(tmp_path / "empty")]) == 1
    assert "no catalog" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1].strip().startswith("speechcrawl report")
