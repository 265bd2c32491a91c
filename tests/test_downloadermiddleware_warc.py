"""WarcRecorderMiddleware end to end: revisits across crawls, and a crawler killed with SIGKILL at any moment."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archive.reader import RevisitResolver, iter_records, read_record_at
from archive.verify import verify
from archive.warc import HttpExchange, WarcWriter
from corpus.catalog import Catalog
from crawler.addon import SpeechcrawlAddon
from crawler.downloadermiddlewares.warc import WarcRecorderMiddleware
from sandbox import SandboxProcess
from tests import crawl_and_export, crawl_paused_and_killed, run_cli

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture(scope="module")
def two_crawls(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("twice")
    origin = f"--origin=wenmi={sandbox.urls['wenmi']}"
    # Identical payloads are what these tests are about: wenmi would answer conditional requests with 304
    # (server-not-modified revisits, covered by tests/test_recrawl.py), so the crawls do not send them.
    plain = ("-s", "SPEECHCRAWL_CONDITIONAL_ENABLED=False")
    first = crawl_and_export(data, ["wenmi"], origin, "--crawl-id", "c1", *plain)
    second = crawl_and_export(data, ["wenmi"], origin, "--crawl-id", "c2", *plain)
    files = {crawl: sorted((data / "warc" / "wenmi").glob(f"wenmi-{crawl}-*.warc.gz")) for crawl in ("c1", "c2")}
    return {"data": data, "first": first, "second": second, "files": files}


def test_second_crawl_stores_revisits_for_unchanged_pages(two_crawls: dict[str, Any]) -> None:
    originals = {r.record_id: r for path in two_crawls["files"]["c1"] for r in iter_records(path)
                 if r.rec_type == "response"}
    second = [r for path in two_crawls["files"]["c2"] for r in iter_records(path)]
    assert [r for r in second if r.rec_type == "response"] == [], "unchanged pages were stored again"
    revisits = [r for r in second if r.rec_type == "revisit"]
    assert len(revisits) >= len(two_crawls["second"])
    for revisit in revisits:
        original = originals[revisit.header("WARC-Refers-To") or ""]
        assert revisit.header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        assert revisit.target_uri == original.target_uri == revisit.header("WARC-Refers-To-Target-URI")
        assert revisit.header("WARC-Payload-Digest") == original.header("WARC-Payload-Digest")
        assert revisit.header("WARC-Refers-To-Date") == original.date
        assert revisit.payload == b"" and revisit.http_status == original.http_status
    size = {crawl: sum(p.stat().st_size for p in paths) for crawl, paths in two_crawls["files"].items()}
    assert size["c2"] * 2 < size["c1"]
    check = subprocess.run([str(BIN / "warcio"), "check", *map(str, two_crawls["files"]["c2"])],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_export_still_resolves_every_record_to_a_full_payload(two_crawls: dict[str, Any]) -> None:
    """Unchanged records keep the provenance of the crawl that first archived them (corpus.history); the
    second crawl's fetches are revisits, and each resolves to a full payload with the digest it names."""
    records = two_crawls["second"]
    assert [r["id"] for r in records] == [r["id"] for r in two_crawls["first"]]
    warc = two_crawls["data"] / "warc" / "wenmi"
    for record in records:
        for pointer in record["provenance"]:
            stored = read_record_at(warc / pointer["warc_filename"], pointer["warc_offset"])
            assert stored.record_id == pointer["warc_record_id"] and stored.rec_type == "response"
            assert stored.payload and _sha1(stored.payload) == pointer["payload_digest"]
    resolver = RevisitResolver(warc)
    conn = sqlite3.connect(two_crawls["data"] / "catalog.sqlite")
    fetches = conn.execute("SELECT warc_filename, warc_offset, revisit_of, payload_digest FROM fetches"
                           " WHERE crawl_id = 'c2' AND status = 200").fetchall()
    conn.close()
    revisits = [f for f in fetches if f[2]]
    assert revisits and len(revisits) == len(fetches)  # robots.txt too: nothing changed since c1
    for filename, offset, revisit_of, digest in revisits:
        stored = read_record_at(warc / filename, offset)
        assert stored.rec_type == "revisit" and stored.header("WARC-Refers-To") == revisit_of
        original = resolver.original(stored)
        assert original.payload and _sha1(original.payload) == digest
    texts = {r["id"]: r["text"] for r in two_crawls["first"]}
    assert all(r["text"] == texts[r["id"]] for r in records)


