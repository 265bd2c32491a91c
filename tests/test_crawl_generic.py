"""End to end, generic mode: sandbox sites crawled by URL with no profile.

The spider knows nothing of these templates: list pages (including teaser lists with
excerpts) must be told from articles by their content, and paginated articles
(sucai, "第2/3页") stitched through their pager.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from quality.metrics import bigram_f1
from sandbox.gold import gold_records
from tests import crawl_and_export

pytestmark = pytest.mark.slow

SITES = ("wenmi", "sucai")  # GBK + teaser lists; paginated articles


def _key(record: dict[str, Any]) -> tuple[str, int | None]:
    part = record.get("part")
    return record["url"], (part["index"] if part else None)


@pytest.fixture(scope="module")
def generic_crawl(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    data: Path = tmp_path_factory.mktemp("generic")
    return crawl_and_export(data, [sandbox.urls[site] + "/" for site in SITES])


@pytest.mark.parametrize("site", SITES)
def test_generic_mode_finds_exactly_the_articles(sandbox: Any, generic_crawl: list[dict[str, Any]],
                                                  site: str) -> None:
    base = sandbox.urls[site]
    found = [r for r in generic_crawl if r["url"].startswith(base + "/")]
    assert all(r["site"].startswith("generic-") and r["mode"] == "generic" for r in found)
    counts = Counter(_key(r) for r in found)
    gold = gold_records(site, base)
    assert set(counts) == {_key(g) for g in gold}, "list pages exported, or articles missed"
    assert max(counts.values()) == 1
    by_key = {_key(r): r for r in found}
    scores = [bigram_f1(by_key[_key(g)]["text"], g["text"]) for g in gold]
    assert sum(scores) / len(scores) >= 0.90


def test_paginated_articles_are_stitched(sandbox: Any, generic_crawl: list[dict[str, Any]]) -> None:
    base = sandbox.urls["sucai"]
    multi = [g for g in gold_records("sucai", base) if len(g["pages"]) > 1]
    assert multi, "the sandbox has no paginated article"
    by_url = {r["url"]: r for r in generic_crawl}
    for gold in multi:
        assert by_url[gold["url"]]["pages"] == gold["pages"]
