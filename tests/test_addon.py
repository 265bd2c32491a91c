"""The add-on gives the same components as configuring them by hand."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.addon import (
    DISTRIBUTED_DOWNLOADER_MIDDLEWARES,
    DOWNLOADER_MIDDLEWARES,
    EXTENSIONS,
    ITEM_PIPELINES,
    SPIDER_MIDDLEWARES,
    SpeechcrawlAddon,
)
from crawler.settings import SPEECHCRAWL_DEFAULTS


def test_addon_registers_components_and_defaults() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c1"})
    settings = crawler.settings
    for path, order in DOWNLOADER_MIDDLEWARES.items():
        assert settings.getdict("DOWNLOADER_MIDDLEWARES")[path] == order
    for path, order in ITEM_PIPELINES.items():
        assert settings.getdict("ITEM_PIPELINES")[path] == order
    for name, components in (("EXTENSIONS", EXTENSIONS), ("SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARES)):
        for path, order in components.items():
            assert settings.getdict(name)[path] == order
    for name, value in SPEECHCRAWL_DEFAULTS.items():
        if name != "SPEECHCRAWL_CRAWL_ID":
            assert settings.get(name) == value
    assert settings.get("SPEECHCRAWL_CRAWL_ID") == "c1"


def test_addon_equals_manual_configuration() -> None:
    by_addon = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c"}).settings
    manual = Settings()
    manual.setdict(SPEECHCRAWL_DEFAULTS, "default")
    manual.setdict({"DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES, "ITEM_PIPELINES": ITEM_PIPELINES,
                    "EXTENSIONS": EXTENSIONS, "SPIDER_MIDDLEWARES": SPIDER_MIDDLEWARES,
                    "SPEECHCRAWL_CRAWL_ID": "c"}, "project")
    for name in ("DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS", "SPIDER_MIDDLEWARES"):
        assert by_addon.getdict(name) == manual.getdict(name)
    for name in SPEECHCRAWL_DEFAULTS:
        assert by_addon.get(name) == manual.get(name)


def test_project_order_wins_over_addon() -> None:
    path = "crawler.downloadermiddlewares.warc.WarcRecorderMiddleware"
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "DOWNLOADER_MIDDLEWARES": {path: None}})
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")[path] is None


def test_a_shared_redis_swaps_per_process_pacing_for_crawl_wide_politeness() -> None:
    pacing = "crawler.downloadermiddlewares.pacing.HostPacingMiddleware"
    politeness = "crawler.distributed.politeness.DistributedPolitenessMiddleware"
    alone = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}}).settings.getdict("DOWNLOADER_MIDDLEWARES")
    shared = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_REDIS_URL": "redis://127.0.0.1:1/0"}
                         ).settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert alone[pacing] == 560 and politeness not in alone
    assert shared[pacing] is None and shared[politeness] == DISTRIBUTED_DOWNLOADER_MIDDLEWARES[politeness]
    # After every middleware that may answer a response with a new Request (redirects, retries).
    assert shared[politeness] > max(order for path, order in DOWNLOADER_MIDDLEWARES.items()
                                    if order is not None and "Warc" not in path)


def test_crawls_open_no_remote_code_console() -> None:
    """Scrapy 2.19's RemoteControl (runs Python sent over HTTP) and the telnet console stay off in our crawls."""
    from scrapy.extension import ExtensionManager
    from scrapy.utils.test import get_crawler

    from crawler.settings import scrapy_defaults

    names = {type(ext).__name__ for ext in ExtensionManager.from_crawler(get_crawler(settings_dict=scrapy_defaults())).middlewares}
    assert "CoreStats" in names  # the manager did build Scrapy's default extensions
    assert not names & {"RemoteControl", "TelnetConsole"}
