"""Every SPEECHCRAWL_* setting with its default, plus the Scrapy settings the product relies on.

One module, so a user looks in one place (as Scrapy keeps all defaults in
``default_settings.py``).  Within a group the enabling flag comes first, then the
rest alphabetically.  Components read these with ``getbool`` / ``getint``.
"""

from __future__ import annotations

from typing import Any

# --- archive (WARC) -----------------------------------------------------------
SPEECHCRAWL_WARC_ENABLED = True
SPEECHCRAWL_WARC_COMPRESS_LEVEL = 1  # libdeflate level of each record (1-9); 3 is 4 % smaller and costs about 0.04 ms a page more
SPEECHCRAWL_WARC_DIR = ""  # default: <SPEECHCRAWL_DATA_DIR>/warc
SPEECHCRAWL_WARC_MAX_SIZE = 1_000_000_000  # bytes before rotating to a new file
SPEECHCRAWL_WARC_REVISITS = True  # identical payload of the same URL -> revisit record
SPEECHCRAWL_WARC_RECHECK_LEDGER = 0  # N > 0: 304 re-checks as JSON lines of one metadata record per N, not revisits
SPEECHCRAWL_WARC_REPEATED_REQUESTS = False  # also write a revisit's request record when it repeats the file's last one
SPEECHCRAWL_WARC_WRITER = "archive.warc.WarcWriter"  # import path of the writer class (a WarcWriter subclass)

# --- body guard (truncated compressed bodies, over-long streams) ------------------
SPEECHCRAWL_BODYGUARD_ENABLED = True

# --- catalog (SQLite) ----------------------------------------------------------
SPEECHCRAWL_CATALOG_ENABLED = True
SPEECHCRAWL_CATALOG_PATH = ""  # default: <SPEECHCRAWL_DATA_DIR>/catalog.sqlite
SPEECHCRAWL_CATALOG_FETCH_BATCH = 100  # fetch rows committed together (and with each document: crawler.pipelines.catalog)
SPEECHCRAWL_CATALOG_FLUSH_SECONDS = 1.0  # at most this long between a fetch and its row's commit

# --- conditional requests (re-crawls) -------------------------------------------------
SPEECHCRAWL_CONDITIONAL_ENABLED = True  # If-None-Match / If-Modified-Since from earlier crawls; 304 -> revisit

# --- re-crawls -------------------------------------------------------------------------
SPEECHCRAWL_RECRAWL_KNOWN = True  # also request every URL the catalog holds records of (changed? gone?)

# --- cleaning --------------------------------------------------------------------
SPEECHCRAWL_CLEAN_ENABLED = True

# --- crawl -----------------------------------------------------------------------
SPEECHCRAWL_CRAWL_ID = ""  # default: UTC timestamp of the crawl start
SPEECHCRAWL_DATA_DIR = "data"
SPEECHCRAWL_OPERATOR = "speechcrawl (+https://example.invalid/speechcrawl; archive crawler)"
SPEECHCRAWL_PROFILES_DIR = ""  # your profiles, read beside the bundled ones (default: ./profiles when it exists)
SPEECHCRAWL_MAX_LINKS_PER_PAGE = 10_000  # links followed from one page (0: no limit); the rest counted in the stats
SPEECHCRAWL_RESUME = False  # continue SPEECHCRAWL_CRAWL_ID: repair its WARC tails, skip documents already stored

# --- pacing (robots.txt Crawl-delay, Retry-After pauses per host) -------------------
SPEECHCRAWL_PACING_ENABLED = True
SPEECHCRAWL_PACING_MAX_DELAY = 60.0  # seconds; a longer Crawl-delay or Retry-After pause is capped

# --- retries (Scrapy's RETRY_* decide what and how often; these decide when) ---------
SPEECHCRAWL_RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubled for each next one
SPEECHCRAWL_RETRY_BACKOFF_MAX = 60.0  # cap; a Retry-After asking for more gives the page up

