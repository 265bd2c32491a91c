"""WarcMetadataPipeline: one metadata record per document, read back from a real WARC file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archive.documents import (
    DOCUMENT_FORMAT,
    ArchivedDocument,
    DocumentPage,
    DocumentRecord,
    document_from_block,
)
from archive.exceptions import ArchiveError
from archive.reader import iter_records
from archive.warc import HttpExchange, WarcWriter
from crawler import signals as sc_signals
from crawler.addon import SpeechcrawlAddon
from crawler.pipelines.warc import WarcMetadataPipeline, outlinks
from spiders.items import Document, FetchedPage

PAGE_1 = ('<html><a href="/list/2.html">下一页</a> <a href=\'a/2.html#top\'>2</a> <a href=/a/3.html?x=1&amp;y=2>3</a>'
          '<a href="javascript:void(0)">x</a><a href="mailto:a@b.c">m</a><a href="/list/2.html">again</a>'
          '<A HREF="http://other.test/">other</A><a name="n">no href</a></html>').encode()


def _crawler(**settings: object) -> object:
    return get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c1", **settings})


def _page(writer: WarcWriter, url: str, body: bytes) -> FetchedPage:
    _, pointer = writer.write_exchange(HttpExchange(
        url=url, method="GET", request_headers=[], request_body=b"", protocol="HTTP/1.1", status=200, reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8")], response_body=body, ip_address="127.0.0.1",
        fetched_at=datetime.now(UTC)))
    return FetchedPage(url=url, status=200, body=body, declared_encoding="utf-8", fetched_at="t", warc=pointer)


def _documents(writer: WarcWriter) -> list[ArchivedDocument]:
    writer.close()
    return [document_from_block(r.block, "test") for path in writer.files for r in iter_records(path)
            if r.rec_type == "metadata"]


def test_outlinks_are_absolute_ordered_and_unique() -> None:
    assert outlinks(PAGE_1, "http://s.test/a/1.html", "utf-8")[0] == [
        "http://s.test/list/2.html", "http://s.test/a/a/2.html", "http://s.test/a/3.html?x=1&y=2",
        "http://other.test/"]
    gbk = '<a href="/搜索/1.html">'.encode("gbk")
    assert outlinks(gbk, "http://s.test/", "gbk")[0] == ["http://s.test/搜索/1.html"]
    assert outlinks(gbk, "http://s.test/", "no-such-charset")[0][0].startswith("http://s.test/")


def test_outlinks_resolved_once_still_resolve_against_each_page() -> None:
    """An href remembered from one page (outlinks resolves each absolute or root-relative one once) gives
    another origin's page its own origin, another charset its own text, and a relative one its own base."""
    page = b'<a href="/x/1.html">1</a> <a href="2.html">2</a> <a href="">none</a> <a href="mailto:a@b">m</a>'
    for _ in range(2):  # the second round reads what the first remembered
        assert outlinks(page, "http://s.test/a/", "utf-8")[0] == ["http://s.test/x/1.html", "http://s.test/a/2.html"]
        assert outlinks(page, "http://t.test/b/c.html", "utf-8")[0] == [
            "http://t.test/x/1.html", "http://t.test/b/2.html"]
    raw = '<a href="/搜索">'.encode("gbk")
    assert outlinks(raw, "http://s.test/", "gbk")[0] == ["http://s.test/搜索"]
    assert outlinks(raw, "http://s.test/", "latin-1")[0] == ["http://s.test/" + "/搜索".encode("gbk").decode("latin-1")[1:]]


def test_outlinks_stop_at_the_link_bound_and_count_the_rest() -> None:
    # PAGE_1 has 7 <a href>: the first 3 are read (2 distinct once the repeat is dropped), 4 are counted.
    assert outlinks(PAGE_1, "http://s.test/a/1.html", "utf-8", limit=3) == (
        ["http://s.test/list/2.html", "http://s.test/a/a/2.html", "http://s.test/a/3.html?x=1&y=2"], 4)
    assert outlinks(PAGE_1, "http://s.test/a/1.html", "utf-8", limit=0)[1] == 0


