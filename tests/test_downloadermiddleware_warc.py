"""WarcRecorderMiddleware across crawls: a second crawl of unchanged pages stores revisits, not copies."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.reader import RevisitResolver, iter_records, read_record_at
from crawler.sandbox import SandboxProcess
from tests import crawl_and_export

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture(scope="module")
def two_crawls(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("twice")
    origin = f"--origin=wenmi={sandbox.urls['wenmi']}"
    first = crawl_and_export(data, ["wenmi"], origin, "--crawl-id", "c1")
    second = crawl_and_export(data, ["wenmi"], origin, "--crawl-id", "c2")
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
    records = two_crawls["second"]
    assert [r["id"] for r in records] == [r["id"] for r in two_crawls["first"]]
    resolver = RevisitResolver(two_crawls["data"] / "warc" / "wenmi")
    seen_revisit = False
    for record in records:
        for pointer in record["provenance"]:
            assert pointer["warc_filename"].startswith("wenmi-c2-")
            stored = read_record_at(two_crawls["data"] / "warc" / "wenmi" / pointer["warc_filename"],
                                    pointer["warc_offset"])
            assert stored.record_id == pointer["warc_record_id"]
            if stored.rec_type == "revisit":
                seen_revisit = True
                assert pointer["revisit_of"] == stored.header("WARC-Refers-To")
                stored = resolver.original(stored)
            assert stored.payload and _sha1(stored.payload) == pointer["payload_digest"]
    assert seen_revisit
    texts = {r["id"]: r["text"] for r in two_crawls["first"]}
    assert all(r["text"] == texts[r["id"]] for r in records)
