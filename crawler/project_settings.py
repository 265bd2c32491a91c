"""Settings module of speechcrawl as a Scrapy project (``scrapy.cfg`` points here).

It is what ``scrapy list``, ``scrapy crawl <site>`` and Scrapyd load: the add-on
switches every speechcrawl component on and the spider loader makes one spider per
profile.  Run by hand or by Scrapyd, a crawl is the same as ``speechcrawl crawl``;
pass the data directory with ``-s SPEECHCRAWL_DATA_DIR=/path`` (default ``./data``).
"""

from __future__ import annotations

from crawler.settings import scrapy_defaults

globals().update(scrapy_defaults())

# Run by Scrapyd or `scrapy crawl`, the job log is the only record of the run: keep INFO.
LOG_LEVEL = "INFO"
