"""Crawl options, and the one function that turns them into Scrapy settings.

``speechcrawl crawl``, the local scheduler (which runs that command) and the Scrapyd launcher
all go through :func:`crawl_settings`: an option means the same thing however a crawl is
started.  The options are parsed by one parser definition (:func:`add_crawl_options`), so a
schedule's stored ``-- OPTIONS`` are checked by exactly the rules the command applies.

Scrapy is imported only where settings are built, so the CLI starts without it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.paths import UnsafeNameError, check_crawl_id, new_crawl_id
from crawler.settings import DEFAULT_CONTACT, SANDBOX_OVERRIDES, SPEECHCRAWL_DEFAULTS, user_agent

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from spiders.profiles import SiteProfile

__all__ = ["CrawlOptions", "CrawlOptionsError", "add_crawl_options", "options_from_args", "parse_crawl_args",
           "parse_origins", "parse_overrides", "crawl_settings", "int_arg", "non_negative_int", "non_negative_float",
           "check_target_urls", "check_private_seeds"]

DEFAULT_DATA = Path("data")


class CrawlOptionsError(ValueError):
    """A crawl option is malformed or out of range; the message names the option."""


@dataclass(frozen=True, kw_only=True)
class CrawlOptions:
    """What a person can ask of one crawl (the ``speechcrawl crawl`` options, validated)."""

    data_dir: Path = DEFAULT_DATA
    crawl_id: str | None = None
    allow_private: bool = False
    sandbox: bool = False
    max_pages: int = 0
    max_depth: int = 0
    max_duration: float = 0
    resume: bool = False
    contact: str | None = None
    user_agent: str | None = None
    profiles_dir: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)
    """``--origin``: a profile served from another origin (a sandbox on a random port), by site."""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """``-s NAME=VALUE``, checked by :func:`parse_overrides`."""
    progress: bool = False
    """A status line on stderr while crawling (``speechcrawl crawl`` shows it unless ``--no-progress``)."""

    def __post_init__(self) -> None:
        if self.max_pages < 0 or self.max_depth < 0 or self.max_duration < 0:
            raise CrawlOptionsError("--max-pages, --max-depth and --max-duration must be 0 (no limit) or more")
        if self.contact and not self.contact.startswith(("http://", "https://", "mailto:")):
            raise CrawlOptionsError(f"--contact must be an http(s) URL or a mailto: address, got {self.contact!r}")
        if self.crawl_id is not None:
            try:
                check_crawl_id(self.crawl_id)
            except UnsafeNameError as exc:
                raise CrawlOptionsError(f"--crawl-id: {exc}") from None

    def agent(self) -> str | None:
        """The User-Agent asked for: ``--user-agent`` as given, else one naming ``--contact``."""
        return self.user_agent or (user_agent(self.contact) if self.contact else None)


def int_arg(low: int, high: int | None = None, *, rule: str, noun: str = "a whole number") -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``; ``rule`` says the range in the error."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{rule}, got {value}")
        return value

    return parse


non_negative_int = int_arg(0, rule="must be 0 (no limit) or more")
"""argparse type: an integer ≥ 0 (0 means no limit)."""


def non_negative_float(text: str) -> float:
    """argparse type: a finite number ≥ 0 (0 means no limit)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, got {text}")
    return value


def add_crawl_options(p: argparse.ArgumentParser) -> None:
    """Every option of ``speechcrawl crawl`` except the targets (shared with ``schedule add … -- OPTIONS``)."""
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, metavar="DIR", help="data directory (default: ./data)")
    p.add_argument("--profiles", type=Path, default=None, metavar="DIR",
                   help="directory of your own profiles, used beside the bundled ones (default: ./profiles when "
                        "it exists)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow loopback/private addresses (only for sandboxes you run yourself)")
    p.add_argument("--origin", action="append", default=[], metavar="[SITE=]URL",
                   help="serve a profile from another origin, e.g. a sandbox on a random port")
    p.add_argument("--sandbox", action="store_true", help="loopback sandbox preset: no throttling, implies "
                                                           "--allow-private")
    p.add_argument("--max-pages", type=non_negative_int, default=0, metavar="N",
                   help="stop each site after N responses (default: 0, no limit)")
    p.add_argument("--max-depth", type=non_negative_int, default=0, metavar="N",
                   help="do not follow links deeper than N (default: 0, no limit)")
    p.add_argument("--max-duration", type=non_negative_float, default=0, metavar="SECONDS",
                   help="stop each site after this many seconds (default: 0, no limit)")
    p.add_argument("--contact", default=None, metavar="URL",
                   help="URL or mailto: site owners can reach you at; goes into the User-Agent")
    p.add_argument("--user-agent", default=None, metavar="TEXT",
                   help="the whole User-Agent string (overrides --contact)")
    p.add_argument("--crawl-id", default=None, metavar="ID", help="crawl id (default: UTC timestamp)")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed crawl: --crawl-id, or the newest unfinished crawl of these sites")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a setting (SPEECHCRAWL_* in crawler/settings.py, or any Scrapy setting)")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")


