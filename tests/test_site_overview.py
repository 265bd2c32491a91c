"""``speechcrawl site list``: domains, last crawl, records and health of every profile, from the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.catalog import Catalog
from crawler.cli import main
from crawler.site.overview import site_rows
from quality.health import key
from spiders.profiles import PROFILES_DIR, load_profiles

FIXTURES_DIR = PROFILES_DIR / "fixtures"
"""The bundled profiles' fixtures."""


def _crawl(catalog: Catalog, crawl_id: str, site: str, **counters: object) -> None:
    stats = {key("mode"): "profile", key("scope"): "full", key("responses"): 24, key("documents"): 20,
             key("records"): 20, key("chars"): 40000, key("filled/title"): 20}
    stats.update({key(k.replace("__", "/")): v for k, v in counters.items()})
    catalog.start_crawl(crawl_id, site, f"2024-05-0{crawl_id[-1]}T10:00:00+00:00")
    catalog.finish_crawl(crawl_id, site, f"2024-05-0{crawl_id[-1]}T10:01:00+00:00", "finished", stats)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    _crawl(catalog, "c1", "wenmi")
    _crawl(catalog, "c2", "wenmi")
    _crawl(catalog, "c1", "sucai")
    _crawl(catalog, "c2", "sucai", fallback=20)
    _crawl(catalog, "c1", "ribao")
    _crawl(catalog, "c2", "ribao", records=6, chars=12000)
    catalog.start_crawl("c3", "ribao", "2024-05-03T10:00:00+00:00")  # still running: not the last crawl
    catalog.close()
    return tmp_path


def test_rows_judge_the_last_crawl_against_the_one_before(data: Path) -> None:
    rows = {r.name: r for r in site_rows(load_profiles(PROFILES_DIR), data, FIXTURES_DIR)}
    assert set(rows) >= {"wenmi", "fanwen", "wendang", "sucai", "ribao"}
    assert rows["wenmi"].health == "ok" and rows["wenmi"].records == "20"
    assert rows["wenmi"].last_crawl == "c2 (2024-05-02)" and rows["wenmi"].domains == "127.0.0.1:8601"
    assert rows["sucai"].health.startswith("1 warning(s): content selector article.content")
    assert rows["ribao"].health == "1 warning(s): record count dropped: 6 records, 20 in crawl c1"
    assert rows["fanwen"].last_crawl == "never" and rows["fanwen"].health == "-"
    assert rows["fanwen"].fixture.endswith("records")


def test_cli_table(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", "list", "--data", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["site", "domains", "last", "crawl", "records", "fixture", "health"]
    assert any(line.startswith("sucai ") and "warning" in line for line in lines)
    assert main(["site", "list", "--data", str(data / "nothing-here")]) == 0
    assert all(" never " in line for line in capsys.readouterr().out.splitlines()[1:])
