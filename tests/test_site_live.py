"""``speechcrawl site check --live``: a small live crawl of each site, judged by the health monitors.

The sandbox's redesign switch renames one site's content element, as a template change would:
the live check of that site must fail and name the selector, the other sites must pass, and a
healthy sample may replace a fixture (in a tmp copy) while a broken one may not.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from sandbox import SITES, SandboxProcess
from spiders.profiles import PROFILES_DIR
from tests import run_cli

pytestmark = pytest.mark.slow

FIXTURES_DIR = PROFILES_DIR / "fixtures"
"""The bundled profiles' fixtures."""


def _blocks(stdout: str) -> dict[str, str]:
    """Each site's lines of the report, by site."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^(\w+): .*(?:\n  .*)*", stdout, re.M)}


def test_renamed_content_class_fails_only_that_site(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, fixtures)
    before = {site: json.loads((fixtures / site / "fixture.json").read_text(encoding="utf-8")) for site in SITES}
    with SandboxProcess(articles=8, redesign=["sucai"]) as sb:
        origins = [f"--origin={site}={url}" for site, url in sb.urls.items()]
        proc = run_cli("site", "check", "--live", *SITES, "--sandbox", "--update", "--data", str(tmp_path / "data"),
                       "--fixtures", str(fixtures), *origins)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    blocks = _blocks(proc.stdout)
    assert set(blocks) == set(SITES), proc.stdout
    assert blocks["sucai"].startswith("sucai: BROKEN?")
    assert 'content selector article.content = ["div.entry-content"] matched nothing on 4 of 4 article pages' \
        in blocks["sucai"]
    assert "fixture NOT updated" in blocks["sucai"]
    for site in set(SITES) - {"sucai"}:
        assert blocks[site].startswith(f"{site}: ok ("), blocks[site]
        assert "fixture recorded" in blocks[site]
    after = {site: json.loads((fixtures / site / "fixture.json").read_text(encoding="utf-8")) for site in SITES}
    assert after["sucai"] == before["sucai"]
    assert all(after[s]["crawl_id"] != before[s]["crawl_id"] for s in set(SITES) - {"sucai"})
    check = run_cli("site", "check", "--fixtures", str(fixtures))
    assert check.returncode == 0, check.stdout  # the re-recorded fixtures replay to what was recorded


def test_fewer_records_than_the_last_live_check(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path / "data"), "--fixtures", str(tmp_path / "no-fixtures")]
    with SandboxProcess(sites=["ribao"], articles=8) as sb:
        first = run_cli("site", "check", "--live", "ribao", "--sandbox", f"--origin={sb.urls['ribao']}", *data)
    assert first.returncode == 0 and re.match(r"ribao: ok \(\d+ pages, 4 records\)", first.stdout), first.stdout
    with SandboxProcess(sites=["ribao"], articles=1) as sb:
        second = run_cli("site", "check", "--live", "ribao", "--sandbox", f"--origin={sb.urls['ribao']}", *data)
    assert second.returncode == 1
    assert re.search(r"record count dropped: 1 records, 4 in crawl \d{8}T", second.stdout), second.stdout
