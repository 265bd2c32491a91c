"""crawler.resume: which crawl to continue, what a killed run left in its WARC files, what is already done."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from archive.verify import verify
from archive.warc import OPEN_SUFFIX, HttpExchange, WarcWriter
from corpus.catalog import Catalog
from crawler.resume import done_documents, repair_unfinished, resumable_crawl


def _exchange(i: int) -> HttpExchange:
    return HttpExchange(url=f"http://site.test/{i}.html", method="GET", request_headers=[("Host", "site.test")],
                        request_body=b"", protocol="HTTP/1.1", status=200, reason="OK",
                        response_headers=[("Content-Type", "text/html")],
                        response_body=f"<p>第{i}篇讲话</p>".encode() * 200, ip_address=None,
                        fetched_at=datetime.now(UTC))


def _killed_file(directory: Path, crawl_id: str, records: int, cut: int) -> tuple[Path, int]:
    """A WARC as a kill -9 leaves it: still named .open, ``cut`` bytes of its last member gone."""
    with WarcWriter(directory, prefix="wenmi", crawl_id=crawl_id, warcinfo={}) as writer:
        pointers = [writer.write_exchange(_exchange(i)) for i in range(records)]
    final = writer.files[0]
    size = final.stat().st_size
    opened = final.with_name(final.name + OPEN_SUFFIX)
    os.rename(final, opened)
    os.truncate(opened, max(size - cut, 0))
    return opened, pointers[-1][1].offset


def test_repair_cuts_the_partial_record_and_renames(tmp_path: Path) -> None:
    opened, last_response = _killed_file(tmp_path, "c1", records=4, cut=50)
    other, _ = _killed_file(tmp_path, "c2", records=2, cut=10)  # another crawl's file is not touched
    reports = repair_unfinished(tmp_path, "wenmi", "c1")
    # warcinfo, three whole exchanges, and the request record of the fourth (its response was cut)
    assert [r.records_kept for r in reports] == [1 + 2 * 3 + 1]
    repaired = reports[0].path
    assert not opened.exists() and repaired.name == opened.name.removesuffix(OPEN_SUFFIX)
    assert repaired.stat().st_size == last_response and verify(repaired).ok
    assert reports[0].tail_path is not None and reports[0].tail_path.exists()
    assert other.exists()


def test_a_file_killed_before_its_first_record_is_removed(tmp_path: Path) -> None:
    opened, _ = _killed_file(tmp_path, "c1", records=1, cut=10**6)
    assert opened.stat().st_size == 0
    (report,) = repair_unfinished(tmp_path, "wenmi", "c1")
    assert not report.path.exists() and not opened.exists()
    assert repair_unfinished(tmp_path / "missing", "wenmi", "c1") == []


def test_resumable_crawl_is_the_newest_unfinished_one(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    assert resumable_crawl(path, ["wenmi"]) is None
    catalog = Catalog(path)
    for crawl_id, started in [("c1", "2026-01-01"), ("c2", "2026-01-02"), ("c3", "2026-01-03")]:
        catalog.start_crawl(crawl_id, "wenmi", started)
    catalog.start_crawl("c4", "ribao", "2026-01-04")
    catalog.finish_crawl("c3", "wenmi", "2026-01-03", "finished", {})
    catalog.close()
    assert resumable_crawl(path, ["wenmi"]) == "c2"
    assert resumable_crawl(path, ["wenmi", "ribao"]) == "c4"
    assert resumable_crawl(path, ["sucai"]) is None


def test_done_documents_are_this_crawls_records_of_this_site(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    catalog = Catalog(path)
    for rid, url, crawl_id, site in [("a", "http://w/1", "c1", "wenmi"), ("b", "http://w/1", "c1", "wenmi"),
                                     ("c", "http://w/2", "c0", "wenmi"), ("d", "http://r/1", "c1", "ribao")]:
        catalog.put_record({"id": rid, "site": site, "url": url, "fetched_at": "t", "part": None}, crawl_id=crawl_id,
                           text_sha1="x")
    catalog.close()
    assert done_documents(path, "c1", "wenmi") == {"http://w/1"}
    assert done_documents(tmp_path / "none.sqlite", "c1", "wenmi") == set()