@pytest.mark.parametrize(("moment", "fraction"), [(1, 0.5), (12, 0.0), (15, 0.5), (40, 0.5)],
                         ids=["inside-the-first-warcinfo", "between-records", "mid-record", "after-rotation"])
def test_crawler_killed_at_any_moment_leaves_a_recoverable_archive(
        sandbox: SandboxProcess, tmp_path: Path, moment: int, fraction: float) -> None:
    data, marker = tmp_path / "data", tmp_path / "paused"
    crawl_paused_and_killed(
        ["crawl", "wenmi", "fanwen", "--sandbox", "--no-progress", "--data", str(data),
         *[f"--origin={site}={sandbox.urls[site]}" for site in ("wenmi", "fanwen")],
         "-s", "SPEECHCRAWL_WARC_MAX_SIZE=100000", "-s", "SPEECHCRAWL_WARC_WRITER=tests.PausingWarcWriter"],
        ("SPEECHCRAWL_TEST_PAUSE", f"fanwen:{moment}:{fraction}:{marker}"), marker, ROOT)
    open_path, *numbers = marker.read_text().splitlines()
    size, cut, whole = map(int, numbers)
    warc = data / "warc"
    closed = sorted(warc.rglob("*.warc.gz"))
    assert all(verify(p).ok for p in closed), "a kill must never damage a closed file"
    if moment == 40:
        assert any(p.parent.name == "fanwen" for p in closed), "no rotation happened before the kill"
    assert Path(open_path).exists()

    repaired = run_cli("archive", "repair", str(warc))
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    final = Path(open_path.removesuffix(".open"))
    assert final.stat().st_size == size + whole, "repair must cut exactly the partial record"
    tail = final.with_name(final.name + ".tail")
    if cut > whole:  # the partial member is kept aside, not lost, and is not a readable record
        assert tail.stat().st_size == cut - whole and tail.read_bytes()[:2] == b"\x1f\x8b"
        assert not zlib.decompressobj(31).decompress(tail.read_bytes()).endswith(b"\r\n\r\n")
    else:
        assert not tail.exists()
    if fraction:
        assert cut > whole, "the kill did not land inside a record"
    assert not list(warc.rglob("*.open"))

    checked = run_cli("archive", "verify", str(warc))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.splitlines()[-1].endswith(" 0 with faults")
    files = sorted(warc.rglob("*.warc.gz"))
    check = subprocess.run([str(BIN / "warcio"), "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _exchange(url: str, body: bytes) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[], request_body=b"", protocol="HTTP/1.1", status=200,
                        reason="OK", response_headers=[], response_body=body, ip_address=None,
                        fetched_at=datetime.now(UTC))


def test_revisits_only_refer_to_files_still_in_place(tmp_path: Path) -> None:
    site_dir = tmp_path / "warc" / "s"
    with WarcWriter(site_dir, prefix="s", crawl_id="c1", warcinfo={}) as old:
        _, kept = old.write_exchange(_exchange("http://s.test/kept", b"<p>kept</p>"))
        _, gone = old.write_exchange(_exchange("http://s.test/gone", b"<p>gone</p>"))
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for url, pointer, filename in (("http://s.test/kept", kept, kept.filename), ("http://s.test/gone", gone, "moved")):
        catalog.add_fetch(crawl_id="c1", site="s", url=url, status=200, fetched_at="t", warc_filename=filename,
                          warc_offset=pointer.offset, warc_length=pointer.length, warc_record_id=pointer.record_id,
                          payload_digest=pointer.payload_digest, revisit_of=None, warc_date=pointer.date)
    catalog.close()
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c2",
                                         "SPEECHCRAWL_DATA_DIR": str(tmp_path)})
    mw = build_from_crawler(WarcRecorderMiddleware, crawler)
    mw.spider_opened(Spider(name="s"))
    assert mw.writer is not None
    _, again = mw.writer.write_exchange(_exchange("http://s.test/kept", b"<p>kept</p>"))
    _, copy = mw.writer.write_exchange(_exchange("http://s.test/gone", b"<p>gone</p>"))
    mw.spider_closed(Spider(name="s"))
    assert again.revisit_of == kept.record_id and copy.revisit_of is None


