"""``speechcrawl stats``: per-site figures checked against the records themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpus.catalog import Catalog
from corpus.dedup import DedupOptions
from corpus.stats import catalog_stats, format_table
from crawler.cli import main
from tests import fill_catalog, make_record

Crawl = tuple[Path, list[dict[str, Any]]]


@pytest.mark.slow
def test_figures_match_the_records(sandbox_crawl: Crawl, capsys: pytest.CaptureFixture[str]) -> None:
    data, records = sandbox_crawl
    assert main(["stats", "--data", str(data), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert list(stats) == ["fanwen", "ribao", "sucai", "wendang", "wenmi", "total"]
    for site, figures in stats.items():
        mine = [r for r in records if site in ("total", r["site"])]
        dates = sorted(r["date"] for r in mine if r["date"])
        assert figures["records"] == len(mine)
        assert figures["characters"] == sum(len(r["text"]) for r in mine)
        assert (figures["first_date"], figures["last_date"]) == ((dates[0], dates[-1]) if dates else (None, None))
        assert figures["speakers"] == len({r["speaker"] for r in mine if r["speaker"]})
        assert figures["masks"] == sum(len(r["masks"]) for r in mine)
        assert figures["failed_pages"] == 0 and figures["pages"] >= len({r["url"] for r in mine})
        assert figures["duplicate_rate"] == round(figures["duplicates"] / len(mine), 4)
    assert stats["total"]["duplicates"] == sum(s["duplicates"] for k, s in stats.items() if k != "total") > 40
    assert stats["wendang"]["duplicate_rate"] > stats["ribao"]["duplicate_rate"] == 0.0
    assert main(["stats", "--data", str(data)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["site", "pages", "records", "characters", "dates", "speakers", "dup", "rate", "masks",
                                "failed"]
    assert [line.split()[0] for line in table[1:]] == list(stats)


def test_failures_pages_and_no_dedup(tmp_path: Path) -> None:
    path = fill_catalog(tmp_path / "catalog.sqlite", [make_record("a", 1, "同志们:今天开会。", speaker="吴锦"),
                                                      make_record("a", 2, "同志们:今天开会。")])
    catalog = Catalog(path)
    for url, status in (("http://a.test/1", 200), ("http://a.test/1", 200), ("http://a.test/2", 404)):
        catalog.add_fetch(crawl_id="c1", site="a", url=url, status=status, fetched_at="t")
    catalog.add_failure(crawl_id="c1", site="a", url="http://a.test/2", status=404, reason="HTTP 404", at="t")
    catalog.add_failure(crawl_id="c1", site="b", url="http://b.test/", status=None, reason="DNS", at="t")
    catalog.close()
    stats = catalog_stats(path, DedupOptions(mode="exact"))
    assert (stats["a"].pages, stats["a"].failed_pages, stats["a"].duplicates, stats["a"].speakers) == (2, 1, 1, 1)
    assert (stats["b"].records, stats["b"].failed_pages, stats["total"].failed_pages) == (0, 1, 2)
    assert catalog_stats(path, DedupOptions(mode="none"))["a"].duplicates == 0
    assert format_table(stats).splitlines()[1].split() == ["a", "2", "2", "18", "-", "1", "50.0%", "0", "1"]


def test_missing_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"speechcrawl: error: no catalog at {tmp_path / 'catalog.sqlite'}: run " \
                                      "`speechcrawl crawl` first\n"
