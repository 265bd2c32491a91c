"""End to end: kill -9 a crawl of the five sandbox sites ten times at random moments, resume each time.

The final export must equal the clean crawl's (same ids, same texts), hold nothing twice, and the
archive must verify (archive.verify and ``warcio check``), with no file left unfinished.  The kill
moments are drawn from a seeded generator, so a failure can be replayed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from corpus.catalog import Catalog
from sandbox import SITES
from tests import run_cli
from tests.harness.crawls import soak

pytestmark = pytest.mark.slow

SEED = 20260106


def test_ten_kills_and_resumes_lose_nothing_and_duplicate_nothing(sandbox: Any, clean_crawl: dict[str, Any],
                                                                   tmp_path: Path) -> None:
    result = soak(sandbox, tmp_path, list(SITES), kills=10, seed=SEED)
    assert result.kills == 10, f"only {result.kills} kills hit a live crawl in {result.runs} runs"
    clean = {r["id"]: r["text"] for r in clean_crawl["records"]}
    got = Counter(r["id"] for r in result.records)
    assert [rid for rid, n in got.items() if n > 1] == []
    assert set(got) == set(clean)
    assert {r["id"]: r["text"] for r in result.records} == clean
    assert result.archive == []
    catalog = Catalog(tmp_path / "catalog.sqlite")
    assert {c["status"] for c in catalog.crawls()} == {"finished"} and catalog.failures() == []
    catalog.close()


def test_resume_finds_the_unfinished_crawl_or_says_there_is_none(sandbox: Any, tmp_path: Path) -> None:
    proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(tmp_path), "--resume", timeout=60)
    assert proc.returncode == 2 and "nothing to resume" in proc.stderr
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.start_crawl("20260101T000000000Z", "wenmi", "2026-01-01T00:00:00")  # as a killed crawl leaves it
    catalog.close()
    proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(tmp_path), "--resume",
                   f"--origin=wenmi={sandbox.urls['wenmi']}", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("resuming crawl 20260101T000000000Z\n")
    catalog = Catalog(tmp_path / "catalog.sqlite")
    assert [(c["id"], c["status"]) for c in catalog.crawls()] == [("20260101T000000000Z", "finished")]
    catalog.close()
