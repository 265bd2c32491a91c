"""Site maintenance: propose a profile for a new site, record fixtures, catch template breakage.

The library behind ``speechcrawl site new|check|list`` (crawler.commands.site is the thin CLI):

- :mod:`crawler.site.fixture` — the recorded fixture of a site: WARC of a few fetches + expected records;
- :mod:`crawler.site.offline` — a fixture WARC replayed offline through a profile and the cleaners;
- :mod:`crawler.site.check` — replay against the expected records, with a readable diff;
- :mod:`crawler.site.live` — a small live crawl judged by the health monitors;
- :mod:`crawler.site.new` — fetch a sample of a new site and write its proposed profile and fixture;
- :mod:`crawler.site.overview` — every profile with its last crawl and health.
"""

SAMPLE_ARTICLES = 4
"""Article links a live check follows (the same ones every time, so two checks compare page for page)."""
SAMPLE_LISTS = 2
"""List pages a live check reads."""
