"""Low-level WARC scanning: gzip member boundaries and record syntax, without judging.

Both the reader (which wants records) and verify (which wants every fault, and to go
on past it) sit on this module, so "what a record is" is decided in one place.  It
reports damage as values instead of raising, leaving the policy to the caller.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import BinaryIO

from archive._format import FAST_ZLIB, WARC_DATE_RE
from archive.exceptions import RecordFormatError

_inflater: ModuleType = FAST_ZLIB  # a member it refuses is read again with zlib itself, which words the damage
_INFLATE_ERROR: type[Exception] = _inflater.error

__all__ = ["Member", "Damage", "ParsedRecord", "scan", "parse_record", "is_gzip_at"]

CHUNK = 1 << 16
GZIP_MAGIC = b"\x1f\x8b\x08"
_TOKEN_BAD = re.compile(rb'[\x00-\x20()<>@,;:\\"/\[\]?={}\x7f-\xff]')
_VERSIONS = {b"WARC/1.0": "WARC/1.0", b"WARC/1.1": "WARC/1.1"}
_REQUIRED = ("WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length")
_REQUIRED_KEYS = frozenset(name.lower() for name in _REQUIRED)
# The WARC/1.1 named fields, each as written -> (its name, its lower-case key): a line naming one of
# them needs no token check, decode or lower(), which were a third of parse_record's time.
_KNOWN = {name.encode(): (name, name.lower()) for name in (
    "WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length", "Content-Type", "WARC-Concurrent-To",
    "WARC-Block-Digest", "WARC-Payload-Digest", "WARC-IP-Address", "WARC-Refers-To", "WARC-Refers-To-Target-URI",
    "WARC-Refers-To-Date", "WARC-Target-URI", "WARC-Truncated", "WARC-Warcinfo-ID", "WARC-Filename",
    "WARC-Profile", "WARC-Identified-Payload-Type", "WARC-Segment-Number", "WARC-Segment-Origin-ID",
    "WARC-Segment-Total-Length")}
_MAX_LENGTH_DIGITS = 18
"""Digits of the largest Content-Length read (under 10**18 bytes); int() refuses a value of over 4300."""


@dataclass(frozen=True)
class Member:
    """A stretch of the file holding whole records: one gzip member, or one raw record."""

    offset: int
    length: int
    data: bytes
    compressed: bool


@dataclass(frozen=True)
class Damage:
    """Bytes that could not be read as records; ``length`` runs to where reading resumed."""

    offset: int
    length: int
    message: str
    truncated: bool = False


@dataclass
class ParsedRecord:
    version: str
    headers: list[tuple[str, str]]
    first: dict[str, str] = field(repr=False, compare=False)
    """First value of each header by lower-case name: parse_record builds it with the headers, because
    verify and the indexer ask ~10 headers of every record."""
    block: bytes = b""
    problems: list[str] = field(default_factory=list)
    """Faults that do not stop reading (a malformed header line, a bad date)."""

    def get(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive)."""
        return self.first.get(name.lower())


def is_gzip_at(f: BinaryIO, offset: int) -> bool:
    f.seek(offset)
    return f.read(2) == GZIP_MAGIC[:2]


def starts_like_warc(f: BinaryIO) -> bool:
    """Whether the file begins with a WARC record (or a prefix of one: a writer killed in its first record).

    Text, HTML or random bytes do not; an empty file does (nothing was written yet).
    """
    f.seek(0)
    head = f.read(4096)
    if head[:2] == GZIP_MAGIC[:2] or (len(head) < 2 and GZIP_MAGIC.startswith(head)):
        try:
            head = zlib.decompressobj(31).decompress(head)
        except zlib.error:
            return False
    return head.startswith(b"WARC/1.") or (len(head) < 7 and b"WARC/1.".startswith(head))


def scan(f: BinaryIO, start: int = 0, *, gzip: bool | None = None) -> Iterator[Member | Damage]:
    """Members of a file from ``start``: gzip members if it starts with gzip, else raw records.

    ``gzip`` forces the mode: a scan resumed at a member boundary of a gzip file reads gzip
    members whatever the bytes there, as the scan from 0 would.
    """
    if gzip is None:
        gzip = is_gzip_at(f, start)
    yield from (_scan_gzip(f, start) if gzip else _scan_raw(f, start))