def check_target_urls(targets: Sequence[str]) -> None:
    """A target that looks like a URL must be one Scrapy can fetch: checked here, not deep in Twisted.

    ``http://exa mple.cn/x`` once crawled "fine" (exit 0) after a 62-line traceback; now it is a
    usage error naming the target and what is wrong with it.
    """
    for target in targets:
        if "://" not in target and not target.lower().startswith(("http:", "https:")):
            continue  # a profile name: resolve_targets judges it
        bad = next((c for c in target if c.isspace() or ord(c) < 32 or ord(c) == 127), None)
        if bad is not None:
            what = "a space" if bad == " " else f"the control character {bad!r}"
            raise CrawlOptionsError(f"{target!r} is not a valid URL: it contains {what} (percent-encode it: %20)")
        parts = urlsplit(target)
        if parts.scheme.lower() not in ("http", "https"):
            raise CrawlOptionsError(f"{target!r}: only http:// and https:// URLs can be crawled")
        try:
            port = parts.port
        except ValueError:
            raise CrawlOptionsError(f"{target!r} is not a valid URL: bad port") from None
        if not parts.hostname or port == 0:
            raise CrawlOptionsError(f"{target!r} is not a valid URL: no host" if not parts.hostname
                                    else f"{target!r} is not a valid URL: port 0")


def check_private_seeds(profiles: Sequence[SiteProfile], settings: Settings) -> None:
    """Refuse up front a crawl whose start URLs the private-address guard would refuse, every one of them.

    Judged by the crawl's own settings (``--allow-private``/``--sandbox``, SPEECHCRAWL_SSRF_ALLOW_ORIGINS), as
    the download middleware judges requests: without this the crawl fetches nothing and says "finished".
    The bundled profiles point at the local sandbox, so the message says so.
    """
    if settings.getbool("SPEECHCRAWL_SSRF_ALLOW_PRIVATE"):
        return
    from crawler.downloadermiddlewares.ssrf import (  # Scrapy: only when crawling
        is_private_host,
        origin_endpoint,
    )

    allowed = {origin_endpoint(url) for url in settings.getlist("SPEECHCRAWL_SSRF_ALLOW_ORIGINS")}
    for profile in profiles:
        for url in profile.start_urls:
            address = is_private_host(urlsplit(url).hostname or "")
            if address is None or origin_endpoint(url) in allowed:
                continue
            hint = ("it is a sandbox profile: run `speechcrawl demo`, or start `speechcrawl sandbox serve` and add "
                    "--sandbox" if not profile.generic else "pass --allow-private only for a site you run yourself")
            raise CrawlOptionsError(f"{profile.name}: {url} is a non-public address ({address}); {hint}")


def parse_origins(values: Sequence[str], targets: Sequence[str]) -> dict[str, str]:
    """``--origin [SITE=]URL`` values by site (a bare URL needs exactly one target)."""
    origins: dict[str, str] = {}
    for value in values:
        site, sep, url = value.partition("=")
        if not sep or "://" in site:
            if len(targets) != 1:
                raise CrawlOptionsError("--origin without SITE= needs exactly one target")
            site, url = targets[0], value
        if not url.startswith(("http://", "https://")):
            raise CrawlOptionsError(f"--origin needs an http(s) URL, got {url!r}")
        origins[site] = url
    return origins


def _scrapy_setting_names() -> set[str]:
    from scrapy.settings import default_settings

    return {name for name in dir(default_settings) if name.isupper()}


