"""``speechcrawl quality``: scores against the sandbox gold, and the targets of issue 4 hold."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from crawler.cli import main
from quality.scoring import TARGETS, format_report, missed_targets
from sandbox import SITES


def quality(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["quality", "--json", *argv])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_profiles_meet_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = quality(capsys)
    assert report["mode"] == "profile" and list(report["sites"]) == list(SITES)
    for site, scores in report["sites"].items():
        assert scores["records"] >= 20 and scores["missing"] == 0 and scores["extra"] == 0, site
        assert scores["mean_f1"] >= 0.99 and scores["leaks"] == 0 and scores["mask_chars_left"] == 0, site
        assert scores["metadata"]["title"]["total"] == scores["records"]
        assert all(entry["rate"] >= 0.95 for entry in scores["metadata"].values()), (site, scores["metadata"])
        assert not scores["invented"], (site, scores["invented"])  # nothing stated that the page does not state
    assert code == 0 and report["missed_targets"] == []


def test_generic_mode_meets_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = quality(capsys, "--generic")
    assert report["mode"] == "generic" and list(report["sites"]) == list(SITES)
    for site, scores in report["sites"].items():
        assert scores["mean_f1"] >= 0.95 and scores["ad_leaks"] == 0, site
    assert code == 0


def test_table_per_site(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["quality", "--site", "ribao", "--site", "sucai", "--articles", "4"])
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert code == 0 and lines[0] == "sandbox quality, profile mode, 4 articles per site"
    assert lines[1].split()[:6] == ["site", "expected", "found", "mean", "F1", "min"]
    assert [line.split()[0] for line in lines[2:]] == ["ribao", "sucai"]
    assert lines[2].split()[1:3] == ["4", "4"]


def test_missed_targets_are_reported() -> None:
    good = {"records": 10, "missing": 0, "mean_f1": 1.0, "leaks": 0, "ad_leaks": 0, "mask_chars_left": 0,
            "min_f1": 1.0, "metadata": {"title": {"match": 10, "total": 10, "rate": 1.0}}}
    bad = {**good, "missing": 1, "mean_f1": 0.97, "leaks": 2, "mask_chars_left": 3,
           "metadata": {"speaker": {"match": 9, "total": 10, "rate": 0.9}}}
    report = {"mode": "profile", "articles": 10, "sites": {"wenmi": good, "ribao": bad}}
    missed = missed_targets(report)
    assert len(missed) == 5 and all(line.startswith("ribao: ") for line in missed)
    assert missed_targets({**report, "mode": "generic"}) == ["ribao: 1 gold records not found"]
    assert "ribao" in format_report(report) and "90.00%" in format_report(report)
    assert TARGETS["profile"]["mean_f1"] == 0.99 and TARGETS["generic"]["mean_f1"] == 0.95


def test_unknown_site_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "--site", "nope"]) == 2
    assert "unknown site 'nope'" in capsys.readouterr().err


def test_real_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "quality", "--site", "wenmi", "--articles", "3"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[2].split()[:3] == ["wenmi", "3", "3"]