def _scan_gzip(f: BinaryIO, start: int) -> Iterator[Member | Damage]:
    f.seek(start)
    pos = start  # file offset of pending[0]
    pending = memoryview(b"")
    while True:
        if not pending:
            pending = memoryview(f.read(CHUNK))
            if not pending:
                return
        begin = pos
        try:
            try:
                inflated = _inflate_member(f, pos, pending, _inflater)
            except _INFLATE_ERROR:
                # Damage is judged, and worded, by the standard library's zlib: read the member again with it.
                f.seek(begin)
                inflated = _inflate_member(f, begin, memoryview(f.read(CHUNK)), zlib)
        except zlib.error as exc:
            # Read from the file, not from ``pending``: a read boundary inside the first bytes must not
            # change the message, so a scan started at any member boundary says what a scan from 0 says.
            f.seek(begin)
            head = f.read(len(GZIP_MAGIC))
            is_gzip = head == GZIP_MAGIC[:len(head)]
            resume = _find_magic(f, begin + 1)
            end = resume if resume is not None else os.fstat(f.fileno()).st_size
            what = "corrupt gzip member" if is_gzip else "not a gzip member"
            yield Damage(begin, end - begin, f"{what} ({exc}); {end - begin} bytes skipped")
            if resume is None:
                return
            f.seek(resume)
            pos, pending = resume, memoryview(b"")
            continue
        if isinstance(inflated, int):
            yield Damage(begin, inflated - begin, f"truncated gzip member ({inflated - begin} bytes): the file "
                         "ends inside a record", truncated=True)
            return
        data, pos, pending = inflated
        yield Member(begin, pos - begin, data, True)


def _inflate_member(f: BinaryIO, pos: int, pending: memoryview,
                    inflater: ModuleType) -> tuple[bytes, int, memoryview] | int:
    """Inflate the gzip member at ``pos`` (whose first bytes are ``pending``), reading on from ``f``.

    Returns (its data, the offset after it, the bytes read past it), or the file size when the
    file ends inside the member.  Raises ``inflater.error`` on corrupt data.
    """
    d = inflater.decompressobj(31)
    parts: list[bytes] = []
    while True:
        parts.append(d.decompress(pending))
        if d.eof:
            used = len(pending) - len(d.unused_data)
            return b"".join(parts), pos + used, pending[used:]
        pos += len(pending)
        pending = memoryview(f.read(CHUNK))
        if not pending:
            return pos


def _find_magic(f: BinaryIO, start: int) -> int | None:
    """Where the next gzip header starts, to resume after a corrupt member."""
    f.seek(start)
    base, tail = start, b""
    while chunk := f.read(CHUNK):
        hay = tail + chunk
        at = hay.find(GZIP_MAGIC)
        if at >= 0:
            return base - len(tail) + at
        tail = hay[-(len(GZIP_MAGIC) - 1):]
        base += len(chunk)
    return None


def _scan_raw(f: BinaryIO, start: int) -> Iterator[Member | Damage]:
    """Uncompressed WARC: headers up to the blank line, then Content-Length bytes and CRLF CRLF.

    After a record whose Content-Length was wrong, bytes up to the next ``WARC/1.``
    line are reported as one Damage and reading resumes there.
    """
    f.seek(start)
    pos = start
    line = f.readline(1 << 16)
    while line:
        if not line.startswith(b"WARC/1."):
            skipped, blank = 0, True
            while line and not line.startswith(b"WARC/1."):
                skipped += len(line)
                blank = blank and not line.strip()
                line = f.readline(1 << 16)
            if not blank:  # stray blank lines between records are tolerated
                yield Damage(pos, skipped, f"{skipped} bytes that are not a WARC record skipped")
            pos += skipped
            continue
        head = bytearray(line)
        while (line := f.readline(1 << 16)) not in (b"\r\n", b"\n", b""):
            head += line
        length = 0
        for raw in bytes(head).split(b"\n"):
            name, _, value = raw.partition(b":")
            if name.strip().lower() == b"content-length" and value.strip().isdigit():
                # A length past any file (or of 4300 digits, which int() refuses) is a truncated record.
                digits = value.strip().lstrip(b"0") or b"0"
                length = int(digits) if len(digits) <= _MAX_LENGTH_DIGITS else 1 << 62
        size = os.fstat(f.fileno()).st_size
        # Never ask read() for more than the file holds: it allocates what it is asked for.
        data = bytes(head) + line + f.read(min(length + 4, max(size - f.tell(), 0)))
        if not line or len(data) < len(head) + len(line) + length + 4:
            yield Damage(pos, size - pos, f"truncated record ({size - pos} bytes): the file ends inside it",
                         truncated=True)
            return
        yield Member(pos, len(data), data, False)
        pos += len(data)
        line = f.readline(1 << 16)


