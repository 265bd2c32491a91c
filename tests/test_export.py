"""corpus.export: mask rendering, output format, and exports of a hand-built catalog.

Mask modes are rebuilt from the stored strip text + offsets; an export applies
filters, then duplicate clusters, then masks and fields, and counts what it left out.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from corpus.dedup import DedupOptions
from corpus.export import PLACEHOLDER, ExportOptions, export, output_format, render_masks
from corpus.selection import ExportFilter
from crawler.commands.progressbar import Progress
from sandbox.writer import Writer, rng_for, spin_all
from tests import fill_catalog, make_record

STRIPPED = "以同志为核心,增长%。"
MASKS = [{"original": "******", "offset": 1, "kind": "star"}, {"original": "X", "offset": 9, "kind": "x"}]


def test_strip_is_identity() -> None:
    assert render_masks(STRIPPED, MASKS, "strip") == (STRIPPED, MASKS)


def test_keep_restores_originals_and_offsets() -> None:
    text, masks = render_masks(STRIPPED, MASKS, "keep")
    assert text == "以******同志为核心,增长X%。"
    for mask in masks:
        assert text[mask["offset"]:mask["offset"] + len(mask["original"])] == mask["original"]


def test_placeholder() -> None:
    text, masks = render_masks(STRIPPED, MASKS, "placeholder")
    assert text == f"以{PLACEHOLDER}同志为核心,增长{PLACEHOLDER}%。"
    assert [text[m["offset"]] for m in masks] == [PLACEHOLDER, PLACEHOLDER]


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown mask mode"):
        render_masks(STRIPPED, MASKS, "blur")


def test_output_format() -> None:
    assert [output_format(Path(n)) for n in ("a.jsonl", "a.jsonl.gz", "a.parquet", "a.PQ", "a")] == [
        "jsonl", "jsonl", "parquet", "parquet", "jsonl"]
    assert output_format(Path("a.data"), "parquet") == "parquet"
    with pytest.raises(ValueError, match="ends in .parquet"):
        output_format(Path("a.parquet"), "jsonl")
    with pytest.raises(ValueError, match="drop .gz"):
        output_format(Path("a.parquet.gz"), "parquet")
    with pytest.raises(ValueError, match="unknown format"):
        output_format(Path("a.csv"), "csv")


def test_options_refuse_unknown_fields_and_masks() -> None:
    with pytest.raises(ValueError, match="unknown field.*titel.*a record has: id, site"):
        ExportOptions(fields=("id", "titel"))
    with pytest.raises(ValueError, match="named twice"):
        ExportOptions(fields=("id", "id"))
    with pytest.raises(ValueError, match="unknown mask mode"):
        ExportOptions(masks="blur")  # type: ignore[arg-type]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    w = Writer(rng_for("test-export", 1))
    speech = "\n".join(w.paragraph() for _ in range(8))
    other = "\n".join(w.paragraph() for _ in range(8))
    records = [
        make_record("a", 1, speech, date="2023-03-01", masks=[{"original": "******", "offset": 3, "kind": "asterisk"}]),
        make_record("a", 2, speech, date="2023-03-02"),  # the same text on another page
        make_record("b", 3, spin_all(speech) + "完", date="2022-01-01"),  # spun and a character longer
        make_record("b", 4, other, date="2021-01-01"),
        make_record("c", 5, "短。", date="2023-01-01"),
    ]
    return fill_catalog(tmp_path / "catalog.sqlite", records)


def _export(catalog: Path, **options: Any) -> tuple[list[dict[str, Any]], Any]:
    out = catalog.parent / "out.jsonl"
    summary = export(catalog, out, ExportOptions(**options))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], summary


def test_near_dedup_keeps_one_per_cluster(catalog: Path) -> None:
    records, summary = _export(catalog)
    assert [r["title"] for r in records] == ["讲话3", "讲话4", "讲话5"]
    assert (summary.written, summary.removed_as_duplicates, summary.skipped_by_filter) == (3, 2, 0)
    assert records[0]["dup"] == {"cluster": records[0]["id"], "of": None, "similarity": 1.0, "size": 3}
    assert records[1]["dup"]["size"] == 1
    assert summary.closing_line() == (f"3 records written to {catalog.parent / 'out.jsonl'}; 0 skipped by filter; "
                                      "2 removed as duplicates")


def test_keep_dups_marks_every_member(catalog: Path) -> None:
    records, summary = _export(catalog, keep_dups=True)
    kept = records[2]["id"]
    assert [r["dup"]["of"] for r in records] == [kept, kept, None, None, None]
    assert records[0]["dup"]["similarity"] == records[1]["dup"]["similarity"] < 1.0
    assert summary.removed_as_duplicates == 0 and summary.written == 5


def test_exact_and_none(catalog: Path) -> None:
    records, summary = _export(catalog, dedup=DedupOptions(mode="exact"))
    assert [r["title"] for r in records] == ["讲话1", "讲话3", "讲话4", "讲话5"]
    assert summary.removed_as_duplicates == 1
    records, summary = _export(catalog, dedup=DedupOptions(mode="none"))
    assert len(records) == 5 and all(r["dup"] is None for r in records)


def test_filters_apply_before_dedup(catalog: Path) -> None:
    records, summary = _export(catalog, filters=ExportFilter(sites=("a",), since="2023-03-02"))
    assert [r["title"] for r in records] == ["讲话2"] and records[0]["dup"]["size"] == 1
    assert (summary.written, summary.skipped_by_filter, summary.removed_as_duplicates) == (1, 4, 0)
    records, summary = _export(catalog, filters=ExportFilter(min_chars=10, until="2022"))
    assert [r["title"] for r in records] == ["讲话3", "讲话4"] and summary.skipped_by_filter == 3


def test_masks_and_fields(catalog: Path) -> None:
    records, _ = _export(catalog, masks="placeholder", fields=("title", "text", "masks"), dedup=DedupOptions("none"))
    assert list(records[0]) == ["title", "text", "masks"]
    assert records[0]["text"][3] == PLACEHOLDER and records[0]["masks"][0]["offset"] == 3


def test_progress_is_drawn_only_when_enabled(catalog: Path) -> None:
    shown, hidden = io.StringIO(), io.StringIO()
    export(catalog, catalog.parent / "o.jsonl", progress=Progress("export", enabled=True, stream=shown, interval=0))
    export(catalog, catalog.parent / "o.jsonl", progress=Progress("export", stream=hidden, interval=0))
    drawn = shown.getvalue().split("\n")
    assert drawn[0].startswith("\rdedup") and "5/5  100%" in drawn[0]
    assert drawn[1].startswith("\rwrite") and "5/5  100%" in drawn[1]
    assert hidden.getvalue() == "", "StringIO is no terminal"


def test_a_missing_catalog_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no catalog at .*run `speechcrawl crawl` first"):
        export(tmp_path / "catalog.sqlite", tmp_path / "o.jsonl")
