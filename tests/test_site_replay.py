"""Replay: the real spider and cleaners over archived fetches, offline; redirects, revisits and gaps."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.warc import HttpExchange, RecordPointer, WarcWriter
from crawler.site.offline import ArchivedPages, replay
from spiders.profiles import load_profile

ORIGIN = "http://news.example.cn"
PROFILE = """\
name = "demo"
start_urls = ["http://news.example.cn/list/1.html"]

[links]
list = ['^/list/\\d+\\.html$']
article = ['^/(?:a|old)/\\d+\\.html$']

[article]
content = ["div.text"]
title = ["h1"]
next_page = ["a.next"]
"""
SPEECH = "同志们,今天我们召开全市工作会议,主要任务是总结去年的工作,部署今年的任务。要坚定信心,真抓实干,推动高质量发展。"


def _page(title: str, body: str, next_href: str = "") -> bytes:
    nxt = f'<a class="next" href="{next_href}">下一页</a>' if next_href else ""
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<div class="text"><p>{body}</p>{nxt}</div></body></html>').encode()


def _write(directory: Path, pages: dict[str, tuple[int, bytes, str]], crawl_id: str,
           remember: Sequence[tuple[str, RecordPointer]] = ()) -> list[tuple[str, RecordPointer]]:
    """A WARC of these fetches (path: status, body, Location); returns the response pointers."""
    writer = WarcWriter(directory, prefix="demo", crawl_id=crawl_id, warcinfo={})
    for url, pointer in remember:
        writer.remember(url, pointer.payload_digest, pointer.record_id, pointer.date)
    written = []
    for path, (status, body, location) in pages.items():
        headers = [("Content-Type", "text/html; charset=utf-8")] + ([("Location", location)] if location else [])
        _, pointer = writer.write_exchange(HttpExchange(
            url=ORIGIN + path, method="GET", request_headers=[("Host", "news.example.cn")], request_body=b"",
            protocol="HTTP/1.1", status=status, reason="", response_headers=headers, response_body=body,
            ip_address=None, fetched_at=datetime(2024, 5, 1, tzinfo=UTC)))
        written.append((ORIGIN + path, pointer))
    writer.close()
    return written


def test_replay_follows_links_redirects_and_article_pages(tmp_path: Path) -> None:
    listing = ('<html><body><a href="/a/1.html">一</a><a href="/a/2.html">二</a><a href="/old/3.html">三</a>'
               '<a href="/a/4.html">四</a><a href="/list/2.html">2</a></body></html>').encode()
    first = _write(tmp_path / "one", {
        "/list/1.html": (200, listing, ""),
        "/a/1.html": (200, _page("在全市工作会议上的讲话", SPEECH + "第一页。", "/a/1_2.html"), ""),
        "/a/1_2.html": (200, _page("在全市工作会议上的讲话", SPEECH + "第二页。"), ""),
        "/a/2.html": (200, _page("第二篇讲话", SPEECH + "只有一页存档。", "/a/2_2.html"), ""),
        "/old/3.html": (301, b"moved", "/a/3.html"),
        "/a/3.html": (200, _page("第三篇讲话", SPEECH + "重定向之后。"), ""),
    }, "c1")
    # A later crawl archived /a/3.html again, identical: a revisit record whose original is in the first file.
    _write(tmp_path / "two", {"/a/3.html": (200, _page("第三篇讲话", SPEECH + "重定向之后。"), "")}, "c2",
           remember=first)
    warcs = sorted((tmp_path / "one").glob("*.warc.gz"))
    revisit_only = sorted((tmp_path / "two").glob("*.warc.gz"))
    profile = load_profile(_profile(tmp_path))

    result = replay(profile, ArchivedPages(warcs))
    by_url = {r["url"]: r for r in result.records}
    assert set(by_url) == {f"{ORIGIN}/a/1.html", f"{ORIGIN}/a/2.html", f"{ORIGIN}/a/3.html"}
    assert by_url[f"{ORIGIN}/a/1.html"]["pages"] == [f"{ORIGIN}/a/1.html", f"{ORIGIN}/a/1_2.html"]
    assert "第一页" in by_url[f"{ORIGIN}/a/1.html"]["text"] and "第二页" in by_url[f"{ORIGIN}/a/1.html"]["text"]
    assert by_url[f"{ORIGIN}/a/2.html"]["pages"] == [f"{ORIGIN}/a/2.html"]  # page 2 not archived: kept as read
    assert by_url[f"{ORIGIN}/a/1.html"]["provenance"][0]["warc_filename"] == warcs[0].name
    assert set(result.not_archived) == {f"{ORIGIN}/a/4.html", f"{ORIGIN}/list/2.html", f"{ORIGIN}/a/2_2.html"}

    pages = ArchivedPages(revisit_only + warcs)  # the revisit resolves whatever the file order
    assert pages.by_url[f"{ORIGIN}/a/3.html"].record.rec_type == "revisit"
    again = replay(profile, pages)
    assert {r["url"]: r["text"] for r in again.records} == {r["url"]: r["text"] for r in result.records}


def _profile(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def test_a_body_that_does_not_decode_is_one_page_left_out_and_logged(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    listing = '<html><body><a href="/a/1.html">一</a><a href="/a/2.html">二</a></body></html>'.encode()
    writer = WarcWriter(tmp_path / "w", prefix="demo", crawl_id="c1", warcinfo={})
    fetches = [("/list/1.html", listing, None), ("/a/1.html", gzip.compress(_page("第一篇讲话", SPEECH)), "gzip"),
               ("/a/2.html", gzip.compress(_page("第二篇讲话", SPEECH))[:-30], "gzip"),  # cut short on the wire
               ]
    for path, body, coding in fetches:
        headers = [("Content-Type", "text/html; charset=utf-8")] + ([("Content-Encoding", coding)] if coding else [])
        writer.write_exchange(HttpExchange(
            url=ORIGIN + path, method="GET", request_headers=[("Host", "news.example.cn")], request_body=b"",
            protocol="HTTP/1.1", status=200, reason="", response_headers=headers, response_body=body,
            ip_address=None, fetched_at=datetime(2024, 5, 1, tzinfo=UTC)))
    writer.close()
    with caplog.at_level(logging.WARNING, logger="crawler.site.offline"):
        pages = ArchivedPages(sorted((tmp_path / "w").glob("*.warc.gz")))
    assert list(pages.undecodable) == [f"{ORIGIN}/a/2.html"] and "gzip" in pages.undecodable[f"{ORIGIN}/a/2.html"]
    assert any("/a/2.html" in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records)
    result = replay(load_profile(_profile(tmp_path)), pages)
    assert [r["url"] for r in result.records] == [f"{ORIGIN}/a/1.html"]
    assert f"{ORIGIN}/a/2.html" in result.not_archived