def test_a_writer_setting_that_is_not_a_writer_fails_loudly() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "SPEECHCRAWL_WARC_WRITER": "archive.reader.RevisitResolver"})
    with pytest.raises(ValueError, match="SPEECHCRAWL_WARC_WRITER 'archive.reader.RevisitResolver' is not"):
        build_from_crawler(WarcRecorderMiddleware, crawler)


@pytest.mark.parametrize(("level", "xfl"), [(1, 4), (9, 2)])
def test_records_are_compressed_at_the_level_the_setting_names(tmp_path: Path, level: int, xfl: int) -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "SPEECHCRAWL_DATA_DIR": str(tmp_path),
                                         "SPEECHCRAWL_WARC_COMPRESS_LEVEL": level})
    mw = build_from_crawler(WarcRecorderMiddleware, crawler)
    mw.spider_opened(Spider(name="s"))
    assert mw.writer is not None
    body = "".join(f"<p>第{i}段：会议强调，要{i * 7919 % 1000}项任务</p>" for i in range(400)).encode()
    mw.writer.write_exchange(_exchange("http://s.test/page", body))
    mw.spider_closed(Spider(name="s"))
    [path] = (tmp_path / "warc" / "s").glob("*.warc.gz")
    assert verify(path).ok
    data, pos, flags = path.read_bytes(), 0, []
    while pos < len(data):  # gzip members found with zlib alone; byte 8 of each header is XFL
        flags.append(data[pos + 8])
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        pos = len(data) - len(d.unused_data)
    assert flags == [xfl] * 3  # warcinfo, request, response; zlib writes 4 for level 1, 2 for level 9


def test_a_compress_level_out_of_range_fails_loudly() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "SPEECHCRAWL_WARC_COMPRESS_LEVEL": 0})
    with pytest.raises(ValueError, match="SPEECHCRAWL_WARC_COMPRESS_LEVEL must be 1 to 9"):
        build_from_crawler(WarcRecorderMiddleware, crawler)


def test_errors_and_robots_txt_are_archived_as_linked_pairs(sandbox: SandboxProcess, tmp_path: Path) -> None:
    missing = sandbox.urls["ribao"] + "/html/no-such-page.htm"
    proc = run_cli("crawl", missing, "--sandbox", "--no-progress", "--data", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the only seed is missing: a failed crawl ...
    assert f"seed failed: {missing}: HTTP 404 Not Found" in proc.stdout  # ... that says why, and archives all
    records = [r for path in sorted((tmp_path / "warc").rglob("*.warc.gz")) for r in iter_records(path)]
    assert records[0].rec_type == "warcinfo"
    info = records[0].block.decode()
    for field in ("software: speechcrawl/", "isPartOf: ", "site-profile: ", "robots: obey", "operator: ",
                  "http-header-user-agent: "):
        assert field in info
    by_id = {r.record_id: r for r in records}
    responses = {r.target_uri: r for r in records if r.rec_type == "response"}
    assert responses[missing].http_status == 404
    assert responses[sandbox.urls["ribao"] + "/robots.txt"].http_status == 200
    for response in responses.values():
        request = by_id[response.header("WARC-Concurrent-To") or ""]
        assert request.rec_type == "request" and request.header("WARC-Concurrent-To") == response.record_id
        assert request.target_uri == response.target_uri
        assert response.header("WARC-IP-Address") == "127.0.0.1"
        assert response.header("WARC-Block-Digest") == _sha1(response.block)
        assert response.header("WARC-Payload-Digest") == _sha1(response.payload)
    catalog = Catalog(tmp_path / "catalog.sqlite")
    failures = catalog.failures()
    catalog.close()
    assert [(f["url"], f["status"]) for f in failures] == [(missing, 404)]
