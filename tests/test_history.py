"""corpus.history: versions, gone pages, per-crawl counts, and when stored records may be reused."""

from __future__ import annotations

from typing import Any

import pytest

from corpus.catalog import Catalog
from corpus.history import cleaning_key, crawl_counts, known_urls, unchanged_records, validators


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(":memory:")


def _record(url: str, text: str, part: int | None = None, digest: str = "sha1:A") -> dict[str, Any]:
    return {"id": f"{url}#{part or 0}", "site": "s", "url": url, "part": {"index": part, "label": f"篇{part}"}
            if part else None, "title": "讲话", "text": text, "fetched_at": "2026-01-01T00:00:00+00:00",
            "provenance": [{"url": url, "status": 200, "payload_digest": digest}], "cleaner_version": "1"}


def test_versions_events_and_counts(catalog: Catalog) -> None:
    put = catalog.put_record
    assert put(_record("u1", "甲"), crawl_id="c1", text_sha1="") == "new"
    assert put(_record("u2", "乙", part=1), crawl_id="c1", text_sha1="") == "new"
    assert put(_record("u2", "丙", part=2), crawl_id="c1", text_sha1="") == "new"
    assert put(_record("u1", "甲 "), crawl_id="c2", text_sha1="") == "unchanged"  # whitespace is not an edit
    assert put(_record("u2", "乙", part=1), crawl_id="c2", text_sha1="") == "unchanged"
    assert put(_record("u2", "丁", part=2), crawl_id="c2", text_sha1="") == "changed"
    assert put({**_record("u1", "甲"), "title": "新标题"}, crawl_id="c3", text_sha1="") == "changed"
    assert crawl_counts(catalog.conn, "c1") == {"s": {"gone": 0, "changed": 0, "new": 2, "unchanged": 0}}
    # a document counts once: u2 changed in one part and not in the other is "changed"
    assert crawl_counts(catalog.conn, "c2") == {"s": {"gone": 0, "changed": 1, "new": 0, "unchanged": 1}}
    versions = [(r["id"], r["version"]) for r in catalog.iter_records(versions="all")]
    assert versions == [("u1#0", 1), ("u1#0", 2), ("u2#1", 1), ("u2#2", 1), ("u2#2", 2)]


def test_a_resumed_crawl_keeps_its_first_event_and_one_version(catalog: Catalog) -> None:
    catalog.put_record(_record("u1", "甲"), crawl_id="c1", text_sha1="")
    assert catalog.put_record(_record("u1", "乙"), crawl_id="c2", text_sha1="") == "changed"
    assert catalog.put_record(_record("u1", "乙"), crawl_id="c2", text_sha1="") == "unchanged"  # cleaned again
    assert crawl_counts(catalog.conn, "c2")["s"]["changed"] == 1
    assert catalog.put_record(_record("u1", "乙!"), crawl_id="c2", text_sha1="") == "changed"  # same crawl
    assert [r["version"] for r in catalog.iter_records(versions="all")] == [1, 2]


def test_gone_is_kept_marked_and_lifted_when_the_page_returns(catalog: Catalog) -> None:
    catalog.put_record(_record("u1", "甲"), crawl_id="c1", text_sha1="")
    assert catalog.mark_gone("u1", crawl_id="c2", status=410, at="2026-02-01T00:00:00+00:00") == 1
    assert catalog.mark_gone("nope", crawl_id="c2", status=404, at="t") == 0
    [record] = catalog.iter_records()
    assert record["gone"] == {"at": "2026-02-01T00:00:00+00:00", "status": 410, "crawl_id": "c2"}
    assert crawl_counts(catalog.conn, "c2")["s"]["gone"] == 1
    assert known_urls(catalog.conn, "s") == ["u1"]  # still asked for: it may come back
    assert catalog.put_record(_record("u1", "甲"), crawl_id="c3", text_sha1="") == "unchanged"
    assert next(catalog.iter_records())["gone"] is None


def test_records_are_reused_only_for_the_same_bytes_cleaned_the_same_way(catalog: Catalog) -> None:
    key = cleaning_key("1", "profile-a")
    catalog.put_record(_record("u1", "甲", digest="sha1:A"), crawl_id="c1", text_sha1="", cleaned_with=key)
    assert unchanged_records(catalog.conn, "u1", ["sha1:A"], key) is not None
    assert unchanged_records(catalog.conn, "u1", ["sha1:B"], key) is None  # the page changed
    assert unchanged_records(catalog.conn, "u1", ["sha1:A", "sha1:C"], key) is None  # now two pages
    assert unchanged_records(catalog.conn, "u1", ["sha1:A"], cleaning_key("2", "profile-a")) is None  # cleaners
    assert unchanged_records(catalog.conn, "u1", ["sha1:A"], cleaning_key("1", "profile-b")) is None  # profile
    assert unchanged_records(catalog.conn, "u0", ["sha1:A"], key) is None


def test_validators_point_at_a_full_payload(catalog: Catalog) -> None:
    common = {"site": "s", "url": "u1", "status": 200, "content_type": "text/html", "warc_length": 10}
    catalog.add_fetch(crawl_id="c1", fetched_at="t1", warc_filename="a.warc.gz", warc_offset=5, warc_record_id="<r1>",
                      payload_digest="sha1:A", warc_date="d1", etag='"x"', **common)
    catalog.add_fetch(crawl_id="c2", fetched_at="t2", warc_filename="b.warc.gz", warc_offset=7, warc_record_id="<r2>",
                      payload_digest="sha1:A", warc_date="d2", etag='"x"', revisit_of="<r1>", **common)
    catalog.add_fetch(crawl_id="c2", fetched_at="t2", warc_filename="b.warc.gz", warc_offset=9, warc_record_id="<r3>",
                      payload_digest="sha1:B", warc_date="d2", **{**common, "url": "u2"})  # no validator sent
    [(url, v)] = validators(catalog.conn, "s").items()
    assert url == "u1" and v.etag == '"x"' and (v.warc_filename, v.warc_offset, v.record_id) == ("a.warc.gz", 5, "<r1>")
