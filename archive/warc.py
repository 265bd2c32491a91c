"""WARC/1.1 writer: each fetch becomes a request record and a response (or revisit) record.

A revisit's request record is left out when it says nothing the file does not already say
(``repeated_requests=False``, the crawler's default): a GET whose headers, the conditional
validators aside, are those of the request record last written in the same file, with no
validators or with the validators of the response a 304 confirms.  The request is then the
previous request record of the file with the revisit's URI (and, for a ``server-not-modified``
revisit, ``If-None-Match`` / ``If-Modified-Since`` from the ``ETag`` / ``Last-Modified`` of the
record it refers to).  A request that differs from that record in its ``Referer`` alone (a crawler
sends the page it found the link on) is left out too: the revisit then names the Referer in
``WARC-Request-Referer``, an extension field (WARC 1.1, 5.1: software ignores fields it does not
know), and the request is the previous one with that Referer in place of its own (or after its
``Host`` header when it had none).  Together this halves what a re-crawl of an unchanged site
adds to the archive (docs/benchmarks.md, "Re-crawl cost").
With ``recheck_ledger=N`` (SPEECHCRAWL_WARC_RECHECK_LEDGER, off by default) a 304 re-check is not a
revisit record of its own: it is held and written, N at a time (and before a file is finished, and
at close), as one ``metadata`` record of Content-Type :data:`LEDGER_CONTENT_TYPE` whose block is one
JSON line per re-check (docs/archive.md, "The re-check ledger").  Until then its pointer is
:attr:`RecordPointer.held`; ``ledger_listeners`` are told where each re-check went, so nothing
hands on a pointer past the end of what is written.
Records carry no ``WARC-Warcinfo-ID``: every record belongs to the warcinfo record at the head
of its file (each file starts with one).

The crawler hands over plain :class:`HttpExchange` values and gets :class:`RecordPointer`
values back, so it never touches warcio types and this module needs no Scrapy.

Durability is the point of the design: each record is built as one complete gzip member
in memory and handed to the OS in one unbuffered write, so a process killed at any
instant leaves every earlier record intact and at most one partial member at the end
of the ``.open`` file, which :func:`archive.verify.repair` cuts off.  Files are named
``….warc.gz.open`` while written and renamed when closed, so a finished name always
means a finished file.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from archive._format import (
    content_type_of,
    http_request_head,
    http_response_head,
    json_block,
    last_header,
    record_member,
    sha1_digest,
    uri_for_header,
    warc_date,
    warc_fields,
)
from archive.documents import ArchivedDocument
from archive.exceptions import ArchiveError, WriterClosedError
from archive.files import fsync_directory, lock_file

__all__ = ["HttpExchange", "RecordPointer", "WarcWriter", "REVISIT_PROFILE", "REFERER_FIELD", "OPEN_SUFFIX",
           "WARC_DIRNAME", "LEDGER_CONTENT_TYPE", "LEDGER_URI_PREFIX", "LedgerListener"]

logger = logging.getLogger(__name__)

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
OPEN_SUFFIX = ".open"
WARC_DIRNAME = "warc"
"""The folder of a data directory that holds its WARC files (``DATA/warc/<site>/``)."""
_CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
_VALIDATORS = frozenset({"if-none-match", "if-modified-since"})
"""Request headers a re-crawl adds from the record it already holds (crawler.downloadermiddlewares.conditional)."""
REFERER_FIELD = "WARC-Request-Referer"
"""On a revisit without a request record: the Referer its request had in place of the previous request's."""
LEDGER_CONTENT_TYPE = "application/x-speechcrawl-rechecks+jsonl"
"""Content-Type of a re-check ledger record: a ``metadata`` record, one JSON line per 304 re-check."""
LEDGER_URI_PREFIX = "urn:speechcrawl:rechecks:"
"""WARC-Target-URI of a re-check ledger record: this prefix and the crawl id."""
_ASCII_URI = re.compile(r"[\x21-\x7e]+")

