"""WarcMetadataPipeline: one WARC metadata record per cleaned document, unless nothing is new.

It runs after cleaning (300) and before the catalog (800), so a record reaches the
catalog only once the WARC says where it came from: the catalog can then always be
rebuilt from the WARC files (``speechcrawl reprocess``).  Documents the cleaners
dropped get a record too, with the reason, because a better cleaner may find a speech
in them later.  It writes through the recorder's writer (announced with the
``warc_writer_opened`` signal), so the metadata sits in the same files as the responses.
"""

from __future__ import annotations

import codecs
import html
import itertools
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from archive.documents import ArchivedDocument, DocumentPage, DocumentRecord
from archive.exceptions import ArchiveError
from cleaners import CLEANER_VERSION
from crawler import signals as sc_signals
from crawler.paths import crawl_id_from
from crawler.storage import FATAL_STAT, stop_crawl, write_failure
from spiders.items import Document, FetchedPage

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from archive.warc import WarcWriter

logger = logging.getLogger(__name__)

__all__ = ["WarcMetadataPipeline", "outlinks", "archived_document"]

# A regex, not a parser: the cleaners already parse each page once, and the outlinks of a
# page are a record of the crawl, not content, so a cheap pass over the bytes is enough.
_HREF = re.compile(rb"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


_RESOLVED: dict[tuple[str, str], dict[bytes, str]] = {}
"""Per (origin, charset): what each absolute or root-relative href resolved to.  A site's pages repeat most of their
links (navigation, lists), and resolving one costs more than finding it.  Bounded by :data:`_RESOLVED_MAX`."""
_RESOLVED_MAX = 20_000


def _resolve(raw: bytes, codec: str, origin: str, base_url: str) -> tuple[str | None, bool]:
    """The absolute http(s) URL of one href (None: not a web link), and whether it holds for every page of
    ``origin`` (absolute or root-relative), so it may be remembered."""
    href = raw.decode(codec, "replace")
    if "&" in href:
        href = html.unescape(href)
    href = href.strip().partition("#")[0]
    if href.startswith(("http://", "https://")):
        return href, True
    if href.startswith("/") and not href.startswith("//"):
        return origin + href, True
    if not href or href.startswith(("javascript:", "mailto:")):
        return None, True
    url = urljoin(base_url, href)
    return (url if url.startswith(("http://", "https://")) else None), False


def outlinks(body: bytes, base_url: str, encoding: str | None, limit: int = 0) -> tuple[list[str], int]:
    """Absolute http(s) URLs of the first ``limit`` (0: all) ``<a href>`` links in ``body``, in order, without
    repeats; and how many links past ``limit`` were counted, not read.

    Written for speed (a list page has ~90 links and this runs on the reactor thread): an href
    that resolves alike on every page of the origin (absolute, root-relative) is resolved once.
    The bound is SPEECHCRAWL_MAX_LINKS_PER_PAGE, as for the links the spider follows: 200,000 URLs
    of one page would be 20 MB of strings and an 8 MB record (issue 23, item 10).
    """
    try:
        codec = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        codec = "utf-8"
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    known = _RESOLVED.get((origin, codec))
    if known is None or len(known) > _RESOLVED_MAX:
        if len(_RESOLVED) > 100:  # many origins (a generic crawl across hosts): start again
            _RESOLVED.clear()
        known = _RESOLVED[(origin, codec)] = {}
    seen: dict[str, None] = {}
    matches = _HREF.finditer(body)
    for match in itertools.islice(matches, limit or None):
        raw = match[match.lastindex or 0]
        url = known.get(raw)
        if url is None:
            resolved, same_everywhere = _resolve(raw, codec, origin, base_url)
            if same_everywhere:
                known[raw] = resolved or ""
            if resolved is None:
                continue
            url = resolved
        if url:
            seen[url] = None
    return list(seen), sum(1 for _ in matches)


def _page(page: FetchedPage, link_limit: int) -> DocumentPage | None:
    if page.warc is None:
        return None
    links, omitted = outlinks(page.body, page.url, page.declared_encoding, link_limit)
    return DocumentPage(url=page.url, record_id=page.warc.record_id, declared_encoding=page.declared_encoding,
                        outlinks=links, outlinks_omitted=omitted)


def _record(record: Mapping[str, object]) -> DocumentRecord:
    part, title = record.get("part"), record.get("title")
    index = part.get("index") if isinstance(part, dict) else None
    return DocumentRecord(id=str(record["id"]), part_index=index if isinstance(index, int) else None,
                          title=title if isinstance(title, str) else None)


def archived_document(doc: Document, crawl_id: str, dropped: str | None = None,
                      link_limit: int = 0) -> ArchivedDocument | None:
    """The metadata of ``doc``, or None when a page was not archived (nothing to refer to).

    ``link_limit`` bounds each page's outlinks (0: all of them), the rest counted in ``outlinks_omitted``.
    """
    pages = [_page(page, link_limit) for page in doc.pages]
    if not pages or any(p is None for p in pages):
        return None
    records = [_record(r) for r in doc.records]
    return ArchivedDocument(site=doc.site, url=doc.url, crawl_id=crawl_id, generic=doc.generic,
                            cleaner_version=CLEANER_VERSION, pages=[p for p in pages if p is not None],
                            records=records, dropped=dropped)


class WarcMetadataPipeline:
    """Writes a ``metadata`` record for every :class:`Document`, exported or dropped.

    Settings
    --------
    SPEECHCRAWL_WARC_ENABLED, SPEECHCRAWL_CRAWL_ID, SPEECHCRAWL_MAX_LINKS_PER_PAGE
    """

    def __init__(self, crawler: Crawler, crawl_id: str) -> None:
        self.crawler = crawler
        self.crawl_id = crawl_id
        self.link_limit = crawler.settings.getint("SPEECHCRAWL_MAX_LINKS_PER_PAGE")
        self.writer: WarcWriter | None = None
        self.failed = False
        """A metadata write failed: the crawl is stopping, nothing more is written."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SPEECHCRAWL_WARC_ENABLED"):
            raise NotConfigured("SPEECHCRAWL_WARC_ENABLED is off")
        pipe = cls(crawler, crawl_id_from(crawler.settings))
        crawler.signals.connect(pipe.writer_opened, signal=sc_signals.warc_writer_opened)
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    def writer_opened(self, writer: WarcWriter, spider: Spider | None = None) -> None:
        self.writer = writer

    def process_item(self, item: object) -> object:
        if not isinstance(item, Document):
            return item
        if item.reused:
            # Its pages are revisits of payloads an earlier metadata record already ties to these
            # very records: a new record would say nothing new (about 1 KB a page on a re-crawl).
            # The revisit records say it was seen; reprocess turns them back into "unchanged"
            # events (corpus.rebuild).
            self._count("documents_unchanged")
            return item
        # Written before the item moves on to the catalog, on the reactor thread as the
        # recorder's records are (see WarcRecorderMiddleware.process_response).
        event = self.archive(item, None)
        self._count(event)
        if event == "write_error":
            raise DropItem(f"not archived: {item.url}", log_level="INFO")
        return item

    def item_dropped(self, item: object, exception: BaseException, **kwargs: Any) -> None:
        # A crawl stopping after a failed write writes no more (a "dropped" record would contradict the document's).
        stopping = self.failed or (self.crawler.stats is not None and self.crawler.stats.get_value(FATAL_STAT))
        if isinstance(item, Document) and not stopping:
            self._count(self.archive(item, str(exception) or type(exception).__name__))

    def archive(self, doc: Document, dropped: str | None) -> str:
        """Write the metadata record of ``doc``; return what happened, as a stats event."""
        document = archived_document(doc, self.crawl_id, dropped, self.link_limit)
        if self.writer is None or document is None:
            return "document_unarchived"
        try:
            self.writer.write_document(document)
        except (OSError, ArchiveError) as exc:
            # Without its metadata record a document cannot be rebuilt from the WARC files: the crawl stops,
            # and the document is not stored (DropItem), so --resume fetches it again.
            stop_crawl(self.crawler, write_failure(self.writer.location, exc))
            self.failed = True
            return "write_error"
        return "documents"

    def _count(self, event: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"speechcrawl/warc/{event}")
