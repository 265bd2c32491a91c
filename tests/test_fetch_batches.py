"""Fetch rows committed in batches: a crawl SIGKILLed with rows not yet committed, then resumed.

The catalog pipeline gathers fetch rows and commits them with the next document, in batches, and
on a timer (crawler.pipelines.catalog).  What a kill loses of them is in the WARC files, and
``--resume`` adds it back from there (crawler.resume.catch_up_fetches): the catalog is again what
``reprocess`` rebuilds from the files, and a document is never in the catalog before its pages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.contents import read_fetches
from sandbox import SandboxProcess
from tests import crawl_paused_and_killed, run_cli

ROOT = Path(__file__).resolve().parents[1]
_COLUMNS = ("crawl_id", "site", "url", "status", "fetched_at", "content_type", "warc_filename", "warc_offset",
            "warc_length", "warc_record_id", "payload_digest", "revisit_of", "warc_date")
# Rows wait for a document (or 1,000 of them), never for the clock: what is committed at the kill is certain.
_HOLD = ["-s", "SPEECHCRAWL_CATALOG_FETCH_BATCH=1000", "-s", "SPEECHCRAWL_CATALOG_FLUSH_SECONDS=600"]


def _rows(catalog: Path, crawl_id: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(catalog)
    try:
        return sorted(conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM fetches WHERE crawl_id = ?", (crawl_id,)),
                      key=repr)
    finally:
        conn.close()


@pytest.mark.parametrize("moment", [4, 40], ids=["before-any-document", "among-documents"])
def test_fetch_rows_a_kill_left_uncommitted_come_back_on_resume(sandbox: SandboxProcess, tmp_path: Path,
                                                                  moment: int) -> None:
    data, marker = tmp_path / "data", tmp_path / "paused"
    origin = f"--origin=wenmi={sandbox.urls['wenmi']}"
    crawl_paused_and_killed(
        ["crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data), origin, *_HOLD,
         "-s", "SPEECHCRAWL_WARC_WRITER=tests.PausingWarcWriter"],
        ("SPEECHCRAWL_TEST_PAUSE", f"wenmi:{moment}:0:{marker}"), marker, ROOT)
    conn = sqlite3.connect(data / "catalog.sqlite")
    (crawl_id,) = [c for (c,) in conn.execute("SELECT id FROM crawls WHERE status != 'finished'")]
    fetched = {u for (u,) in conn.execute("SELECT url FROM fetches WHERE crawl_id = ?", (crawl_id,))}
    stored = {u for (u,) in conn.execute("SELECT url FROM record_events WHERE crawl_id = ?", (crawl_id,))}
    conn.close()
    assert stored <= fetched, "a document reached the catalog before its page's fetch row"

    repaired = run_cli("archive", "repair", str(data / "warc"))
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    archived = [f for path in sorted((data / "warc" / "wenmi").glob("*.warc.gz")) for f in read_fetches(path)]
    missing = {f.url for f in archived} - fetched
    if moment == 4:  # robots.txt and the first list page archived, no document yet: nothing committed
        assert not fetched and not stored and len(missing) >= 2

    resumed = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data), "--resume", origin)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    if missing:  # among documents, how many wait at the kill depends on the moment
        assert f"resume: {len(missing)} fetches the killed run archived but had not committed" in resumed.stderr

    from corpus.rebuild import reprocess

    reprocess(data, tmp_path / "again")
    assert _rows(data / "catalog.sqlite", crawl_id) == _rows(tmp_path / "again" / "catalog.sqlite", crawl_id)
    checked = run_cli("archive", "verify", str(data / "warc"))
    assert checked.returncode == 0, checked.stdout