def test_an_exported_and_a_dropped_document_each_get_a_record(tmp_path: Path) -> None:
    crawler = _crawler()
    pipe = build_from_crawler(WarcMetadataPipeline, crawler)
    writer = WarcWriter(tmp_path, prefix="s", crawl_id="c1", warcinfo={})
    crawler.signals.send_catch_log(sc_signals.warc_writer_opened, writer=writer, spider=None)
    pages = [_page(writer, "http://s.test/a/1.html", PAGE_1), _page(writer, "http://s.test/a/1_2.html", b"<p>2</p>")]
    doc = Document(site="s", url="http://s.test/a/1.html", pages=pages,
                   records=[{"id": "r1", "part": None, "title": "在大会上的讲话"},
                            {"id": "r2", "part": {"index": 2, "count": 2}, "title": None}])
    assert pipe.archive(doc, None) == "documents"
    empty = Document(site="s", url="http://s.test/list/1.html", pages=[_page(writer, "http://s.test/list/1.html",
                                                                              b"<ul></ul>")])
    assert pipe.archive(empty, str(DropItem("no speech after cleaning"))) == "documents"
    first, second = _documents(writer)
    assert first.refers_to == [p.warc.record_id for p in pages if p.warc]
    assert [p.url for p in first.pages] == ["http://s.test/a/1.html", "http://s.test/a/1_2.html"]
    assert first.pages[0].outlinks[0] == "http://s.test/list/2.html" and first.pages[1].outlinks == []
    assert [(r.id, r.part_index, r.title) for r in first.records] == [("r1", None, "在大会上的讲话"), ("r2", 2, None)]
    assert (first.crawl_id, first.dropped, first.generic) == ("c1", None, False)
    assert second.records == [] and second.dropped == "no speech after cleaning"


def test_metadata_record_headers(tmp_path: Path) -> None:
    crawler = _crawler()
    pipe = build_from_crawler(WarcMetadataPipeline, crawler)
    writer = WarcWriter(tmp_path, prefix="s", crawl_id="c1", warcinfo={})
    pipe.writer_opened(writer)
    page = _page(writer, "http://s.test/a/1.html", PAGE_1)
    pipe.archive(Document(site="s", url="http://s.test/a/1.html", pages=[page]), None)
    writer.close()
    (record,) = [r for r in iter_records(writer.files[0]) if r.rec_type == "metadata"]
    assert record.target_uri == "urn:speechcrawl:document:http://s.test/a/1.html"
    assert record.header_all("WARC-Refers-To") == [page.warc.record_id if page.warc else ""]
    assert record.header("Content-Type") == "application/json"
    assert json.loads(record.block)["format"] == DOCUMENT_FORMAT


def test_without_a_writer_or_an_archived_page_nothing_is_written(tmp_path: Path) -> None:
    crawler = _crawler()
    pipe = build_from_crawler(WarcMetadataPipeline, crawler)
    page = FetchedPage(url="http://s.test/", status=200, body=b"", declared_encoding=None, fetched_at="t")
    assert pipe.archive(Document(site="s", url="http://s.test/", pages=[page]), None) == "document_unarchived"
    with pytest.raises(NotConfigured):
        build_from_crawler(WarcMetadataPipeline, _crawler(SPEECHCRAWL_WARC_ENABLED=False))


def test_foreign_or_broken_metadata_is_refused_clearly() -> None:
    with pytest.raises(ArchiveError, match="x.warc.gz: not a speechcrawl-document/1 record"):
        document_from_block(b'{"format": "other"}', "x.warc.gz")
    with pytest.raises(ArchiveError, match="is not JSON"):
        document_from_block(b"\xff", "x.warc.gz")
    with pytest.raises(ArchiveError, match="lacks or mistypes a field: 'pages'"):
        document_from_block(json.dumps({"format": DOCUMENT_FORMAT, "site": "s", "url": "u", "crawl_id": "c",
                                        "generic": False, "cleaner_version": "1"}).encode(), "x.warc.gz")


def test_document_json_round_trips() -> None:
    doc = ArchivedDocument(site="s", url="http://s.test/a", crawl_id="c", generic=True, cleaner_version="9",
                           pages=[DocumentPage(url="http://s.test/a", record_id="<urn:uuid:1>", declared_encoding="gbk",
                                               outlinks=["http://s.test/b"])],
                           records=[DocumentRecord(id="r", part_index=3, title="题")], dropped=None)
    assert document_from_block(json.dumps(doc.to_json()).encode(), "x") == doc
    assert set(doc.to_json()) == {"format", *ArchivedDocument.__dataclass_fields__}