# --- health monitors (crawler.extensions.monitor; see quality/health.py) --------------
SPEECHCRAWL_HEALTH_ENABLED = True
SPEECHCRAWL_HEALTH_MAX_DROP = 0.5  # records or mean text length below this share of the previous crawl's
SPEECHCRAWL_HEALTH_MAX_EMPTY = 0.2  # share of article pages with no text after cleaning
SPEECHCRAWL_HEALTH_MAX_ERRORS = 0.1  # share of fetches that failed (HTTP >= 400 or no answer)
SPEECHCRAWL_HEALTH_MAX_FALLBACK = 0.2  # share of article pages where the content selector matched nothing
SPEECHCRAWL_HEALTH_MAX_LEAKS = 0.05  # share of records with site furniture (相关文章, 扫码 …) in their text
SPEECHCRAWL_HEALTH_REPORT_DIR = ""  # default: <SPEECHCRAWL_DATA_DIR>/reports
SPEECHCRAWL_HEALTH_SELECTOR_SAMPLE = 20  # article pages per crawl on which title/date/source selectors are tried

# --- HTML crawl report (crawler.extensions.report; see docs/report.md) --------------------
SPEECHCRAWL_REPORT_ENABLED = True  # write DATA/reports/<site>-<crawl id>.html when a crawl ends

# --- export (speechcrawl export / stats) -------------------------------------------------
SPEECHCRAWL_EXPORT_DEDUP = "near"  # none | exact (same text once whitespace is removed) | near
SPEECHCRAWL_EXPORT_DEDUP_SHINGLE = 5  # characters per shingle for near duplicates
SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD = 0.5  # Jaccard similarity of shingle sets at which records are near duplicates

# --- progress display --------------------------------------------------------------
SPEECHCRAWL_PROGRESS_ENABLED = False  # a status line on stderr while crawling (`speechcrawl crawl` turns it on)
SPEECHCRAWL_PROGRESS_INTERVAL = 1.0  # seconds between status lines (at least 5 when stderr is no terminal)

# --- sampling (speechcrawl site check --live; crawler.spidermiddlewares.sample) --------
SPEECHCRAWL_SAMPLE_ARTICLES = 0  # follow only the first N article links (0: no limit)
SPEECHCRAWL_SAMPLE_LISTS = 0  # fetch only the first N list pages (0: no limit)

# --- distributed crawls (crawler.distributed; docs/distributed.md) --------------------------
SPEECHCRAWL_REDIS_URL = ""  # redis://host:port/db shared by workers: frontier, leases, politeness, record stream
SPEECHCRAWL_POLITENESS_LEASE = 30.0  # seconds a dead worker's per-host slot stays taken (renewed while it lives)
SPEECHCRAWL_WORKER_ID = ""  # set by `speechcrawl worker`: this crawl is one worker's share of a distributed crawl
SPEECHCRAWL_LEASE_SECONDS = 60.0  # a dequeued request not acknowledged within this goes back to the frontier
SPEECHCRAWL_LEASE_MAX_ATTEMPTS = 3  # leases of one request that may expire before it is recorded as failed
SPEECHCRAWL_REDIS_RETRY_MAX = 30.0  # seconds between retries while Redis is unreachable (backoff cap)
SPEECHCRAWL_CRAWL_MAX_PAGES = 0  # a distributed crawl's --max-pages per site, for all workers together (0: none)
SPEECHCRAWL_CRAWL_MAX_DURATION = 0.0  # a distributed crawl's --max-duration, seconds from its seeding (0: none)
SPEECHCRAWL_CRAWL_STARTED_AT = 0.0  # Unix time the distributed crawl was seeded (or resumed)
SPEECHCRAWL_DUPEFILTER = "set"  # seen requests: "set" (exact, ~100 B/URL) | "bloom" (a few B/URL, rare URLs never fetched)
SPEECHCRAWL_BLOOM_CAPACITY = 100_000  # URLs per site the Bloom filter's first layer takes; each next layer twice more
SPEECHCRAWL_BLOOM_ERROR_RATE = 1e-6  # most of the new URLs a Bloom filter may take for seen ones (never fetched)

