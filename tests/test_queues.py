"""The compact scheduler queues give back the requests they were given, in Scrapy's order.

Round trips compare every field Scrapy's own serialisation knows (``Request.to_dict``); a real
generic crawl of the sandbox with these queues fetches the same pages and stores the same records
as with Scrapy's memory queues, and one killed and resumed with them still stores every article once.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scrapy import FormRequest, Request
from scrapy.utils.request import request_from_dict

from crawler.addon import SpeechcrawlAddon
from crawler.queues import CompactFifoMemoryQueue, CompactLifoMemoryQueue, pack, request_fields, unpack
from sandbox.gold import gold_records
from spiders.items import Document
from spiders.template import DOC_META, TemplateSpider
from tests import crawl_and_export, spider_crawler
from tests.harness.crawls import soak


@pytest.fixture
def spider() -> TemplateSpider:
    return TemplateSpider(url="http://127.0.0.1:8601/")


def _fields(request: Request, spider: TemplateSpider) -> dict[str, Any]:
    return {**request.to_dict(spider=spider), "class": type(request)}


def test_a_linked_page_comes_back_equal_and_packed_small(spider: TemplateSpider) -> None:
    request = Request("http://127.0.0.1:8601/article/12345.html", callback=spider.parse, errback=spider._failed,
                      meta={"depth": 3}, headers={"Referer": "http://127.0.0.1:8601/list/233.html"})
    packed = pack(request, spider)
    assert isinstance(packed, bytes) and len(packed) < 300
    back = unpack(packed, spider)
    assert back is not request
    assert _fields(back, spider) == _fields(request, spider)
    assert back.callback == spider.parse and back.errback == spider._failed


def test_every_field_survives(spider: TemplateSpider) -> None:
    request = FormRequest("http://127.0.0.1:8601/search", formdata={"q": "讲话"}, callback=spider.parse,
                          cookies={"sid": "1"}, meta={"depth": 1, "retry_times": 2, "redirect_urls": ["http://a/"]},
                          encoding="gbk", priority=-5, dont_filter=True, flags=["retried"], cb_kwargs={"n": 1})
    back = unpack(pack(request, spider), spider)
    assert _fields(back, spider) == _fields(request, spider)
    assert type(back) is FormRequest and back.body == request.body and back.method == "POST"


def test_request_fields_rebuild_what_to_dict_rebuilds(spider: TemplateSpider) -> None:
    """The distributed frontier encodes with ``request_fields``; scrapy-redis decodes with ``request_from_dict``."""
    doc = Document(site="s", url="http://127.0.0.1:8601/a/1.html", generic=True)
    for request in (Request("http://127.0.0.1:8601/a/1_2.html", callback=spider._continue_article,
                            errback=spider._failed, meta={DOC_META: doc, "depth": 2}, priority=3),
                    FormRequest("http://127.0.0.1:8601/search", formdata={"q": "讲话"}, callback=spider.parse)):
        fields = request_fields(request, spider)
        assert set(fields) < set(request.to_dict(spider=spider)) | {"_class"}
        back = request_from_dict(fields, spider=spider)
        assert _fields(back, spider) == _fields(request, spider)
    with pytest.raises(ValueError):
        request_fields(Request("http://127.0.0.1:8601/", callback=print), spider)


def test_a_stitched_articles_next_page_stays_the_same_object(spider: TemplateSpider) -> None:
    doc = Document(site="s", url="http://127.0.0.1:8601/a/1.html", generic=True)
    request = Request("http://127.0.0.1:8601/a/1_2.html", callback=spider._continue_article, meta={DOC_META: doc})
    assert pack(request, spider) is request
    assert unpack(pack(request, spider), spider).meta[DOC_META] is doc


def test_what_cannot_be_pickled_stays_whole_and_is_counted() -> None:
    crawler = spider_crawler()
    crawler.stats.open_spider()
    queue = CompactLifoMemoryQueue.from_crawler(crawler)
    unpicklable = Request("http://127.0.0.1:8601/x", meta={"hook": lambda: None})
    not_a_method = Request("http://127.0.0.1:8601/y", callback=lambda response: None)
    queue.push(unpicklable)
    queue.push(not_a_method)
    assert queue.pop() is not_a_method and queue.pop() is unpicklable
    assert crawler.stats.get_value("speechcrawl/queues/kept_whole") == 2


@pytest.mark.parametrize(("cls", "order"), [(CompactLifoMemoryQueue, [2, 1, 0]), (CompactFifoMemoryQueue, [0, 1, 2])])
def test_lifo_and_fifo_order(spider: TemplateSpider, cls: type[CompactLifoMemoryQueue], order: list[int]) -> None:
    queue = cls(spider)
    assert queue.pop() is None and queue.peek() is None and len(queue) == 0
    for n in range(3):
        queue.push(Request(f"http://127.0.0.1:8601/{n}.html", callback=spider.parse))
    assert len(queue) == 3
    assert queue.peek().url == f"http://127.0.0.1:8601/{order[0]}.html"  # type: ignore[union-attr]
    assert [queue.pop().url for _ in range(3)] == [f"http://127.0.0.1:8601/{n}.html" for n in order]  # type: ignore[union-attr]
    assert queue.pop() is None and len(queue) == 0


def test_the_addon_installs_them() -> None:
    from scrapy.settings import Settings

    settings = Settings()
    SpeechcrawlAddon().update_settings(settings)
    assert settings["SCHEDULER_MEMORY_QUEUE"] == "crawler.queues.CompactLifoMemoryQueue"
    assert settings["SCHEDULER_START_MEMORY_QUEUE"] == "crawler.queues.CompactFifoMemoryQueue"
    mine = Settings({"SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.LifoMemoryQueue"}, priority="project")
    SpeechcrawlAddon().update_settings(mine)
    assert mine["SCHEDULER_MEMORY_QUEUE"] == "scrapy.squeues.LifoMemoryQueue"  # a project's choice wins


SCRAPY_QUEUES = ("-s", "SCHEDULER_MEMORY_QUEUE=scrapy.squeues.LifoMemoryQueue",
                 "-s", "SCHEDULER_START_MEMORY_QUEUE=scrapy.squeues.FifoMemoryQueue")
GENERIC_SITES = ("wenmi", "sucai")  # GBK and teaser lists; articles stitched over several pages


def _fetched(data: Path) -> set[str]:
    """The URLs fetched (a set: a later page of an article may be fetched twice, by its link and by the stitching,
    depending on which comes first)."""
    conn = sqlite3.connect(data / "catalog.sqlite")
    try:
        return {row[0] for row in conn.execute("SELECT url FROM fetches")}
    finally:
        conn.close()


@pytest.mark.slow
def test_a_generic_crawl_fetches_and_stores_the_same_as_with_scrapys_queues(sandbox: Any, tmp_path: Path) -> None:
    targets = [sandbox.urls[site] + "/" for site in GENERIC_SITES]
    compact = crawl_and_export(tmp_path / "compact", targets)
    scrapys = crawl_and_export(tmp_path / "scrapy", targets, *SCRAPY_QUEUES)
    assert _fetched(tmp_path / "compact") == _fetched(tmp_path / "scrapy")
    assert len(_fetched(tmp_path / "compact")) > 100
    assert sorted((r["id"], r["text"]) for r in compact) == sorted((r["id"], r["text"]) for r in scrapys)


@pytest.mark.slow
def test_a_generic_crawl_killed_and_resumed_stores_every_article_once(sandbox: Any, tmp_path: Path) -> None:
    result = soak(sandbox, tmp_path, ["sucai"], kills=3, seed=20261207, generic=True)
    assert result.kills == 3, f"only {result.kills} kills hit a live crawl in {result.runs} runs"
    base = sandbox.urls["sucai"]
    got = Counter((r["url"], (r.get("part") or {}).get("index")) for r in result.records if r["url"].startswith(base + "/"))
    assert max(got.values()) == 1
    assert set(got) == {(g["url"], (g.get("part") or {}).get("index")) for g in gold_records("sucai", base)}
    assert result.archive == []
