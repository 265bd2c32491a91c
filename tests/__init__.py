"""Helpers shared by the tests: run the real CLI in a child process, crawl the sandbox and export."""

from __future__ import annotations

import errno
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from archive.warc import HttpExchange, RecordPointer, WarcWriter
from crawler.settings import SPEECHCRAWL_DEFAULTS

CLI = [sys.executable, "-m", "crawler.cli"]
GOLDEN_TIME = datetime(2024, 5, 1, 8, 30, 0, 123456, tzinfo=UTC)
"""The WARC-Date of the golden WARC fixtures (tests/data/warc/)."""


class GoldenWriter(WarcWriter):
    """Deterministic ids, dates and software string: byte-exact records for golden files and comparisons."""

    software = "speechcrawl/test"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._ids = itertools.count(1)
        super().__init__(*args, **kwargs)

    def _make_record_id(self) -> str:
        return f"<urn:uuid:00000000-0000-4000-8000-{next(self._ids):012d}>"

    def _now(self) -> datetime:
        return GOLDEN_TIME


def gzip_members(data: bytes) -> list[bytes]:
    """The decompressed gzip members of ``data``, in order (found independently of archive/)."""
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        out.append(d.decompress(data[pos:]))
        pos = len(data) - len(d.unused_data)
    return out


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``speechcrawl ARGS`` as a user runs it (own process, own reactor)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def wait_for_marker(path: Path, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until a paused crawler (PausingWarcWriter, LedgerPausingWarcWriter) has written its marker."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the crawl ended (code {proc.returncode}) before the chosen moment"
        assert time.monotonic() < deadline, "the crawl never reached the chosen moment"
        time.sleep(0.02)


def crawl_paused_and_killed(args: list[str], pause: tuple[str, str], marker: Path, root: Path) -> None:
    """``speechcrawl ARGS`` with a pausing writer (``pause``: its variable and value), SIGKILLed (by its PID)
    once the writer has written ``marker``."""
    env = {**os.environ, "PYTHONPATH": str(root), pause[0]: pause[1]}
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root, env=env)
    try:
        wait_for_marker(marker, proc)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # the crawler we started, by its PID
        proc.wait(timeout=30)