_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_EMPTY_DIGEST = sha1_digest(b"")
_COMPRESSED_ENCODINGS = frozenset({"gzip", "x-gzip", "br", "zstd", "deflate", "compress", "x-compress"})
_COMPRESSED_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "application/zip", "application/gzip",
    "application/x-gzip", "application/zstd", "application/x-7z-compressed", "application/vnd.rar", "font/woff",
    "font/woff2",
})


def body_is_compressed(headers: Sequence[tuple[str, str]]) -> bool:
    """Whether a response's body is compressed already, so its record stores it rather than deflating it again.

    The crawler archives bodies as they came off the wire: behind ``Content-Encoding: gzip`` (or Brotli,
    zstd), as most sites send HTML, and images, archives and fonts whose format compresses them.
    """
    encoding = last_header(headers, "content-encoding")
    if encoding.rpartition(",")[2].strip().lower() in _COMPRESSED_ENCODINGS:  # the last coding applied is outermost
        return True
    media = content_type_of(headers).partition(";")[0].strip().lower()
    return media in _COMPRESSED_TYPES or media.startswith(("video/", "audio/"))


def new_record_id() -> str:
    """A WARC-Record-ID: ``<urn:uuid:…>`` of a random (version 4, RFC 9562) UUID.

    What ``str(uuid.uuid4())`` gives, written from the 16 random bytes directly: the writer names three
    records a page, and the UUID object costs twice what its randomness does.
    """
    h = os.urandom(16).hex()
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}>"


RequestKey = tuple[str, str, tuple[tuple[str, str], ...], bytes]
"""A request as compared with the previous one: method, protocol, headers but the validators, body."""


def _request_key(ex: HttpExchange) -> tuple[RequestKey, bool]:
    """The request without its validators, and whether it had any."""
    headers = tuple((k.lower(), v) for k, v in ex.request_headers if k.lower() not in _VALIDATORS)
    return (ex.method, ex.protocol, headers, ex.request_body), len(headers) != len(ex.request_headers)


def _with_referer(headers: tuple[tuple[str, str], ...], referer: str) -> tuple[tuple[str, str], ...]:
    """``headers`` with their Referer set to ``referer``: in its place, or after Host when they have none."""
    if any(k == "referer" for k, _ in headers):
        return tuple((k, referer if k == "referer" else v) for k, v in headers)
    at = next((i + 1 for i, (k, _) in enumerate(headers) if k == "host"), 0)
    return (*headers[:at], ("referer", referer), *headers[at:])


def _repeats(key: RequestKey, last: RequestKey | None) -> tuple[bool, list[tuple[str, str]]]:
    """Whether ``key`` is the request ``last`` but for its Referer, and the revisit field that names the Referer.

    Only a Referer that goes into a WARC header byte for byte (printable ASCII, as a URL is) can be named.
    """
    if key == last:
        return True, []
    if last is None or key[:2] != last[:2] or key[3] != last[3]:
        return False, []
    referers = [v for k, v in key[2] if k == "referer"]
    if len(referers) != 1 or not _ASCII_URI.fullmatch(referers[0]) or _with_referer(last[2], referers[0]) != key[2]:
        return False, []
    return True, [(REFERER_FIELD, referers[0])]


@functools.cache
def _software() -> str:
    # importlib.metadata is imported here: it and the lookup cost every command that imports this
    # module (`archive verify`, `archive index` …) a tenth of a second at start-up, for a string only
    # a writer needs.
    from importlib import metadata

    try:
        return f"speechcrawl/{metadata.version('speechcrawl')}"
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "speechcrawl/0+unknown"


class _SoftwareName:
    """``WarcWriter.software``: the warcinfo ``software`` field, looked up on first use (a subclass may
    set a plain string instead, as the golden tests do)."""

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return _software()


@dataclass(frozen=True, kw_only=True, slots=True)
class HttpExchange:
    """One fetch as it went over the wire: what the crawler knows, in plain types."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    protocol: str
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    response_body: bytes
    ip_address: str | None
    fetched_at: datetime
    not_modified_of: tuple[str, str, str] | None = None
    """For a 304 answering a conditional request: (record id, WARC-Date, payload digest) of the full
    response it confirms.  The revisit record carries that payload's digest: it is the payload it vouches for."""