# --- network safety ----------------------------------------------------------------
SPEECHCRAWL_SSRF_ALLOW_PRIVATE = False
SPEECHCRAWL_SSRF_ALLOW_ORIGINS: list[str] = []  # exact scheme://host:port origins allowed although private

SPEECHCRAWL_DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items() if name.startswith("SPEECHCRAWL_") and name != "SPEECHCRAWL_DEFAULTS"
}

DEFAULT_CONTACT = "https://example.invalid/speechcrawl"
"""Placeholder: a real crawl passes --contact so that site owners can reach the operator."""


def user_agent(contact: str) -> str:
    """The User-Agent for a crawl run by ``contact`` (a URL or mailto: address site owners can use)."""
    return f"Mozilla/5.0 (compatible; speechcrawl/0.1; +{contact})"


# Scrapy settings the product needs whatever the project file says.  Politeness
# defaults are for real sites; the sandbox preset below lifts them on loopback.
SCRAPY_DEFAULTS: dict[str, Any] = {
    "ADDONS": {"crawler.addon.SpeechcrawlAddon": 0},
    "SPIDER_LOADER_CLASS": "spiders.loader.ProfileSpiderLoader",
    "ROBOTSTXT_OBEY": True,
    "USER_AGENT": user_agent(DEFAULT_CONTACT),
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_DELAY": 0.5,  # per host, the floor under AutoThrottle
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 5 * 1024 * 1024,
    "RETRY_TIMES": 3,
    "RETRY_GIVE_UP_LOG_LEVEL": "WARNING",  # the catalog records the failure; not an error of the crawler
    "REDIRECT_MAX_TIMES": 10,
    "TELNETCONSOLE_ENABLED": False,
    # Scrapy 2.19 starts an HTTP server in every crawl that runs Python code sent to it (token-guarded,
    # on localhost) and writes its token to a job file in the user's home: no archival crawl wants either.
    "REMOTE_CONTROL_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "DEPTH_PRIORITY": 0,
    # Scrapy starts CONCURRENT_ITEMS asyncio tasks for every callback's output; our pipelines are
    # synchronous and a callback yields a handful of objects, so 100 tasks per response is pure overhead.
    "CONCURRENT_ITEMS": 8,
    # Scrapy checks every callback for a generator that returns a value by reading and parsing its source
    # (inspect.getsource + ast.parse) on every response: its cache is keyed by a weak reference to the
    # bound method, which dies at once, so it never hits (2 ms a page profiled, the bare CrawlSpider does
    # not pay it).  Our callbacks are fixed code: tests/test_template_spider.py runs the same check once.
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
}

RESOLVER_CLASS = "crawler.resolver.PublicAddressResolver"
"""The resolver crawls use: Scrapy's caching IPv4/IPv6 one (the default cannot reach IPv6 hosts)
minus non-public answers, so DNS rebinding cannot slip past the SSRF guard."""


def scrapy_defaults() -> dict[str, Any]:
    """SCRAPY_DEFAULTS plus the resolver, under the setting name the installed Scrapy reads.

    Newer Scrapy renamed DNS_RESOLVER to TWISTED_DNS_RESOLVER and warns on the old name;
    older releases know only the old one.  Scrapy is imported here, not at module level,
    so commands that never crawl (``archive verify``) start without it.
    """
    from scrapy.settings import default_settings

    name = "TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"
    return {**SCRAPY_DEFAULTS, name: RESOLVER_CLASS}


# Loopback sandboxes answer in well under a millisecond: no throttling needed,
# and per-port "hosts" all share one IP, so concurrency is per domain+port.
SANDBOX_OVERRIDES: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "SPEECHCRAWL_RETRY_BACKOFF_BASE": 0.1,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "SPEECHCRAWL_SSRF_ALLOW_PRIVATE": True,
}
