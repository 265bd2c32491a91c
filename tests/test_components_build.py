"""Components built the Scrapy way (``build_from_crawler``): on with the defaults, off by their setting,
and doing their one job once built.

The end-to-end crawls exercise them together; these tests pin how each is built from settings,
which is what a Scrapy project that enables them one by one relies on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler

from corpus.catalog import Catalog
from crawler.downloadermiddlewares.conditional import ConditionalRequestMiddleware
from crawler.pipelines.catalog import CatalogPipeline
from crawler.pipelines.clean import CleanPipeline
from crawler.spidermiddlewares.depth import ArticleDepthMiddleware
from crawler.spidermiddlewares.recrawl import KnownUrlsMiddleware
from spiders.items import Document, FetchedPage
from spiders.template import DOC_META
from tests import fill_catalog, make_record, spider_crawler

SPEECH = ("<html><head><title>在全市工作会议上的讲话</title></head><body><div class='nav'>首页 | 新闻</div>"
          "<div class='content'><h1>在全市工作会议上的讲话</h1>"
          + "".join(f"<p>同志们，这是第{i}段讲话内容，我们要认真贯彻落实会议精神，推动各项工作取得新成效。</p>"
                    for i in range(12))
          + "</div><div class='foot'>版权所有</div></body></html>")


def _document(html: str, url: str = "http://s.test/a/1.html") -> Document:
    page = FetchedPage(url=url, status=200, body=html.encode("utf-8"), declared_encoding="utf-8",
                       fetched_at="2026-01-02T03:04:05+00:00")
    return Document(site="test", url=url, pages=[page], generic=True)


@pytest.mark.parametrize(("component", "switch"), [
    (CleanPipeline, "SPEECHCRAWL_CLEAN_ENABLED"),
    (CatalogPipeline, "SPEECHCRAWL_CATALOG_ENABLED"),
    (ConditionalRequestMiddleware, "SPEECHCRAWL_CONDITIONAL_ENABLED"),
    (KnownUrlsMiddleware, "SPEECHCRAWL_RECRAWL_KNOWN"),
])
def test_on_by_default_and_off_by_its_setting(tmp_path: Path, component: type, switch: str) -> None:
    settings = {"SPEECHCRAWL_DATA_DIR": str(tmp_path)}
    assert isinstance(build_from_crawler(component, spider_crawler(settings)), component)
    with pytest.raises(NotConfigured):
        build_from_crawler(component, spider_crawler({**settings, switch: False}))


def test_conditional_requests_need_the_catalog_and_the_warc_files(tmp_path: Path) -> None:
    for off in ("SPEECHCRAWL_CATALOG_ENABLED", "SPEECHCRAWL_WARC_ENABLED"):
        with pytest.raises(NotConfigured, match="need the catalog and the WARC files"):
            build_from_crawler(ConditionalRequestMiddleware,
                               spider_crawler({"SPEECHCRAWL_DATA_DIR": str(tmp_path), off: False}))


def test_conditional_middleware_sends_no_validator_for_an_unknown_page(tmp_path: Path) -> None:
    crawler = spider_crawler({"SPEECHCRAWL_DATA_DIR": str(tmp_path)})
    mw = build_from_crawler(ConditionalRequestMiddleware, crawler)
    mw.spider_opened(crawler.spider)
    request = Request("http://s.test/a/1.html")
    assert mw.process_request(request) is None
    assert b"If-None-Match" not in request.headers and b"If-Modified-Since" not in request.headers


def test_the_recrawl_middleware_is_off_for_sample_crawls(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(KnownUrlsMiddleware, spider_crawler({"SPEECHCRAWL_DATA_DIR": str(tmp_path),
                                                                "SPEECHCRAWL_SAMPLE_ARTICLES": 4}))


def test_the_recrawl_middleware_adds_the_known_urls_to_the_start(tmp_path: Path) -> None:
    fill_catalog(tmp_path / "catalog.sqlite", [make_record("test", 1, "甲" * 50), make_record("other", 2, "乙" * 50)])
    crawler = spider_crawler({"SPEECHCRAWL_DATA_DIR": str(tmp_path)})
    mw = build_from_crawler(KnownUrlsMiddleware, crawler)

    async def start() -> AsyncIterator[Any]:
        yield Request("http://test.test/list.html")

    async def collect() -> list[str]:
        return [r.url async for r in mw.process_start(start())]

    assert asyncio.run(collect()) == ["http://test.test/list.html", "http://test.test/a/1.html"]


def test_the_clean_pipeline_turns_a_document_into_records(tmp_path: Path) -> None:
    crawler = spider_crawler({"SPEECHCRAWL_DATA_DIR": str(tmp_path)})
    pipe = build_from_crawler(CleanPipeline, crawler)
    pipe.open_spider()
    try:
        doc = pipe.process_item(_document(SPEECH))
        assert isinstance(doc, Document) and len(doc.records) == 1
        text = str(doc.records[0]["text"])
        assert text.startswith("同志们，这是第0段") and "版权所有" not in text and "首页" not in text
        with pytest.raises(DropItem):
            pipe.process_item(_document("<html><body><a href='/1'>一</a><a href='/2'>二</a></body></html>"))
    finally:
        pipe.close_spider()


def test_the_catalog_pipeline_opens_the_crawl_in_the_catalog(tmp_path: Path) -> None:
    crawler = spider_crawler({"SPEECHCRAWL_DATA_DIR": str(tmp_path), "SPEECHCRAWL_CRAWL_ID": "c-built"})
    pipe = build_from_crawler(CatalogPipeline, crawler)
    pipe.open_spider()
    pipe.close_spider()
    catalog = Catalog(tmp_path / "catalog.sqlite")
    try:
        assert [c["id"] for c in catalog.crawls()] == ["c-built"]
    finally:
        catalog.close()


def test_the_depth_middleware_keeps_an_articles_next_page_at_its_depth() -> None:
    crawler = spider_crawler({"DEPTH_LIMIT": 1})
    mw = build_from_crawler(ArticleDepthMiddleware, crawler)
    response = HtmlResponse("http://s.test/a/1.html", body=b"<html></html>", request=Request("http://s.test/a/1.html"))
    response.meta["depth"] = 1
    next_page = Request("http://s.test/a/1_2.html", meta={DOC_META: object()})
    link = Request("http://s.test/a/2.html")
    assert mw.get_processed_request(next_page, response) is next_page and next_page.meta["depth"] == 1
    assert mw.get_processed_request(link, response) is None  # depth 2 > DEPTH_LIMIT 1: Scrapy's rule
