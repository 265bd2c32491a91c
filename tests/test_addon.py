"""The add-on gives the same components as configuring them by hand."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.addon import DOWNLOADER_MIDDLEWARES, ITEM_PIPELINES, SPIDER_MIDDLEWARES, SpeechcrawlAddon
from crawler.settings import SPEECHCRAWL_DEFAULTS


def test_addon_registers_components_and_defaults() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c1"})
    settings = crawler.settings
    for path, order in DOWNLOADER_MIDDLEWARES.items():
        assert settings.getdict("DOWNLOADER_MIDDLEWARES")[path] == order
    for path, order in ITEM_PIPELINES.items():
        assert settings.getdict("ITEM_PIPELINES")[path] == order
    for path, order in SPIDER_MIDDLEWARES.items():
        assert settings.getdict("SPIDER_MIDDLEWARES")[path] == order
    for name, value in SPEECHCRAWL_DEFAULTS.items():
        if name != "SPEECHCRAWL_CRAWL_ID":
            assert settings.get(name) == value
    assert settings.get("SPEECHCRAWL_CRAWL_ID") == "c1"


def test_addon_equals_manual_configuration() -> None:
    by_addon = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c"}).settings
    manual = Settings()
    manual.setdict(SPEECHCRAWL_DEFAULTS, "default")
    manual.setdict({"DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES, "ITEM_PIPELINES": ITEM_PIPELINES,
                    "SPIDER_MIDDLEWARES": SPIDER_MIDDLEWARES, "SPEECHCRAWL_CRAWL_ID": "c"}, "project")
    for name in ("DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES", "SPIDER_MIDDLEWARES"):
        assert by_addon.getdict(name) == manual.getdict(name)
    for name in SPEECHCRAWL_DEFAULTS:
        assert by_addon.get(name) == manual.get(name)


def test_project_order_wins_over_addon() -> None:
    path = "crawler.downloadermiddlewares.warc.WarcRecorderMiddleware"
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "DOWNLOADER_MIDDLEWARES": {path: None}})
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")[path] is None
