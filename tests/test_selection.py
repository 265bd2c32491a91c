"""Export filters: day parsing, validation, the SQL they select with, and one snapshot for two reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.catalog import Catalog
from corpus.selection import ExportFilter, Selection, parse_day
from tests import fill_catalog, make_record


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    records = [
        make_record("a", 1, "同志们:今年城市化进程加快。", date="2023-01-15", speaker="吴锦",
                    fetched_at="2024-03-01T08:00:00+00:00"),
        make_record("a", 2, "安全生产工作要常抓不懈,不断提高。" * 5, date="2023-12-31", speaker="王伟",
                    fetched_at="2024-03-01T08:00:00+00:00"),
        make_record("b", 3, "创造良好营商环境。", date=None, fetched_at="2025-06-01T23:59:59+00:00"),
        make_record("b", 4, "出口贸易稳中有进。", date="2021-02-28", fetched_at="2025-06-02T00:00:00+00:00"),
    ]
    return Catalog(fill_catalog(tmp_path / "catalog.sqlite", records))


def _titles(catalog: Catalog, **filters: object) -> list[str]:
    selection = Selection(catalog, ExportFilter(**filters))  # type: ignore[arg-type]
    return [json.loads(raw)["title"] for _, raw in selection.records()]


def test_parse_day_spans() -> None:
    assert parse_day("2023") == "2023-01-01" and parse_day("2023", end=True) == "2023-12-31"
    assert parse_day("2024-02", end=True) == "2024-02-29" and parse_day("2023-02-05") == "2023-02-05"
    for bad, why in (("2023/01/01", "YYYY-MM-DD"), ("2023-13", "month 13"), ("2023-02-30", "has 28 days"),
                     ("yesterday", "YYYY-MM-DD"), ("", "YYYY-MM-DD")):
        with pytest.raises(ValueError, match=why):
            parse_day(bad)


def test_bad_filters_are_refused() -> None:
    with pytest.raises(ValueError, match="after --until"):
        ExportFilter(since="2024", until="2023")
    with pytest.raises(ValueError, match="min-chars"):
        ExportFilter(min_chars=-1)
    with pytest.raises(ValueError, match="--by"):
        ExportFilter(by="published")  # type: ignore[arg-type]


def test_each_filter_selects(catalog: Catalog) -> None:
    assert _titles(catalog) == ["讲话1", "讲话2", "讲话3", "讲话4"]
    assert _titles(catalog, sites=("b",)) == ["讲话3", "讲话4"]
    assert _titles(catalog, since="2023") == ["讲话1", "讲话2"], "a record without a date never matches a date range"
    assert _titles(catalog, until="2023-01") == ["讲话1", "讲话4"]
    assert _titles(catalog, since="2025-06-02", by="fetched") == ["讲话4"]
    assert _titles(catalog, until="2025-06-01", by="fetched") == ["讲话1", "讲话2", "讲话3"]
    assert _titles(catalog, speaker="吴锦") == ["讲话1"]
    assert _titles(catalog, contains="城市化") == ["讲话1"]
    assert _titles(catalog, min_chars=20) == ["讲话2"]
    assert _titles(catalog, sites=("a",), since="2023-06", speaker="王伟", contains="安全") == ["讲话2"]
    selection = Selection(catalog, ExportFilter(sites=("a",)))
    assert selection.total() == 4 and selection.count() == 2


def test_date_and_speaker_filters_use_their_indexes(catalog: Catalog) -> None:
    for filters, index in ((ExportFilter(since="2023"), "records_date"), (ExportFilter(speaker="吴锦"), "records_speaker"),
                           (ExportFilter(since="2025", by="fetched"), "records_fetched_day")):
        where, params = filters.where()
        plan = " ".join(row[3] for row in catalog.conn.execute("EXPLAIN QUERY PLAN SELECT id FROM records" + where,
                                                               params))
        assert index in plan, plan


def test_a_snapshot_does_not_see_later_writes(catalog: Catalog, tmp_path: Path) -> None:
    selection = Selection(catalog)
    with selection.snapshot():
        first = [rowid for rowid, _ in selection.texts()]
        writer = Catalog(tmp_path / "catalog.sqlite")  # a crawl writing meanwhile
        writer.put_record(make_record("c", 5, "新的讲话。"), crawl_id="c2", text_sha1="x")
        writer.close()
        assert [rowid for rowid, _ in selection.records()] == first
    assert len([rowid for rowid, _ in selection.records()]) == len(first) + 1
    assert selection.ids_of(first[:2]) == {first[0]: make_record("a", 1, "")["id"], first[1]: make_record("a", 2, "")["id"]}