def parse_record(data: bytes, pos: int = 0) -> tuple[ParsedRecord, int]:
    """Parse the record at ``data[pos:]``; return it and where the next one starts.

    Raises RecordFormatError (``offset`` relative to ``data``) when the record's extent
    cannot be known; softer faults go into ``problems``.
    """
    head_end = data.find(b"\r\n\r\n", pos)
    if head_end < 0:
        raise RecordFormatError("WARC header block is not terminated by an empty line", offset=pos)
    lines = data[pos:head_end].split(b"\r\n")
    version = _VERSIONS.get(lines[0])
    if version is None:
        raise RecordFormatError(f"not a WARC record: first line {lines[0][:40]!r}", offset=pos)
    headers: list[tuple[str, str]] = []
    first: dict[str, str] = {}
    problems: list[str] = []
    folded = False
    for number, raw in enumerate(lines[1:], start=2):
        name, sep, value = raw.partition(b":")
        known = _KNOWN.get(name) if sep else None
        if known is None:  # not a named field: the line may be folded or malformed
            if raw[:1] in (b" ", b"\t") and headers:  # obsolete line folding
                last_name, last_value = headers[-1]
                headers[-1] = (last_name, f"{last_value} {raw.strip().decode('utf-8', 'replace')}")
                folded = True
                continue
            if not sep or not name or _TOKEN_BAD.search(name):
                problems.append(f"malformed WARC header line {number}: {raw.decode('utf-8', 'replace')!r}")
                continue
            text = name.decode("ascii")
            known = text, text.lower()
        text = value.strip().decode("utf-8", "replace")
        headers.append((known[0], text))
        if known[1] not in first:
            first[known[1]] = text
    if folded:  # a continuation line may have lengthened a first value
        first = {}
        for key, text in headers:
            first.setdefault(key.lower(), text)
    _check_headers(first, problems)
    length_text = first.get("content-length")
    if length_text is None or not (length_text.isascii() and length_text.isdigit()):  # "²" is a digit to str
        raise RecordFormatError(f"Content-Length is missing or not a number: {length_text!r}", offset=pos)
    digits = length_text.lstrip("0") or "0"
    if len(digits) > _MAX_LENGTH_DIGITS:  # int() refuses 4300 digits; no block is that long anyway
        raise RecordFormatError(f"Content-Length of {len(digits)} digits but only {len(data) - head_end - 4} "
                                "bytes follow the header", offset=pos)
    start, length = head_end + 4, int(digits)
    block = data[start:start + length]
    if len(block) < length:
        raise RecordFormatError(f"Content-Length {length} but only {len(block)} bytes follow the header",
                                offset=pos)
    if data[start + length:start + length + 4] != b"\r\n\r\n":
        raise RecordFormatError(f"no CRLF CRLF after the Content-Length ({length}) bytes of the block: "
                                "Content-Length is wrong or the record is damaged", offset=pos)
    return ParsedRecord(version, headers, first, block, problems), start + length + 4


def _check_headers(first: dict[str, str], problems: list[str]) -> None:
    if not first.keys() >= _REQUIRED_KEYS:
        problems.extend(f"missing {name} header" for name in _REQUIRED if name.lower() not in first)
    date = first.get("warc-date")
    if date is not None and not WARC_DATE_RE.match(date):
        problems.append(f"WARC-Date is not a W3C-ISO8601 UTC date: {date!r}")
    record_id = first.get("warc-record-id")
    if record_id is not None and not (record_id.startswith("<") and record_id.endswith(">") and ":" in record_id):
        problems.append(f"WARC-Record-ID is not a <URI>: {record_id!r}")
