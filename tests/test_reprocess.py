"""``speechcrawl reprocess``: the catalog and export rebuilt from WARC alone equal the live ones."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.documents import document_from_block
from archive.reader import iter_records
from corpus.rebuild import reprocess
from sandbox import SandboxProcess
from tests import ArchivedCrawl, crawl_and_export, run_cli

pytestmark = pytest.mark.slow

FETCH_COLUMNS = ("crawl_id, site, url, status, fetched_at, content_type, warc_filename, warc_offset, warc_length, "
                 "warc_record_id, payload_digest, revisit_of, warc_date")


def _rows(catalog: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(catalog)
    try:
        return sorted(tuple(row) for row in conn.execute(sql))
    finally:
        conn.close()


def _export(data: Path) -> list[dict[str, Any]]:
    out = data / "compare.jsonl"
    proc = run_cli("export", "--data", str(data), "--out", str(out), "--dedup", "none", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_reprocess_equals_the_live_crawl(archived_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    out = tmp_path / "rebuilt"
    proc = run_cli("reprocess", "--data", str(archived_crawl.data), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(archived_crawl.records)} records" in proc.stdout
    rebuilt = _export(out)
    assert [r["id"] for r in rebuilt] == [r["id"] for r in archived_crawl.records]
    assert rebuilt == archived_crawl.records  # texts, metadata, provenance, fetched_at: every field
    live_catalog = archived_crawl.data / "catalog.sqlite"
    sql = f"SELECT {FETCH_COLUMNS} FROM fetches"
    assert _rows(out / "catalog.sqlite", sql) == _rows(live_catalog, sql)
    assert _rows(out / "catalog.sqlite", "SELECT id, site FROM crawls") == _rows(live_catalog,
                                                                                   "SELECT id, site FROM crawls")
    assert (out / "export.jsonl").stat().st_size > 0


def test_fetched_at_comes_from_warc_date(archived_crawl: ArchivedCrawl) -> None:
    dates = dict(_rows(archived_crawl.data / "catalog.sqlite", "SELECT warc_record_id, warc_date FROM fetches"))
    for record in archived_crawl.records[:50]:
        first = record["provenance"][0]
        assert record["fetched_at"] == first["fetched_at"]
        assert dates[first["warc_record_id"]].startswith(first["fetched_at"][:19])


def test_reprocess_in_place_replaces_the_catalog(archived_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(archived_crawl.data / "warc", data / "warc")
    (data / "catalog.sqlite").write_bytes(b"not a database: a stale or damaged catalog")
    summary = reprocess(data)
    assert summary.catalog == data / "catalog.sqlite" and not summary.skipped
    assert _export(data) == archived_crawl.records
    assert not list(data.glob("*.part*"))


def test_reprocess_refuses_unfinished_files(archived_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(archived_crawl.data / "warc", data / "warc")
    victim = next((data / "warc").rglob("*.warc.gz"))
    victim.rename(victim.with_name(victim.name + ".open"))
    proc = run_cli("reprocess", "--data", str(data))
    assert proc.returncode == 1
    assert "unfinished" in proc.stderr and "speechcrawl archive repair" in proc.stderr
    assert not (data / "catalog.sqlite").exists()
    assert run_cli("reprocess", "--data", str(tmp_path / "nothing")).returncode == 1


def test_generic_crawl_with_dropped_pages_reprocesses_equal(sandbox: SandboxProcess, tmp_path: Path) -> None:
    """Generic mode: list pages are dropped by the cleaners, archived with the reason, and dropped again."""
    data = tmp_path / "generic"
    live = crawl_and_export(data, [sandbox.urls["wenmi"] + "/"])
    documents = [document_from_block(r.block, "test") for path in (data / "warc").rglob("*.warc.gz")
                 for r in iter_records(path) if r.rec_type == "metadata"]
    dropped = [d for d in documents if d.dropped]
    assert dropped and all(d.generic and not d.records for d in dropped)
    assert "no speech after cleaning" in dropped[0].dropped
    assert sum(len(d.records) for d in documents) == len(live)
    summary = reprocess(data, tmp_path / "again")
    assert summary.dropped == len(dropped) and summary.documents == len(documents) and not summary.skipped
    assert _export(tmp_path / "again") == live