@dataclass(frozen=True, slots=True)
class RecordPointer:
    """Where one record lives, enough for provenance and for ``read_record_at``."""

    filename: str
    offset: int
    length: int
    record_id: str
    payload_digest: str
    date: str
    revisit_of: str | None = None
    line: int | None = None
    """For a re-check kept in a ledger record (filename, offset, length): its line, counted from 0;
    ``record_id`` is the entry's own id (its ``"id"``).  None for every other record."""

    @property
    def held(self) -> bool:
        """A re-check not written yet: it has an id, a date and a digest, but no place in a file."""
        return not self.filename


LedgerListener = Callable[[list[RecordPointer]], None]
"""Told the places of re-checks once their ledger record is written (WarcWriter.ledger_listeners)."""


def _ledger_entry(ex: HttpExchange, entry_id: str, date: str) -> dict[str, object]:
    """One line of a re-check ledger: what a ``server-not-modified`` revisit record would have said."""
    assert ex.not_modified_of is not None
    referer = [v for k, v in ex.request_headers if k.lower() == "referer"]
    entry: dict[str, object] = {
        "id": entry_id, "uri": ex.url, "date": date, "ip": ex.ip_address, "referer": referer[0] if referer else None,
        "refers_to": ex.not_modified_of[0], "refers_to_date": ex.not_modified_of[1],
        "payload_digest": ex.not_modified_of[2], "status_line": f"{ex.protocol} {ex.status} {ex.reason}".rstrip(),
        "headers": [[k, v] for k, v in ex.response_headers]}
    return entry


