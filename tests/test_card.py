"""The dataset card beside an export: its name, its counts, and WARC digests one can check."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from corpus.card import card_path
from corpus.dedup import DedupOptions
from corpus.export import ExportOptions, export
from corpus.selection import ExportFilter


def test_card_path_drops_export_suffixes() -> None:
    assert [card_path(Path("d") / n).name for n in ("s.jsonl", "s.jsonl.gz", "s.jsonl.zst", "s.parquet", "s.v2.jsonl",
                                                    ".jsonl")] == ["s.card.md", "s.card.md", "s.card.md", "s.card.md",
                                                                   "s.v2.card.md", "export.card.md"]


@pytest.mark.slow
def test_card_describes_the_export(sandbox_crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    data, _ = sandbox_crawl
    options = ExportOptions(filters=ExportFilter(sites=("wendang", "ribao"), since="2021"), masks="placeholder",
                            dedup=DedupOptions(threshold=0.6), card=True)
    summary = export(data / "catalog.sqlite", tmp_path / "c.jsonl.gz", options)
    assert summary.card == tmp_path / "c.card.md"
    card = summary.card.read_text(encoding="utf-8")
    assert f"{summary.written} records (jsonl), {summary.skipped_by_filter} skipped by filter, " \
           f"{summary.removed_as_duplicates} removed as duplicates" in card
    for site in ("ribao", "wendang"):
        counts = summary.sites[site]
        row = f"| {site} | {counts.records} | {counts.characters} | {counts.first_date} to {counts.last_date} |"
        assert row in card
    assert "wenmi" not in card and "- sites: wendang, ribao" in card
    assert "- speech date from 2021-01-01 to the end (records without a date left out)" in card
    assert "Jaccard similarity of 5-character shingles >= 0.6" in card and "masks (******, XX, 20xx …): placeholder" in card
    listed = re.findall(r"^\| (\w+) \| (\S+\.warc\.gz) \| (\d+) \| ([0-9a-f]{64}) \|$", card, re.M)
    assert {(site, name) for site, name, _, _ in listed} == summary.warc_files and listed
    for site, name, size, digest in listed:
        path = data / "warc" / site / name
        assert int(size) == path.stat().st_size and digest == hashlib.sha256(path.read_bytes()).hexdigest()
