"""ResumeMiddleware: documents this crawl already stored are not requested again; list pages always are."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from corpus.catalog import Catalog
from crawler.spidermiddlewares.resume import ResumeMiddleware
from spiders.items import Document
from spiders.loader import spider_class
from spiders.profiles import generic_profile, load_profiles
from tests import spider_crawler


def _mw(tmp_path: Path, generic: bool = False) -> ResumeMiddleware:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.put_record({"id": "a", "site": "wenmi", "url": "http://w/done.html", "fetched_at": "t", "part": None},
                       crawl_id="test", text_sha1="x")
    catalog.close()
    crawler = spider_crawler({"SPEECHCRAWL_RESUME": True, "SPEECHCRAWL_DATA_DIR": str(tmp_path)})
    profile = generic_profile("http://w/") if generic else load_profiles()["wenmi"]
    crawler.spider = spider_class(profile)(crawler=crawler)
    mw = build_from_crawler(ResumeMiddleware, crawler)
    mw.spider_opened(crawler.spider)
    return mw


def test_done_documents_are_dropped_and_the_rest_passes(tmp_path: Path) -> None:
    mw = _mw(tmp_path)
    doc = Document(site="wenmi", url="http://w/new.html")
    out = list(mw.process_spider_output(None, [Request("http://w/done.html"), Request("http://w/list_2.html"),  # type: ignore[arg-type]
                                              Request("http://w/new.html"), doc]))
    assert [getattr(o, "url", None) for o in out] == ["http://w/list_2.html", "http://w/new.html", doc.url]
    assert mw.crawler.stats.get_value("speechcrawl/resume/skipped") == 1


def test_generic_mode_skips_nothing(tmp_path: Path) -> None:
    mw = _mw(tmp_path, generic=True)
    assert mw.done == set()


def test_only_when_resuming() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(ResumeMiddleware, spider_crawler())
