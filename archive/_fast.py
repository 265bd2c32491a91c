"""Gzip members read by FastWARC where that provably gives what :func:`archive._scan.scan` gives.

FastWARC (the optional ``fastwarc`` package) inflates and splits records in compiled code, about
three times faster than ``zlib`` and :func:`archive._scan.parse_record` in Python, but its reader
forgives what ``verify`` must report (a truncated last record, a malformed header line, junk
between records).  So it is trusted with nothing: each record it reads is rebuilt, byte for byte,
as the member our scanner would inflate (``WARC/1.x``, the headers as ``Name: value`` lines, the
block, CRLF CRLF), and is taken only if the gzip trailer the file holds where FastWARC's next
record starts (CRC-32 and length of the member's inflated bytes) is that of the rebuilt bytes.
Then the member runs from the record's offset to the next one's, it holds exactly the rebuilt
bytes, and :func:`parse_record` would read from them the headers built here (each header is also
checked to be one ``parse_record`` reads the same way: a token name, a value without surrounding
white space or line breaks, a numeric Content-Length equal to the block's length).

At the first record that fails any check, at the last record of the file (no next record to
bound it) or when FastWARC raises, the fast path stops at the last proven member boundary, and
the caller scans on from there with :func:`archive._scan.scan`, which carries no state across a
member boundary: the items, faults and offsets are those of a scan from the start.  The one way
the check can be fooled is a damaged member whose rebuilt bytes have the CRC-32 and length the
trailer records: the check ``zlib`` itself makes of every member.

``SPEECHCRAWL_ARCHIVE_FASTWARC=0`` in the environment, or FastWARC not installed, leaves every
file to the scanner.
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from archive._scan import _TOKEN_BAD, GZIP_MAGIC, Member, ParsedRecord, _check_headers

__all__ = ["enabled", "FastMembers"]

_TRAILER = struct.Struct("<II")
_SHORTEST_MEMBER = 20  # a gzip header, the least deflate data and the trailer
_NAMES: dict[str, str] = {}  # header names already checked to be tokens, and their lower case
_SPACE = " \t\x0b\x0c"  # what bytes.strip() removes, but line breaks (counted apart)


def enabled() -> bool:
    """Whether FastWARC is installed and not turned off (``SPEECHCRAWL_ARCHIVE_FASTWARC=0``)."""
    if os.environ.get("SPEECHCRAWL_ARCHIVE_FASTWARC", "1") == "0":
        return False
    try:
        import fastwarc.warc  # noqa: F401
    except ImportError:
        return False
    return True


class FastMembers:
    """Members of a gzip file from ``start``, each proven, up to the first doubt or ``end``.

    Iterate once.  Then ``stop`` is the offset of the first member at or after ``end`` when the
    fast path reached it (the window is done), else None and ``resume`` is the member boundary
    where the scanner must go on.
    """

    def __init__(self, f: BinaryIO, start: int, end: int | None) -> None:
        self.f, self.start, self.end = f, start, end
        self.resume = start
        self.stop: int | None = None

    def __iter__(self) -> Iterator[Member]:
        from fastwarc.warc import ArchiveIterator, is_warc_10, is_warc_11

        self.f.seek(self.start)
        with mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            size = len(mm)
            pending: tuple[int, ParsedRecord, int, int] | None = None  # offset, record, CRC-32 and size of its bytes
            try:
                for rec in ArchiveIterator(self.f, parse_http=False):
                    pos = rec.stream_pos
                    if pending is None:
                        if pos != self.start:
                            return
                    else:
                        # One gzip member from the record's offset to the next record's (no member starts
                        # in between), whose trailer is that of the rebuilt bytes.
                        offset, parsed, crc, length = pending
                        if (pos - offset < _SHORTEST_MEMBER or pos > size or mm.find(GZIP_MAGIC, offset + 1, pos) >= 0
                                or _TRAILER.unpack_from(mm, pos - 8) != (crc, length)):
                            return
                        yield Member(offset, pos - offset, b"", True, parsed)
                        self.resume, pending = pos, None
                        if self.end is not None and pos >= self.end:
                            self.stop = pos
                            return
                    version = "WARC/1.1" if is_warc_11(rec) else "WARC/1.0" if is_warc_10(rec) else None
                    if version is None:
                        return
                    headers = list(rec.headers.items())
                    block = rec.reader.read()
                    text = "".join([version, "\r\n", *[f"{name}: {value}\r\n" for name, value in headers], "\r\n"])
                    parsed_or_none = _parsed(version, headers, text, block)
                    if parsed_or_none is None:
                        return
                    # FastWARC decodes the headers; encoded again they must be the bytes on disk (the CRC says).
                    head = text.encode("utf-8")
                    crc = zlib.crc32(b"\r\n\r\n", zlib.crc32(block, zlib.crc32(head)))
                    pending = (pos, parsed_or_none, crc, (len(head) + len(block) + 4) & 0xFFFFFFFF)
            except Exception:  # noqa: BLE001 - whatever FastWARC cannot read, the scanner reports
                return


def _parsed(version: str, headers: list[tuple[str, str]], head: str, block: bytes) -> ParsedRecord | None:
    """The record parse_record reads from ``head`` and ``block``, or None where it might read them otherwise.

    ``head`` is the header block as rebuilt from ``headers``, its lines ``name: value``.
    """
    lines = len(headers) + 2
    if head.count("\n") != lines or head.count("\r") != lines:
        return None  # a line break inside a value
    first: dict[str, str] = {}
    for name, value in headers:
        low = _NAMES.get(name)
        if low is None:
            if not name or _TOKEN_BAD.search(name.encode("utf-8")):
                return None
            low = _NAMES[name] = name.lower()
        if value.strip(_SPACE) != value:
            return None  # parse_record would strip it
        first.setdefault(low, value)
    length = first.get("content-length")
    if length is None or not (length.isascii() and length.isdigit()) or int(length) != len(block):
        return None
    record = ParsedRecord(version, headers, block, _first=first)
    _check_headers(record)
    return record
