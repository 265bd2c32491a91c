"""A Scrapy spider loader that makes one spider per site profile.

Set as ``SPIDER_LOADER_CLASS``, it lets ``scrapy list``, ``scrapy crawl <site>``
and Scrapyd see every profile as a spider, each a :class:`TemplateSpider`
subclass bound to its profile, without one Python file per site.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Self

from spiders.profiles import SiteProfile, load_profiles
from spiders.template import TemplateSpider

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings

__all__ = ["ProfileSpiderLoader", "spider_class"]


def spider_class(profile: SiteProfile) -> type[TemplateSpider]:
    """A TemplateSpider subclass named after the profile (what Scrapy's crawl command expects)."""
    return type(f"{profile.name.title().replace('-', '').replace('_', '')}Spider", (TemplateSpider,),
                {"name": profile.name, "profile": profile, "__module__": __name__})


class ProfileSpiderLoader:
    """Implements Scrapy's SpiderLoaderProtocol over a directory of TOML profiles.

    Settings: ``SPEECHCRAWL_PROFILES_DIR`` (your profiles, beside the bundled ones; default ``./profiles``
    when it exists).
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._profiles = load_profiles(directory)
        self._classes = {name: spider_class(p) for name, p in self._profiles.items()}

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        directory = settings.get("SPEECHCRAWL_PROFILES_DIR")
        return cls(Path(directory) if directory else None)

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return self._classes[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name} (no profile named so; see `speechcrawl site list`)") from None

    def list(self) -> list[str]:
        return sorted(self._classes)

    def find_by_request(self, request: Request) -> list[str]:
        from urllib.parse import urlsplit

        host = urlsplit(request.url).netloc
        return [name for name, p in sorted(self._profiles.items()) if host in p.hosts]

    def profile(self, name: str) -> SiteProfile:
        return self._profiles[name]