class WarcWriter:
    """Appends WARC/1.1 records, one gzip member each, rotating files at ``max_size``.

    Not a Scrapy component: the downloader middleware builds one per spider.  Writes are
    serialised with a lock so it may also be called from a thread pool.
    """

    software = _SoftwareName()

    def __init__(self, directory: Path, *, prefix: str, crawl_id: str, warcinfo: Mapping[str, str],
                 max_size: int = 1_000_000_000, revisits: bool = True, compresslevel: int = 6,
                 worker: str = "", repeated_requests: bool = False, recheck_ledger: int = 0) -> None:
        if max_size <= 0:
            raise ArchiveError(f"max_size must be positive, got {max_size}")
        for name, value in (("prefix", prefix), ("crawl_id", crawl_id), ("worker", worker or "-")):
            if not value or re.search(r"[\s/\\]", value):
                raise ArchiveError(f"{name} {value!r} cannot be part of a WARC file name")
        self.directory = Path(directory)
        self.prefix = prefix
        self.crawl_id = crawl_id
        self.worker = worker
        """A worker of a distributed crawl: in every file name, so workers never share a file name."""
        # Settings may hand over None (e.g. an unset USER_AGENT); a missing field beats "None".
        self.warcinfo = {k: str(v) for k, v in warcinfo.items() if v is not None}
        self.max_size = max_size
        self.revisits = revisits
        self.compresslevel = compresslevel
        self.repeated_requests = repeated_requests
        """Write a revisit's request record even when it repeats the file's previous one (module docstring)."""
        if recheck_ledger < 0:
            raise ArchiveError(f"recheck_ledger must be 0 (off) or more, got {recheck_ledger}")
        self.recheck_ledger = recheck_ledger
        """N > 0: a 304 re-check is a line of a ledger record written N at a time (module docstring); 0: a revisit."""
        self.ledger_listeners: list[LedgerListener] = []
        """Called (on the writing thread, the lock released) with the pointers of each ledger record's re-checks."""
        self._ledger: list[dict[str, object]] = []
        self._held: set[str] = set()
        self._flushed: list[RecordPointer] = []
        # Fail at construction, not at the first fetch, when the directory is unusable.
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._file: int | None = None
        self._name = ""
        self._size = 0
        self._warcinfo_id = ""
        self._last_request: RequestKey | None = None
        """The request record last written in the current file, as :func:`_request_key` sees it."""
        self._serial = self._next_serial()
        self._closed = False
        # (url, payload digest) -> (record id, WARC-Date) of the full response record.
        self._seen: dict[tuple[str, str], tuple[str, str]] = {}
        self.files: list[Path] = []
        """Final paths of the files this writer has finished, in order."""

    # -- overridable for byte-exact golden tests ---------------------------------------
    def _make_record_id(self) -> str:
        return new_record_id()

    def _now(self) -> datetime:
        return datetime.now(UTC)

    # -- public API --------------------------------------------------------------------
    @property
    def current_path(self) -> Path | None:
        """The ``.open`` file being written, or None between files."""
        return self.directory / (self._name + OPEN_SUFFIX) if self._file is not None else None

    @property
    def location(self) -> Path:
        """Where a failed write happened, for the message: the file being written, else the directory."""
        return self.current_path or self.directory

    def remember(self, url: str, payload_digest: str, record_id: str, date: str) -> None:
        """Preload the revisit index, e.g. from the catalog of a previous crawl."""
        with self._lock:
            self._seen[(url, payload_digest)] = (record_id, date)

    def write_exchange(self, ex: HttpExchange) -> tuple[RecordPointer | None, RecordPointer]:
        """Write the request record (None when left out: module docstring) and the response or revisit record.

        Both members go out in one write, into the same file, so the pair is never split
        across a rotation.  With ``recheck_ledger`` on, a 304 re-check writes nothing yet: it
        becomes a line of the next ledger record and its pointer is :attr:`RecordPointer.held`
        (no file, offset or length) until then; ``ledger_listeners`` hear where it went.
        """
        if self.recheck_ledger and ex.status == 304 and ex.not_modified_of is not None:
            return None, self._recheck(ex)
        try:
            return self._write_exchange(ex)
        finally:
            self._notify()  # a rotation writes the held re-checks

    def _write_exchange(self, ex: HttpExchange) -> tuple[RecordPointer | None, RecordPointer]:
        date = warc_date(ex.fetched_at)
        uri = uri_for_header(ex.url)
        ip = [("WARC-IP-Address", ex.ip_address)] if ex.ip_address else []
        req_head = http_request_head(ex.method, ex.url, ex.protocol, ex.request_headers)
        resp_head = http_response_head(ex.protocol, ex.status, ex.reason, ex.response_headers)
        req_digest = sha1_digest(ex.request_body) if ex.request_body else _EMPTY_DIGEST
        resp_digest = sha1_digest(ex.response_body)
        key, conditional = _request_key(ex)
        with self._lock:
            self._ensure_file()
            req_id, resp_id = self._make_record_id(), self._make_record_id()
            common = [("WARC-Date", date), ("WARC-Target-URI", uri), *ip]
            original = self._seen.get((ex.url, resp_digest)) if self.revisits and ex.response_body else None
            profile = REVISIT_PROFILE
            if ex.status == 304 and ex.not_modified_of is not None:
                # The server confirmed our copy: the record says so and names it (WARC 1.1, 6.7.3).
                original, profile = ex.not_modified_of[:2], NOT_MODIFIED_PROFILE
                resp_digest = ex.not_modified_of[2]
            repeated, referer = _repeats(key, self._last_request)
            repeated = (repeated and original is not None and not self.repeated_requests
                        and (not conditional or profile == NOT_MODIFIED_PROFILE))
            request = b""
            if not repeated:
                request = record_member(
                    [("WARC-Type", "request"), ("WARC-Record-ID", req_id), *common, ("WARC-Concurrent-To", resp_id)],
                    "application/http; msgtype=request", (req_head, ex.request_body),
                    req_digest if ex.request_body else None, self.compresslevel)
                self._last_request = key
            concurrent = referer if repeated else [("WARC-Concurrent-To", req_id)]
            if original is None:
                response = record_member(
                    [("WARC-Type", "response"), ("WARC-Record-ID", resp_id), *common, *concurrent],
                    "application/http; msgtype=response", (resp_head, ex.response_body), resp_digest,
                    self.compresslevel, store_from=1 if body_is_compressed(ex.response_headers) else None)
            else:
                response = record_member(
                    [("WARC-Type", "revisit"), ("WARC-Record-ID", resp_id), *common, *concurrent,
                     ("WARC-Profile", profile), ("WARC-Refers-To", original[0]),
                     ("WARC-Refers-To-Target-URI", uri), ("WARC-Refers-To-Date", original[1])],
                    "application/http; msgtype=response", (resp_head,), resp_digest, self.compresslevel)
            offset = self._append(request + response)
            if original is None and ex.response_body:
                self._seen[(ex.url, resp_digest)] = (resp_id, date)
            return (
                None if repeated else RecordPointer(self._name, offset, len(request), req_id, req_digest, date),
                RecordPointer(self._name, offset + len(request), len(response), resp_id, resp_digest, date,
                              original[0] if original else None),
            )

    def write_metadata(self, target_uri: str, refers_to: Sequence[str], payload: Mapping[str, object]) -> RecordPointer:
        """Write a ``metadata`` record with a JSON payload about earlier records.

        WARC-Refers-To is repeated once per id (a stitched article refers to each page).  A held
        re-check among them has its ledger record written first: a record never names a later one.
        """
        block = json_block(payload, target_uri)
        date = warc_date(self._now())
        digest = sha1_digest(block)
        try:
            with self._lock:
                self._ensure_file()
                if self._held.intersection(refers_to):
                    self._write_ledger()
                    if lost := self._held.intersection(refers_to):
                        raise ArchiveError(f"re-check {min(lost)} was never written (its ledger record failed): "
                                           f"no record may name it")
                record_id = self._make_record_id()
                member = record_member(
                    [("WARC-Type", "metadata"), ("WARC-Record-ID", record_id), ("WARC-Date", date),
                     ("WARC-Target-URI", uri_for_header(target_uri)),
                     *[("WARC-Refers-To", rid) for rid in refers_to]],
                    "application/json", (block,), digest, self.compresslevel, block_is_payload=True)
                offset = self._append(member)
                return RecordPointer(self._name, offset, len(member), record_id, digest, date)
        finally:
            self._notify()

    # -- the re-check ledger -----------------------------------------------------------
    def is_held(self, record_id: str) -> bool:
        """Whether ``record_id`` is a re-check not written: waiting for its ledger record, or lost with one that
        failed (then for good)."""
        return record_id in self._held

    def flush_ledger(self) -> list[RecordPointer]:
        """Write the held re-checks now, as one ledger record; their pointers (none held: [])."""
        with self._lock:
            if self._closed:
                raise WriterClosedError(f"WARC writer for {self.directory} is closed")
            self._write_ledger()
        return self._notify()

    def _recheck(self, ex: HttpExchange) -> RecordPointer:
        assert ex.not_modified_of is not None
        date = warc_date(ex.fetched_at)
        try:
            with self._lock:
                if self._closed:
                    raise WriterClosedError(f"WARC writer for {self.directory} is closed")
                entry_id = self._make_record_id()
                self._ledger.append(_ledger_entry(ex, entry_id, date))
                self._held.add(entry_id)
                if len(self._ledger) >= self.recheck_ledger:
                    self._ensure_file()  # may rotate, which writes the ledger into the file it finishes
                    self._write_ledger()
        finally:
            written = {p.record_id: p for p in self._notify()}
        return written.get(entry_id) or RecordPointer("", 0, 0, entry_id, ex.not_modified_of[2], date,
                                                      ex.not_modified_of[0])

    def _write_ledger(self) -> None:
        """Write the held re-checks as one ``metadata`` record (lock held); listeners are told by _notify."""
        if not self._ledger:
            return
        # Taken off the list first: a failed write is not tried again.  Their ids stay held (never written), so
        # nothing that waits for them goes on, and no record may name them.
        entries, self._ledger = self._ledger, []
        if self._file is None:
            self._start_file()
        block = b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                         for e in entries)
        member = record_member(
            [("WARC-Type", "metadata"), ("WARC-Record-ID", self._make_record_id()),
             ("WARC-Date", warc_date(self._now())), ("WARC-Target-URI", LEDGER_URI_PREFIX + self.crawl_id)],
            LEDGER_CONTENT_TYPE, (block,), None, self.compresslevel)
        offset = self._append(member)
        self._held.difference_update(str(e["id"]) for e in entries)
        self._flushed += [RecordPointer(self._name, offset, len(member), str(e["id"]), str(e["payload_digest"]),
                                        str(e["date"]), str(e["refers_to"]), line)
                          for line, e in enumerate(entries)]

    def _notify(self) -> list[RecordPointer]:
        """Tell the listeners where the re-checks written since the last call went.  Called with the lock
        released (a listener may write), the list is taken under it: a write on another thread appends to it."""
        with self._lock:
            flushed, self._flushed = self._flushed, []
        if flushed:
            for listener in list(self.ledger_listeners):
                listener(flushed)
        return flushed

    def write_document(self, document: ArchivedDocument) -> RecordPointer:
        """Write the metadata record that ties an exported document to its page records."""
        return self.write_metadata(document.target_uri, document.refers_to, document.to_json())

    def close(self) -> None:
        """Finish the current file (fsync, rename ``.open`` away); later writes are refused."""
        try:
            with self._lock:
                self._closed = True
                try:
                    self._write_ledger()
                finally:
                    self._finish_file()
        finally:
            self._notify()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- files -------------------------------------------------------------------------
    @property
    def stem(self) -> str:
        """``<prefix>-<crawl id>[-<worker>]``: what every file name of this writer starts with."""
        return f"{self.prefix}-{self.crawl_id}" + (f"-{self.worker}" if self.worker else "")

    def _next_serial(self) -> int:
        """Continue numbering after files a previous run of the same crawl left here."""
        pattern = re.compile(rf"{re.escape(self.stem)}-\d{{20}}-(\d{{5,}})\.warc\.gz")
        serials = [int(m.group(1)) + 1 for p in self.directory.iterdir() if (m := pattern.match(p.name))]
        return max(serials, default=0)

    def _ensure_file(self) -> None:
        if self._closed:
            raise WriterClosedError(f"WARC writer for {self.directory} is closed")
        if self._file is not None and self._size >= self.max_size:
            self._write_ledger()  # the held re-checks are written before the file is finished
            self._finish_file()
        if self._file is None:
            self._start_file()

    def _start_file(self) -> None:
        now = self._now()
        name = f"{self.stem}-{now.astimezone(UTC):%Y%m%d%H%M%S%f}-{self._serial:05d}.warc.gz"
        # "x": never clobber, even if a clock step reproduces a name.
        fd = os.open(self.directory / (name + OPEN_SUFFIX), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        if not lock_file(fd):  # pragma: no cover - O_EXCL makes this unreachable in practice
            os.close(fd)
            raise ArchiveError(f"{name}{OPEN_SUFFIX} is locked by another process")
        self._file, self._name, self._size = fd, name, 0
        self._last_request = None
        self._serial += 1
        self._warcinfo_id = self._make_record_id()
        fields = [("software", self.software), ("format", "WARC File Format 1.1"),
                  ("conformsTo", _CONFORMS_TO), ("isPartOf", self.crawl_id), *self.warcinfo.items()]
        block = warc_fields(fields)
        self._append(record_member(
            [("WARC-Type", "warcinfo"), ("WARC-Record-ID", self._warcinfo_id), ("WARC-Date", warc_date(now)),
             ("WARC-Filename", name)],
            "application/warc-fields", (block,), None, self.compresslevel))

    def _append(self, data: bytes) -> int:
        """Write whole members at the end of the file; on failure cut back to where we were."""
        assert self._file is not None
        offset = self._size
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._file, view):]
        except OSError:
            # A half member would make every later record unreachable; remove it.
            try:
                os.ftruncate(self._file, offset)
                os.lseek(self._file, offset, os.SEEK_SET)
            except OSError:
                logger.error("could not cut the partial record from %s; run `speechcrawl archive repair`",
                             self.current_path, exc_info=True)
            raise
        self._size += len(data)
        return offset

    def _finish_file(self) -> None:
        if self._file is None:
            return
        fd, self._file = self._file, None
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        final = self.directory / self._name
        if final.exists():
            raise ArchiveError(f"cannot rename {final}{OPEN_SUFFIX}: {final} already exists")
        os.rename(self.directory / (self._name + OPEN_SUFFIX), final)
        fsync_directory(self.directory)
        self.files.append(final)
        logger.debug("closed WARC file %s (%d bytes)", final, self._size)
