"""Every SPEECHCRAWL_* setting with its default, plus the Scrapy settings the product relies on.

One module, so a user looks in one place (as Scrapy keeps all defaults in
``default_settings.py``).  Within a group the enabling flag comes first, then the
rest alphabetically.  Components read these with ``getbool`` / ``getint``.
"""

from __future__ import annotations

from typing import Any

# --- archive (WARC) -----------------------------------------------------------
SPEECHCRAWL_WARC_ENABLED = True
SPEECHCRAWL_WARC_DIR = ""  # default: <SPEECHCRAWL_DATA_DIR>/warc
SPEECHCRAWL_WARC_MAX_SIZE = 1_000_000_000  # bytes before rotating to a new file
SPEECHCRAWL_WARC_REVISITS = True  # identical payload of the same URL -> revisit record

# --- catalog (SQLite) ----------------------------------------------------------
SPEECHCRAWL_CATALOG_ENABLED = True
SPEECHCRAWL_CATALOG_PATH = ""  # default: <SPEECHCRAWL_DATA_DIR>/catalog.sqlite

# --- cleaning --------------------------------------------------------------------
SPEECHCRAWL_CLEAN_ENABLED = True

# --- crawl -----------------------------------------------------------------------
SPEECHCRAWL_CRAWL_ID = ""  # default: UTC timestamp of the crawl start
SPEECHCRAWL_DATA_DIR = "data"
SPEECHCRAWL_OPERATOR = "speechcrawl (+https://example.invalid/speechcrawl; archive crawler)"
SPEECHCRAWL_PROFILES_DIR = ""  # default: the profiles shipped in spiders/profiles/

# --- export (speechcrawl export / stats) -------------------------------------------------
SPEECHCRAWL_EXPORT_DEDUP = "near"  # none | exact (same text once whitespace is removed) | near
SPEECHCRAWL_EXPORT_DEDUP_SHINGLE = 5  # characters per shingle for near duplicates
SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD = 0.5  # Jaccard similarity of shingle sets at which records are near duplicates

# --- progress display --------------------------------------------------------------
SPEECHCRAWL_PROGRESS_ENABLED = False
SPEECHCRAWL_PROGRESS_INTERVAL = 1.0

# --- network safety ----------------------------------------------------------------
SPEECHCRAWL_SSRF_ALLOW_PRIVATE = False

SPEECHCRAWL_DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("SPEECHCRAWL_") and name != "SPEECHCRAWL_DEFAULTS"
}

# Scrapy settings the product needs whatever the project file says.  Politeness
# defaults are for real sites; the sandbox preset below lifts them on loopback.
SCRAPY_DEFAULTS: dict[str, Any] = {
    "ADDONS": {"crawler.addon.SpeechcrawlAddon": 0},
    "SPIDER_LOADER_CLASS": "spiders.loader.ProfileSpiderLoader",
    "ROBOTSTXT_OBEY": True,
    "USER_AGENT": "Mozilla/5.0 (compatible; speechcrawl/0.1; +https://example.invalid/speechcrawl)",
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 0.5,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 5 * 1024 * 1024,
    "RETRY_TIMES": 3,
    "REDIRECT_MAX_TIMES": 10,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "DEPTH_PRIORITY": 0,
    # Scrapy starts CONCURRENT_ITEMS asyncio tasks for every callback's output; our pipelines are
    # synchronous and a callback yields a handful of objects, so 100 tasks per response is pure overhead.
    "CONCURRENT_ITEMS": 8,
}

# Loopback sandboxes answer in well under a millisecond: no throttling needed,
# and per-port "hosts" all share one IP, so concurrency is per domain+port.
SANDBOX_OVERRIDES: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "SPEECHCRAWL_SSRF_ALLOW_PRIVATE": True,
}
