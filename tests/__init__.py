"""Helpers shared by the tests: run the real CLI in a child process, crawl the sandbox and export."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ArchivedCrawl:
    """A finished crawl: its data directory (warc/, catalog.sqlite, export.jsonl) and exported records."""

    data: Path
    records: list[dict[str, Any]]