def _check_type(name: str, value: str, default: Any) -> None:
    """A value Scrapy would fail on deep inside a crawl fails here, naming the setting."""
    if isinstance(default, bool):
        if value.strip().lower() not in ("0", "1", "true", "false"):
            raise CrawlOptionsError(f"-s {name}={value}: expected True/False or 1/0")
    elif isinstance(default, int | float):
        try:
            number = float(value)
        except ValueError:
            raise CrawlOptionsError(f"-s {name}={value}: expected a number") from None
        # Scrapy reads some int-defaulted settings as floats (DOWNLOAD_DELAY = 0): only ours are held to ints.
        if name.startswith("SPEECHCRAWL_") and isinstance(default, int) and not number.is_integer():
            raise CrawlOptionsError(f"-s {name}={value}: expected a whole number")


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` items as a mapping; an unknown name or a value of the wrong type is an error.

    Known names are the SPEECHCRAWL_* settings and Scrapy's own; values of numeric and boolean
    settings are checked against the type of their default.
    """
    if not pairs:
        return {}
    from scrapy.settings import default_settings

    known = _scrapy_setting_names() | set(SPEECHCRAWL_DEFAULTS)
    out: dict[str, str] = {}
    for item in pairs:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CrawlOptionsError(f"-s {item!r}: expected NAME=VALUE")
        if name not in known:
            raise CrawlOptionsError(f"-s {name}: unknown setting (SPEECHCRAWL_* settings are listed in "
                                    "crawler/settings.py; others must be Scrapy settings)")
        default = SPEECHCRAWL_DEFAULTS.get(name, getattr(default_settings, name, None))
        _check_type(name, value, default)
        if name == "SPEECHCRAWL_CRAWL_ID" and value:
            try:
                check_crawl_id(value)
            except UnsafeNameError as exc:
                raise CrawlOptionsError(f"-s {name}: {exc}") from None
        out[name] = value
    return out


def options_from_args(args: argparse.Namespace, targets: Sequence[str]) -> CrawlOptions:
    """The validated options of a parsed ``crawl`` command line (CrawlOptionsError when invalid)."""
    return CrawlOptions(
        data_dir=args.data, crawl_id=args.crawl_id, allow_private=args.allow_private, sandbox=args.sandbox,
        max_pages=args.max_pages, max_depth=args.max_depth, max_duration=args.max_duration, resume=args.resume,
        contact=args.contact, user_agent=args.user_agent, profiles_dir=args.profiles,
        origins=parse_origins(args.origin, targets), overrides=parse_overrides(args.set),
        progress=not args.no_progress)


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise CrawlOptionsError(message)


def parse_crawl_args(site: str, crawl_args: Sequence[str]) -> CrawlOptions:
    """``speechcrawl crawl SITE ARGS`` parsed and validated by the crawl command's own rules."""
    parser = _RaisingParser(prog=f"speechcrawl crawl {site}", add_help=False)
    add_crawl_options(parser)
    args = parser.parse_args(list(crawl_args))
    return options_from_args(args, [site])


def crawl_settings(options: CrawlOptions) -> Settings:
    """Settings for one crawl: product defaults < sandbox preset < explicit options < ``-s`` overrides."""
    from scrapy.settings import Settings

    from crawler.settings import scrapy_defaults

    settings = Settings()
    settings.setdict(SPEECHCRAWL_DEFAULTS, "default")
    settings.setdict(scrapy_defaults(), "project")
    if options.sandbox:
        settings.setdict(SANDBOX_OVERRIDES, "project")
    settings.setdict({
        "SPEECHCRAWL_DATA_DIR": str(options.data_dir),
        "SPEECHCRAWL_CRAWL_ID": options.crawl_id or new_crawl_id(),
    }, "cmdline")
    explicit = {"SPEECHCRAWL_SSRF_ALLOW_PRIVATE": options.allow_private or options.sandbox,
                "CLOSESPIDER_PAGECOUNT": options.max_pages, "DEPTH_LIMIT": options.max_depth,
                "CLOSESPIDER_TIMEOUT": options.max_duration, "SPEECHCRAWL_RESUME": options.resume,
                "USER_AGENT": options.agent(), "SPEECHCRAWL_PROGRESS_ENABLED": options.progress,
                "SPEECHCRAWL_PROFILES_DIR": str(options.profiles_dir) if options.profiles_dir else None}
    settings.setdict({name: value for name, value in explicit.items() if value}, "cmdline")
    if options.overrides:
        settings.setdict(dict(options.overrides), "cmdline")
    return settings


def uses_placeholder_contact(settings: Settings) -> bool:
    """True when nobody said who runs the crawl (the User-Agent still names the placeholder contact)."""
    return DEFAULT_CONTACT in str(settings.get("USER_AGENT", ""))