def crawl_and_export(data: Path, targets: list[str], *extra: str) -> list[dict[str, Any]]:
    """Crawl ``targets`` into ``data`` (sandbox preset), export without dedup, return the records."""
    proc = run_cli("crawl", *targets, "--sandbox", "--no-progress", "--data", str(data), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = data / "export.jsonl"
    proc = run_cli("export", "--data", str(data), "--out", str(out), "--dedup", "none", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def spider_crawler(settings: dict[str, Any] | None = None) -> Crawler:
    """A crawler with the SPEECHCRAWL_* defaults and an open-able spider, for building components in tests."""
    crawler = get_crawler(Spider, settings_dict={**SPEECHCRAWL_DEFAULTS, "SPEECHCRAWL_CRAWL_ID": "test",
                                                 **(settings or {})})
    crawler.spider = crawler._create_spider("test")
    return crawler
@dataclass(frozen=True)
class ArchivedCrawl:
    """A finished crawl: its data directory (warc/, catalog.sqlite, export.jsonl) and exported records."""

    data: Path
    records: list[dict[str, Any]]


class PausingWarcWriter(WarcWriter):
    """A real writer that stops at one chosen moment, so a test can kill the crawler exactly there.

    ``SPEECHCRAWL_TEST_PAUSE=SITE:N:FRACTION:MARKER`` (read in the crawler process): on
    the N-th write of SITE's writer it first writes FRACTION of the bytes (0 = between
    records, 0.5 = half of them), creates MARKER (file, size before, bytes written, bytes
    of whole gzip members among them) and sleeps (at most a minute) waiting for the
    SIGKILL.  Every other write is the ordinary one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site, n, fraction, marker = os.environ.get("SPEECHCRAWL_TEST_PAUSE", ":0:0:").split(":", 3)
        self._pause_at = int(n) if site == self.prefix else 0
        self._fraction, self._marker, self._writes = float(fraction), marker, 0

    def _append(self, data: bytes) -> int:
        self._writes += 1
        if self._writes == self._pause_at and self._file is not None:
            cut = int(len(data) * self._fraction)
            os.write(self._file, data[:cut])
            # A fetch is two members (request, response) in one write: half of it may hold a whole one.
            whole = 0
            while whole < cut:
                member = zlib.decompressobj(31)
                member.decompress(data[whole:cut])
                if not member.eof:
                    break
                whole = cut - len(member.unused_data)
            # Written whole, then renamed: the test polls for the marker and must never read it half-written.
            partial = Path(self._marker + ".part")
            partial.write_text(f"{self.current_path}\n{self._size}\n{cut}\n{whole}\n")
            partial.rename(self._marker)
            time.sleep(60)  # killed long before; if not, the test fails on its own deadline
            raise RuntimeError("PausingWarcWriter was not killed")
        return super()._append(data)


class LedgerPausingWarcWriter(WarcWriter):
    """A real writer that stops a crawl between two ledger records, so a test can kill it there.

    ``SPEECHCRAWL_TEST_LEDGER_PAUSE=SITE:LEDGERS:HELD:MARKER`` (read in the crawler process): once SITE's
    writer has written LEDGERS ledger records and holds HELD re-checks (SPEECHCRAWL_WARC_RECHECK_LEDGER
    above HELD), it lets the reactor run a moment more (the held pages' documents reach the pipelines),
    then writes the URLs of the re-checks it holds to MARKER and blocks, waiting for the SIGKILL.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site, ledgers, held, marker = os.environ.get("SPEECHCRAWL_TEST_LEDGER_PAUSE", ":0:0:").split(":", 3)
        self._pause = (int(ledgers), int(held)) if site == self.prefix else None
        self._marker, self._ledgers = marker, 0

    def _write_ledger(self) -> None:
        self._ledgers += bool(self._ledger)
        super()._write_ledger()

    def _recheck(self, ex: HttpExchange) -> RecordPointer:
        pointer = super()._recheck(ex)
        if self._pause is not None and (self._ledgers, len(self._ledger)) == self._pause:
            from twisted.internet import reactor

            self._pause = None
            reactor.callLater(0.15, self._freeze)  # type: ignore[attr-defined]
        return pointer

    def _freeze(self) -> None:
        partial = Path(self._marker + ".part")
        partial.write_text("".join(f"{e['uri']}\n" for e in self._ledger))
        partial.rename(self._marker)
        time.sleep(60)  # killed long before; if not, the test fails on its own deadline
        raise RuntimeError("LedgerPausingWarcWriter was not killed")


class LedgerFailingWarcWriter(WarcWriter):
    """A real writer whose disk fills up as it writes a ledger record.

    ``SPEECHCRAWL_TEST_LEDGER_FAIL=SITE:K:MARKER`` (read in the crawler process): SITE's K-th ledger record
    fails with ENOSPC in the write itself; the URLs of its re-checks go to MARKER first.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site, k, marker = os.environ.get("SPEECHCRAWL_TEST_LEDGER_FAIL", ":0:").split(":", 2)
        self._fail_at = int(k) if site == self.prefix else 0
        self._marker, self._ledgers = marker, 0

    def _write_ledger(self) -> None:
        self._ledgers += bool(self._ledger)
        if not self._ledger or self._ledgers != self._fail_at:
            super()._write_ledger()
            return
        Path(self._marker).write_text("".join(f"{e['uri']}\n" for e in self._ledger))

        def full(data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        self._append = full  # type: ignore[method-assign]
        try:
            super()._write_ledger()
        finally:
            del self._append


def make_record(site: str, n: int, text: str, **fields: Any) -> dict[str, Any]:
    """A schema-valid export record for catalogs built by hand (``fields`` override the defaults)."""
    from corpus.records import SCHEMA_VERSION, record_id

    url = f"http://{site}.test/a/{n}.html"
    fetched = fields.pop("fetched_at", "2026-01-02T03:04:05+00:00")
    record = {"id": record_id(url, None), "site": site, "url": url, "pages": [url], "part": None,
              "title": f"讲话{n}", "speaker": None, "speaker_title": None, "occasion": None, "date": None,
              "source": None, "text": text, "masks": [], "audit": {}, "dup": None, "mode": "profile",
              "fetched_at": fetched, "version": 1, "gone": None, "provenance": [{"url": url, "status": 200, "fetched_at": fetched}],
              "schema_version": SCHEMA_VERSION, "cleaner_version": "test"}
    record.update(fields)
    return record


def fill_catalog(path: Path, records: list[dict[str, Any]]) -> Path:
    """A catalog at ``path`` holding ``records`` (as the crawl's catalog pipeline stores them)."""
    from corpus.catalog import Catalog
    from corpus.records import text_sha1

    catalog = Catalog(path)
    with catalog.transaction():
        for record in records:
            catalog.put_record(record, crawl_id="c1", text_sha1=text_sha1(record["text"]))
    catalog.close()
    return path
