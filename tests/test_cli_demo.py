"""`speechcrawl demo` through the real console entry point: the README's first command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import SITES

pytestmark = pytest.mark.slow


def _demo(out: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--out", str(out), "--articles", "4"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _origins(proc: subprocess.CompletedProcess[str]) -> str:
    return re.search(r"^sandbox: \d+ sites on loopback \((.*)\)$", proc.stderr, re.M).group(1)  # type: ignore[union-attr]


def test_demo_crawls_exports_and_summarises(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = _demo(out)
    rows = {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"^(\w+)\s+(\d+)\s+(\d+)\s+0\s+finished$", proc.stdout, re.M)}
    assert set(rows) == set(SITES), proc.stdout
    assert all(pages > 0 and records > 0 for pages, records in rows.values())
    records = [json.loads(line) for line in (out / "export.jsonl").read_text(encoding="utf-8").splitlines()]
    total = int(re.search(r"^total\s+\d+\s+(\d+)$", proc.stdout, re.M).group(1))  # type: ignore[union-attr]
    removed = int(re.search(r"(\d+) near duplicates removed", proc.stdout).group(1))  # type: ignore[union-attr]
    assert len(records) + removed == total
    assert {r["site"] for r in records} == set(SITES)
    for site in SITES:
        assert list((out / "warc" / site).glob("*.warc.gz")), f"no WARC for {site}"
    assert "Traceback" not in proc.stderr
    # A new user's first command prints no warnings about how we use our libraries (deprecated
    # settings, Deferred-returning components); warnings a future library release adds about
    # itself are not ours to fail on.
    ours = [line for line in proc.stderr.splitlines() if "Warning" in line
            and (re.search(r"\b(crawler|spiders|cleaners|archive)\.\w", line) or "DNS_RESOLVER" in line)]
    assert not ours, ours

    # Run again into the same directory: a re-crawl of the same pages, not a second corpus.
    again = _demo(out)
    assert re.search(r"^total\s+\d+\s+(\d+)$", again.stdout, re.M).group(1) == str(total)  # type: ignore[union-attr]
    if _origins(again) == _origins(proc):  # the default ports were free both times (else ids differ by port)
        ids = {r["id"] for r in records}
        assert {json.loads(line)["id"] for line in (out / "export.jsonl").read_text(encoding="utf-8").splitlines()} == ids
        assert f"({len(records)} records, {removed} near duplicates removed)" in again.stdout


def test_demo_checks_its_settings_as_crawl_does(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--out", str(tmp_path / "demo"),
                           "-s", "SPEECHCRAWL_WARC_RECHECK_LEDGER=many"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "SPEECHCRAWL_WARC_RECHECK_LEDGER" in proc.stderr, proc.stderr
    assert not (tmp_path / "demo").exists()
