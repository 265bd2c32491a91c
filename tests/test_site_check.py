"""``speechcrawl site check`` offline: every shipped profile against its recorded fixture, and readable diffs.

Fixtures are copied to tmp_path before anything may write to them: tests never touch the repository's
spiders/profiles/fixtures/ or spiders/profiles/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.site.check import check_sites
from crawler.site.fixture import Fixture
from spiders.profiles import PROFILES_DIR, load_profiles

FIXTURES_DIR = PROFILES_DIR / "fixtures"
"""The bundled profiles' fixtures."""


def test_every_shipped_profile_matches_its_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    names = sorted(load_profiles(PROFILES_DIR))
    results = check_sites([], profiles_dir=None, fixtures=FIXTURES_DIR)
    assert [r.site for r in results] == names
    assert [r.report() for r in results if not r.ok] == []
    assert all(r.records > 0 for r in results)
    assert main(["site", "check"]) == 0
    assert capsys.readouterr().out.splitlines() == [r.report() for r in results]


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    profiles, fixtures = tmp_path / "profiles", tmp_path / "fixtures"
    shutil.copytree(PROFILES_DIR, profiles)
    shutil.copytree(FIXTURES_DIR, fixtures)
    return profiles, fixtures


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_changed_profile_gives_a_readable_diff_and_update_accepts_it(
        workspace: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    profiles, fixtures = workspace
    opts = ["--profiles", str(profiles), "--fixtures", str(fixtures)]
    _edit(profiles / "wenmi.toml", "'^手机扫码阅读本文$',", "'^手机扫码阅读本文$', '^二是要大力推行企业化运作',")
    _edit(profiles / "ribao.toml", 'date = ["div.info span.time"]', "date = []")
    assert main(["site", "check", "wenmi", "ribao", *opts]) == 1
    out = capsys.readouterr().out
    assert "wenmi: CHANGED" in out and "ribao: CHANGED" in out
    assert "      text: " in out and "        -二是要大力推行企业化运作" in out
    assert "      date: '2021-06-2" in out and "-> None" in out
    assert "run `speechcrawl site check wenmi --update` if the new output is right" in out
    before = (fixtures / "wenmi" / "expected.jsonl").read_text(encoding="utf-8")
    assert main(["site", "check", "wenmi", "ribao", "--update", *opts]) == 0
    assert "wenmi: updated" in capsys.readouterr().out
    assert main(["site", "check", "wenmi", "ribao", *opts]) == 0
    after = (fixtures / "wenmi" / "expected.jsonl").read_text(encoding="utf-8")
    assert after != before and "二是要大力推行企业化运作" in before and "二是要大力推行企业化运作" not in after


def test_a_broken_link_rule_loses_records(workspace: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    profiles, fixtures = workspace
    _edit(profiles / "wenmi.toml", r"article = ['^/wmgz/fwxx/(?:\d{4}/\d{4}/)?\d+\.html$']",
          r"article = ['^/wmgz/fwxx/\d{4}/\d{4}/\d+\.html$']")
    assert main(["site", "check", "wenmi", "--profiles", str(profiles), "--fixtures", str(fixtures)]) == 1
    assert "record no longer produced" in capsys.readouterr().out


def test_missing_fixture_and_unknown_site(workspace: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    profiles, fixtures = workspace
    shutil.rmtree(fixtures / "sucai")
    assert main(["site", "check", "sucai", "--profiles", str(profiles), "--fixtures", str(fixtures)]) == 1
    assert "no fixture (run `speechcrawl site check --live sucai --update`" in capsys.readouterr().out
    assert main(["site", "check", "nosuch", "--profiles", str(profiles), "--fixtures", str(fixtures)]) == 2
    assert "no profile named 'nosuch'" in capsys.readouterr().err
    assert main(["site", "check", "--origin", "http://127.0.0.1:1"]) == 2


def test_fixture_records_are_what_researchers_read() -> None:
    fixture = Fixture.load(FIXTURES_DIR / "sucai")
    records = fixture.expected()
    assert any(len(r["pages"]) > 1 for r in records), "the sucai fixture has no paginated article"
    assert all(set(r) == {"id", "url", "pages", "part", "title", "speaker", "speaker_title", "occasion", "date",
                          "source", "text", "masks", "mode"} for r in records)
    manifest = json.loads((FIXTURES_DIR / "sucai" / "fixture.json").read_text(encoding="utf-8"))
    assert manifest["origin"] == "http://127.0.0.1:8604" and manifest["scope"] == "articles<=4,lists<=2"


def test_a_damaged_fixture_fails_its_site_with_a_clear_message(workspace: tuple[Path, Path],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    profiles, fixtures = workspace
    (warc,) = (fixtures / "wenmi").glob("*.warc.gz")
    data = bytearray(warc.read_bytes())
    data[len(data) // 2:len(data) // 2 + 40] = bytes(40)
    warc.write_bytes(bytes(data))
    assert main(["site", "check", "wenmi", "ribao", "--profiles", str(profiles), "--fixtures", str(fixtures)]) == 1
    out = capsys.readouterr().out
    assert "wenmi: FIXTURE DAMAGED" in out and "the fixture's WARC is damaged" in out and "corrupt gzip member" in out
    assert "`speechcrawl site check --live wenmi --update`" in out and "ribao: ok" in out
    assert "if the new output is right" not in out
