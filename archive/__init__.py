"""WARC archive: write, read, verify, index and export — stdlib and warcio only.

The crawl's source of truth is the WARC files this package writes; everything else
(catalog, exports) is derived from them.  It never imports Scrapy or the rest of
speechcrawl, so ``speechcrawl archive verify`` works on a machine with no crawl set up.
The supported surface is what ``__all__`` lists; the modules hold the rest.
"""

from __future__ import annotations

from archive.exceptions import ArchiveError
from archive.verify import verify
from archive.warc import HttpExchange, RecordPointer, WarcWriter

__all__ = ["ArchiveError", "HttpExchange", "RecordPointer", "WarcWriter", "verify"]
