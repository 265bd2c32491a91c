"""``speechcrawl serve``: a local, read-only web app to review a data directory in a browser.

Pages: sites (health, last crawl, records), crawls (each one's HTML report), records (search,
pagination), one record (its cleaned text with every removed span in place beside the archived
page, metadata sources, provenance, versions with a diff, near duplicates).  See docs/report.md.
"""

from __future__ import annotations

from crawler.review.app import ReviewApp, make_server

__all__ = ["ReviewApp", "make_server"]
