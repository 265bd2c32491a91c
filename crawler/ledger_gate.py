"""What the pipelines do about re-checks held for the ledger (SPEECHCRAWL_WARC_RECHECK_LEDGER).

With the ledger on, a 304 re-check is written later, with up to N others, as one WARC ``metadata``
record (archive.warc).  The response goes on at once (the spider follows its links, the document is
compared), but nothing the catalog or the record writer keeps may say more than the WARC files do:

* the recorder announces the fetch (``page_archived``) only once its ledger record is written, with a
  pointer into that record (crawler.downloadermiddlewares.warc);
* a document whose records are reused (every page unchanged) is stored once the ledger records of its
  pages are written: :class:`LedgerGate` holds it until then.  Killed in between, the catalog has
  neither the fetch nor the ``unchanged`` event, and ``--resume`` fetches the page again;
* a document to be cleaned again (new cleaners) needs real pointers in its records' provenance: the
  clean pipeline writes the ledger first (:func:`written_pages`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from archive.exceptions import ArchiveError

if TYPE_CHECKING:
    from archive.warc import RecordPointer, WarcWriter
    from spiders.items import Document

logger = logging.getLogger(__name__)

__all__ = ["LedgerGate", "written_pages"]


def _held_ids(writer: WarcWriter | None, doc: Document) -> set[str]:
    if writer is None or not writer.recheck_ledger:
        return set()
    return {p.warc.record_id for p in doc.pages if p.warc is not None and writer.is_held(p.warc.record_id)}


def written_pages(writer: WarcWriter | None, doc: Document) -> None:
    """Give ``doc``'s held re-checks their place by writing the ledger now (OSError/ArchiveError if it fails, or if
    one was lost with a ledger record that failed before)."""
    if not _held_ids(writer, doc):
        return
    assert writer is not None
    placed = {p.record_id: p for p in writer.flush_ledger()}
    doc.pages = [replace(page, warc=placed.get(page.warc.record_id, page.warc)) if page.warc is not None else page
                 for page in doc.pages]
    if lost := _held_ids(writer, doc):
        raise ArchiveError(f"{doc.url}: re-check {min(lost)} was never written (its ledger record failed)")


class LedgerGate:
    """Runs work about a document now, or once the ledger records of its held re-checks are written."""

    def __init__(self) -> None:
        self.writer: WarcWriter | None = None
        self._waiting: list[tuple[set[str], Callable[[], None]]] = []

    def attach(self, writer: WarcWriter) -> None:
        """Listen to ``writer`` (the ``warc_writer_opened`` signal hands it over)."""
        self.writer = writer
        writer.ledger_listeners.append(self._written)

    def hold(self, doc: Document, work: Callable[[], None]) -> bool:
        """True when a page of ``doc`` is held: ``work()`` then runs once they are all written.  False:
        nothing is held, the caller does the work now."""
        held = _held_ids(self.writer, doc)
        if held:
            self._waiting.append((held, work))
        return bool(held)

    def _written(self, pointers: list[RecordPointer]) -> None:
        done = {p.record_id for p in pointers}
        ready: list[tuple[set[str], Callable[[], None]]] = []
        waiting: list[tuple[set[str], Callable[[], None]]] = []
        for held, work in self._waiting:
            held -= done
            (waiting if held else ready).append((held, work))
        self._waiting = waiting
        for _, work in ready:
            work()

    def close(self) -> int:
        """Forget what still waits (its re-checks were never written, held still or lost with a ledger record that
        failed: --resume fetches them); how many."""
        left, self._waiting = len(self._waiting), []
        if left:
            logger.warning("%d documents not stored: the ledger record of their re-checks was not written", left)
        return left
