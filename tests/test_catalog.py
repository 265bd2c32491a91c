"""Catalog: migrations recorded once, records upserted by id, transactions roll back."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.catalog import MIGRATIONS, Catalog


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(":memory:")


def _record(rid: str, text: str = "正文", part: int | None = None) -> dict[str, object]:
    return {"id": rid, "site": "s", "url": f"http://x/{rid}", "fetched_at": "2026-01-01T00:00:00+00:00",
            "text": text, "part": {"index": part} if part else None}


def test_migrations_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Catalog(path).close()
    again = Catalog(path)
    names = [r[0] for r in again.conn.execute("SELECT name FROM _speechcrawl_migrations")]
    assert names == [name for name, _ in MIGRATIONS]


def test_records_upsert_by_id(catalog: Catalog) -> None:
    catalog.put_record(_record("a", "旧"), crawl_id="c1", text_sha1="1")
    catalog.put_record(_record("a", "新"), crawl_id="c2", text_sha1="2")
    catalog.put_record(_record("b", part=2), crawl_id="c2", text_sha1="3")
    records = list(catalog.iter_records())
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["text"] == "新"
    assert catalog.count("records") == 2
    with pytest.raises(ValueError):
        catalog.count("sqlite_master")


def test_transaction_rolls_back_on_error(catalog: Catalog) -> None:
    with pytest.raises(RuntimeError), catalog.transaction():
        catalog.put_record(_record("a"), crawl_id="c", text_sha1="1")
        raise RuntimeError("boom")
    assert catalog.count("records") == 0


def test_failures_and_crawls(catalog: Catalog) -> None:
    catalog.start_crawl("c1", "wenmi", "2026-01-01T00:00:00")
    catalog.add_failure(crawl_id="c1", site="wenmi", url="http://x/a", status=503, reason="HTTP 503", at="t")
    catalog.finish_crawl("c1", "wenmi", "2026-01-01T00:01:00", "finished", {"pages": 3})
    assert catalog.failures("c1")[0]["status"] == 503
    crawl = catalog.crawls()[0]
    assert crawl["status"] == "finished" and '"pages": 3' in crawl["stats"]
