"""Signals speechcrawl components send to each other (Scrapy-style singletons)."""

from __future__ import annotations

page_archived = object()
"""Sent by the WARC recorder after each fetch is written: request, response, pointer, fetched_at."""

warc_writer_opened = object()
"""Sent by the WARC recorder when it has opened its writer for a spider: writer, spider.

The metadata pipeline writes through the same writer, so a document's metadata record
lands in the same files as the responses it refers to.
"""
