"""Baseline for bench_crawl: a plain Scrapy CrawlSpider following every link, no WARC, no cleaning.

Run as ``python -m bench.bare_scrapy URL [URL…]``; prints the number of responses.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BareSpider(CrawlSpider):
    name = "bare"
    allowed_domains = ["127.0.0.1"]
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def parse_page(self, response: Any) -> None:
        return None


def main(urls: list[str]) -> int:
    stats: dict[str, Any] = {}
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 64, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "AUTOTHROTTLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_urls=urls)
    process.start()
    stats.update(crawler.stats.get_stats() if crawler.stats else {})
    print(f"responses={stats.get('response_received_count', 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
