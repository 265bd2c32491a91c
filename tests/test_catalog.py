"""Catalog: migrations recorded once, records upserted by id, transactions roll back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corpus.catalog import MIGRATIONS, Catalog, _m001_initial


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


def test_records_keep_every_version(catalog: Catalog) -> None:
    assert catalog.put_record(_record("a", "旧"), crawl_id="c1", text_sha1="1") == "new"
    assert catalog.put_record(_record("a", "新"), crawl_id="c2", text_sha1="2") == "changed"
    assert catalog.put_record(_record("a", "新"), crawl_id="c3", text_sha1="2") == "unchanged"
    assert catalog.put_record(_record("b", part=2), crawl_id="c2", text_sha1="3") == "new"
    records = list(catalog.iter_records())
    assert [(r["id"], r["version"]) for r in records] == [("a", 2), ("b", 1)]
    assert records[0]["text"] == "新"
    assert [r["text"] for r in catalog.iter_records(versions="all") if r["id"] == "a"] == ["旧", "新"]
    assert catalog.count("records") == 3
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


def test_a_url_fails_once_per_crawl_and_a_later_success_clears_it(catalog: Catalog) -> None:
    for reason in ("HTTP 503 Service Unavailable", "timeout"):
        catalog.add_failure(crawl_id="c1", site="wenmi", url="http://x/a", status=None, reason=reason, at="t",
                            kind=reason.split()[0].lower())
    catalog.add_failure(crawl_id="c2", site="wenmi", url="http://x/a", status=404, reason="HTTP 404", at="t")
    assert [(f["crawl_id"], f["kind"], f["reason"]) for f in catalog.failures()] == [
        ("c1", "timeout", "timeout"), ("c2", "http", "HTTP 404")]
    catalog.clear_failure("c1", "http://x/a")
    assert [f["crawl_id"] for f in catalog.failures()] == ["c2"]


def test_failures_migration_keeps_the_last_row_per_url(tmp_path: Path) -> None:
    """A catalog written before 002 may hold one row per attempt; the newest one stays."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    _m001_initial(conn)
    conn.execute("CREATE TABLE _speechcrawl_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    conn.execute("INSERT INTO _speechcrawl_migrations VALUES ('001_initial', 'then')")
    for status in (503, 503, 500):
        conn.execute("INSERT INTO failures (crawl_id, site, url, status, reason, at) VALUES ('c', 's', 'u', ?, ?, 't')",
                     (status, f"HTTP {status}"))
    conn.commit()
    conn.close()
    catalog = Catalog(path)
    assert [(f["status"], f["kind"]) for f in catalog.failures()] == [(500, "http")]
    catalog.close()
