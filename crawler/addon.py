"""SpeechcrawlAddon: one line in a Scrapy project enables every speechcrawl component.

``ADDONS = {"crawler.addon.SpeechcrawlAddon": 0}``.  Components are registered at
fixed orders with the "addon" priority, so a project can still override any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.paths import new_crawl_id
from crawler.settings import SPEECHCRAWL_DEFAULTS

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

DOWNLOADER_MIDDLEWARES = {
    "crawler.downloadermiddlewares.ssrf.PrivateAddressGuardMiddleware": 40,
    "crawler.downloadermiddlewares.warc.WarcRecorderMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 300,
    "crawler.pipelines.warc.WarcMetadataPipeline": 700,
    "crawler.pipelines.catalog.CatalogPipeline": 800,
}


def _register(settings: BaseSettings, name: str, components: dict[str, int]) -> None:
    """Add components to a component-dict setting; any order a project set for them wins."""
    target = settings[name]
    for path, order in components.items():
        target.set(path, order, "addon")


class SpeechcrawlAddon:
    """Registers the WARC recorder, SSRF guard, clean and catalog pipelines, and SPEECHCRAWL_* defaults."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in SPEECHCRAWL_DEFAULTS.items():
            settings.set(name, value, "default")
        if not settings.get("SPEECHCRAWL_CRAWL_ID"):
            settings.set("SPEECHCRAWL_CRAWL_ID", new_crawl_id(), "addon")
        _register(settings, "DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES)
        _register(settings, "ITEM_PIPELINES", ITEM_PIPELINES)
