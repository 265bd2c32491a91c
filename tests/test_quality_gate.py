"""The quality gate runs in the suite: no cleaner change may lower a floor in quality/baseline.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quality.gate import compare, main, raise_floors


def test_gate_passes_against_the_sandbox_and_real_pages(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--sandbox-urls", json.dumps(sandbox.urls), "--no-compare"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert out.count("sandbox ") == 10  # five sites, profile and generic mode


def test_a_lowered_score_is_reported() -> None:
    baseline = {"bounds": {"realpages.mean_f1": 0.96, "sandbox.profile.wenmi.leaks": 0}}
    problems = compare({"realpages.mean_f1": 0.95, "sandbox.profile.wenmi.leaks": 2}, baseline)
    assert len(problems) == 2 and "floor" in problems[0] and "ceiling" in problems[1]


def test_update_never_lowers_a_floor_without_permission() -> None:
    baseline = {"bounds": {"realpages.mean_f1": 0.96}}
    new, refused = raise_floors({"realpages.mean_f1": 0.90}, baseline, allow_regression=False)
    assert new["bounds"]["realpages.mean_f1"] == 0.96 and refused
    new, refused = raise_floors({"realpages.mean_f1": 0.90}, baseline, allow_regression=True)
    assert new["bounds"]["realpages.mean_f1"] == 0.90 and not refused


def test_changed_corpus_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pinned = tmp_path / "baseline.json"
    pinned.write_text(json.dumps({"corpus_sha": "0" * 64, "bounds": {}}), encoding="utf-8")
    assert main(["--baseline", str(pinned), "--no-compare"]) == 1
    assert "corpus changed" in capsys.readouterr().err
