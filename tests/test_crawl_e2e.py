"""End to end: a real crawl of the five sandbox sites over loopback, through the real CLI.

One crawl per test session (module fixture), then each test checks one promise:
every article exported once, robots obeyed, every fetch archived, provenance
pointers resolve, text close to the gold.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from corpus.catalog import Catalog
from quality.metrics import bigram_f1
from sandbox import SITES
from sandbox.gold import gold_records, robots_disallowed

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "crawler.cli"]


@pytest.fixture(scope="module")
def crawl(sandbox: Any, clean_crawl: dict[str, Any]) -> dict[str, Any]:
    data, records = clean_crawl["data"], clean_crawl["records"]
    catalog = Catalog(data / "catalog.sqlite")
    fetched = catalog.fetched_urls()
    catalog.close()
    gold = {site: gold_records(site, sandbox.urls[site]) for site in SITES}
    return {"data": data, "records": records, "fetched": fetched, "gold": gold}


def _key(record: dict[str, Any]) -> tuple[str, int | None]:
    part = record.get("part")
    return record["url"], (part["index"] if part else None)


def test_every_article_exported_exactly_once(crawl: dict[str, Any]) -> None:
    counts = Counter(_key(r) for r in crawl["records"])
    assert [k for k, n in counts.items() if n > 1] == []
    for site, gold in crawl["gold"].items():
        expected = {_key(g) for g in gold}
        found = {_key(r) for r in crawl["records"] if r["site"] == site}
        assert expected - found == set(), f"{site}: missing records"
        assert found - expected == set(), f"{site}: unexpected records"


def test_no_robots_disallowed_url_fetched(crawl: dict[str, Any]) -> None:
    for site in SITES:
        prefixes = robots_disallowed(site)
        assert prefixes, f"{site} has no robots rule to test"
        for url in crawl["fetched"]:
            path = urlsplit(url).path
            assert not any(path.startswith(p) for p in prefixes), f"fetched disallowed {url}"


def _warc_files(data: Path) -> list[Path]:
    files = sorted((data / "warc").rglob("*.warc.gz"))
    assert files, "no WARC written"
    return files


def test_every_fetch_is_in_the_warc(crawl: dict[str, Any]) -> None:
    uris: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for path in _warc_files(crawl["data"]):
        with path.open("rb") as fh:
            for i, record in enumerate(ArchiveIterator(fh)):
                if i == 0:
                    assert record.rec_type == "warcinfo"
                types[record.rec_type] += 1
                if record.rec_type in ("response", "revisit"):
                    uris[record.rec_headers.get_header("WARC-Target-URI")] += 1
    assert set(crawl["fetched"]) <= set(uris)
    assert any(u.endswith("/robots.txt") for u in uris), "robots.txt fetch not archived"
    # Every response has its request record; a revisit may go without one when its request repeats the one
    # written last in the same file but for URL and validators (archive.warc, "repeated requests").
    assert types["response"] <= types["request"] <= types["response"] + types["revisit"]


def test_warcio_accepts_every_file(crawl: dict[str, Any]) -> None:
    warcio = Path(sys.executable).parent / "warcio"
    for path in _warc_files(crawl["data"]):
        check = subprocess.run([str(warcio), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        index = subprocess.run([str(warcio), "index", str(path)], capture_output=True, text=True)
        assert index.returncode == 0 and index.stdout.count("\n") >= 3


def test_a_redirect_hop_is_archived(crawl: dict[str, Any]) -> None:
    statuses = []
    for path in _warc_files(crawl["data"]):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.http_headers is not None:
                    statuses.append(record.http_headers.get_statuscode())
    assert "301" in statuses


def test_provenance_pointers_resolve(crawl: dict[str, Any]) -> None:
    warc_root = crawl["data"] / "warc"
    checked = 0
    for record in crawl["records"]:
        assert record["provenance"], record["id"]
        assert [p["url"] for p in record["provenance"]] == record["pages"]
        for pointer in record["provenance"]:
            path = warc_root / record["site"] / pointer["warc_filename"]
            with path.open("rb") as fh:
                fh.seek(pointer["warc_offset"])
                warc_record = next(iter(ArchiveIterator(fh)))
                assert warc_record.rec_headers.get_header("WARC-Record-ID") == pointer["warc_record_id"]
                assert warc_record.rec_headers.get_header("WARC-Target-URI") == pointer["url"]
                payload = warc_record.content_stream().read()
            digest = "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode()
            assert digest == pointer["payload_digest"]
            checked += 1
    assert checked >= len(crawl["records"])


def test_text_f1_against_gold_per_site(crawl: dict[str, Any]) -> None:
    by_key = {_key(r): r for r in crawl["records"]}
    for site, gold in crawl["gold"].items():
        scores = [bigram_f1(by_key[_key(g)]["text"], g["text"]) if _key(g) in by_key else 0.0 for g in gold]
        mean = sum(scores) / len(scores)
        assert mean >= 0.90, f"{site}: mean char-bigram F1 {mean:.3f}"


def test_records_carry_the_published_fields(crawl: dict[str, Any]) -> None:
    required = {"id", "site", "url", "pages", "part", "title", "text", "fetched_at", "provenance",
                "schema_version", "cleaner_version", "masks", "audit", "speaker", "date", "source"}
    for record in crawl["records"]:
        assert required <= set(record)
        assert record["text"].strip()
        part = record["part"]
        if part is not None:
            assert 1 <= part["index"] <= part["count"] and part["label"] and part["parent_id"]
