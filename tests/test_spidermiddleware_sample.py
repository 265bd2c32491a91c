"""SampleLimitMiddleware: the first N article links and M list pages, in link order; article pages always."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.spidermiddlewares.sample import SampleLimitMiddleware
from spiders.loader import spider_class
from spiders.profiles import PROFILES_DIR, load_profile


def _middleware(articles: int, lists: int) -> SampleLimitMiddleware:
    profile = load_profile(PROFILES_DIR / "sucai.toml")
    crawler = get_crawler(spider_class(profile), {"SPEECHCRAWL_SAMPLE_ARTICLES": articles,
                                                  "SPEECHCRAWL_SAMPLE_LISTS": lists})
    crawler.spider = crawler._create_spider()
    return SampleLimitMiddleware.from_crawler(crawler)


def test_keeps_the_first_links_in_order() -> None:
    mw = _middleware(articles=2, lists=2)
    base = "http://127.0.0.1:8604"
    urls = [f"{base}/dangjian/", f"{base}/22994.html", f"{base}/22991.html", f"{base}/22994.html",
            f"{base}/22988.html", f"{base}/dangjian/page/2/", f"{base}/dangjian/page/3/", f"{base}/about/"]
    kept = [u for u in urls if mw.get_processed_request(Request(u), None) is not None]
    assert kept == [f"{base}/dangjian/", f"{base}/22994.html", f"{base}/22991.html", f"{base}/22994.html",
                    f"{base}/dangjian/page/2/", f"{base}/about/"]
    next_page = Request(f"{base}/22985_2.html", meta={"speechcrawl_doc": object()})
    assert mw.get_processed_request(next_page, None) is next_page
    assert mw.crawler.stats is not None and mw.crawler.stats.get_value("speechcrawl/sample/skipped_article") == 1


def test_off_by_default() -> None:
    with pytest.raises(NotConfigured):
        _middleware(articles=0, lists=0)
