"""HealthMonitor end to end: real crawls of the sandbox, warnings in the summary, the exit status and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.catalog import Catalog
from quality.health import key
from sandbox import SandboxProcess
from tests import run_cli

pytestmark = pytest.mark.slow


def _crawl(data: Path, sb: SandboxProcess, *sites: str) -> tuple[int, str]:
    origins = [f"--origin={site}={sb.urls[site]}" for site in sites]
    proc = run_cli("crawl", *sites, "--sandbox", "--no-progress", "--data", str(data), *origins)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout


def test_a_renamed_content_element_is_reported(tmp_path: Path) -> None:
    with SandboxProcess(sites=["sucai", "ribao"], articles=6, redesign=["sucai"]) as sb:
        code, out = _crawl(tmp_path, sb, "sucai", "ribao")
    assert code == 1, out
    sucai, ribao = out.split("ribao:", 1)
    assert "warning: content selector article.content = [\"div.entry-content\"] matched nothing on 6 of 6" in sucai
    assert "warning" not in ribao
    reports = {p.name.split("-")[0]: json.loads(p.read_text(encoding="utf-8"))
               for p in (tmp_path / "reports").glob("*.json")}
    assert set(reports) == {"sucai", "ribao"}
    assert reports["ribao"]["warnings"] == [] and reports["sucai"]["counters"][key("fallback")] == 6
    catalog = Catalog(tmp_path / "catalog.sqlite")
    stats = catalog.site_crawls("sucai")[0]["stats"]
    catalog.close()
    assert stats[key("fallback")] == 6 and stats[key("records")] == 6  # kept with the crawl: site list reads it


def test_fewer_records_than_last_time_is_reported(tmp_path: Path) -> None:
    with SandboxProcess(sites=["ribao"], articles=12) as sb:
        assert _crawl(tmp_path, sb, "ribao")[0] == 0
    with SandboxProcess(sites=["ribao"], articles=4) as sb:
        code, out = _crawl(tmp_path, sb, "ribao")
    assert code == 1
    assert "warning: record count dropped: 4 records, 12 in crawl" in out
