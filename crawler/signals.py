"""Signals speechcrawl components send to each other (Scrapy-style singletons)."""

from __future__ import annotations

page_archived = object()
"""Sent by the WARC recorder after each fetch is written: request, response, pointer, fetched_at."""
