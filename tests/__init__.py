"""Helpers shared by the tests: run the real CLI in a child process, crawl the sandbox and export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "crawler.cli"]


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``speechcrawl ARGS`` as a user runs it (own process, own reactor)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def crawl_and_export(data: Path, targets: list[str], *extra: str) -> list[dict[str, Any]]:
    """Crawl ``targets`` into ``data`` (sandbox preset), export without dedup, return the records."""
    proc = run_cli("crawl", *targets, "--sandbox", "--no-progress", "--data", str(data), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = data / "export.jsonl"
    proc = run_cli("export", "--data", str(data), "--out", str(out), "--dedup", "none", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def make_record(site: str, n: int, text: str, **fields: Any) -> dict[str, Any]:
    """A schema-valid export record for catalogs built by hand (``fields`` override the defaults)."""
    from crawler.records import SCHEMA_VERSION, record_id

    url = f"http://{site}.test/a/{n}.html"
    fetched = fields.pop("fetched_at", "2026-01-02T03:04:05+00:00")
    record = {"id": record_id(url, None), "site": site, "url": url, "pages": [url], "part": None,
              "title": f"讲话{n}", "speaker": None, "speaker_title": None, "occasion": None, "date": None,
              "source": None, "text": text, "masks": [], "audit": {}, "dup": None, "mode": "profile",
              "fetched_at": fetched, "provenance": [{"url": url, "status": 200, "fetched_at": fetched}],
              "schema_version": SCHEMA_VERSION, "cleaner_version": "test"}
    record.update(fields)
    return record


def fill_catalog(path: Path, records: list[dict[str, Any]]) -> Path:
    """A catalog at ``path`` holding ``records`` (as the crawl's catalog pipeline stores them)."""
    from crawler.catalog import Catalog
    from crawler.records import text_sha1

    catalog = Catalog(path)
    with catalog.transaction():
        for record in records:
            catalog.put_record(record, crawl_id="c1", text_sha1=text_sha1(record["text"]))
    catalog.close()
    return path
