"""Byte-level WARC/1.1 formatting and digests shared by the writer, the reader and verify.

Kept apart from the writer so ``verify`` computes digests with exactly the code that
wrote them, and so the formatting rules (what is escaped, how headers are encoded)
are written down once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

from archive.exceptions import ArchiveError

FAST_ZLIB: ModuleType = zlib
"""zlib's API, with zlib-ng's code where its wheel is installed (a dependency): standard gzip members,
written with 40 % and read with a third less CPU than the standard library's zlib (docs/benchmarks.md)."""
try:
    from zlib_ng import zlib_ng as FAST_ZLIB
except ImportError:  # pragma: no cover - a platform without its wheel writes and reads with the standard library
    pass

ONE_SHOT: ModuleType | None = None
"""libdeflate (PyPI ``deflate``, a dependency): deflates a whole record in one call, with half the CPU of zlib-ng
at a size within 1-2 % (docs/benchmarks.md, "Issue 20, sixth pass").  None where its wheel is missing."""
try:
    import deflate as ONE_SHOT
except ImportError:  # pragma: no cover - a platform without its wheel deflates every record with FAST_ZLIB
    pass

ONE_SHOT_MAX = 4 * 1024 * 1024
"""Records up to this size go to :data:`ONE_SHOT`, which needs the record in one piece; a larger block is
streamed through :data:`FAST_ZLIB` in its parts, so a large body is never copied."""

__all__ = [
    "http_request_head", "http_response_head", "json_block", "record_member", "sha1_digest",
    "uri_for_header", "warc_date", "warc_fields", "digest_of", "WARC_DATE_RE",
]

_CTL = re.compile(r"[\x00-\x20\x7f]")
_CRLF = re.compile(r"[\r\n]+")
# Dropped from recorded response headers: the body we are given is already de-chunked.
_DROP_RESPONSE = frozenset({"transfer-encoding"})
WARC_DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$")


def sha1_digest(data: bytes) -> str:
    """WARC's customary digest form: ``sha1:`` + base32 of the raw SHA-1."""
    return "sha1:" + _base32(hashlib.sha1(data).digest())


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # the two characters of every 10 bits
_SHIFTS_160 = tuple(range(150, -1, -10))


def _base32(raw: bytes) -> str:
    """RFC 4648 base32 of a digest; a SHA-1's 160 bits as 16 table lookups, twice as fast as
    ``base64.b32encode`` (a Python loop), which the writer calls four times a page."""
    if len(raw) != 20:
        return base64.b32encode(raw).decode("ascii")
    n = int.from_bytes(raw, "big")
    return "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in _SHIFTS_160])


# RFC 4648 base32 (A-Z2-7) -> the digits int() reads in base 32 (0-9A-V): decoding a digest
# with int() runs in C, where base64.b32decode is a Python loop (it was a sixth of verify's time).
# bytes.translate is one table lookup a byte where str.translate looks each character up in a dict
# (four times slower); non-ASCII text keeps the str table, so int() still reads what it always read.
_HEX = re.compile(r"[0-9a-fA-F]+")
_B32_TO_INT = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV")
_B32_TO_INT_BYTES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHIJKLMNOPQRSTUV")


def _declared(value: str, size: int) -> int | None:
    """The digest a header declares (base32 or hex of ``size`` bytes) as an integer; None if unreadable."""
    if len(value) == 2 * size and _HEX.fullmatch(value):  # a padded base32 can have the same length
        return int(value, 16)
    chars = value.rstrip("=").upper()
    extra = 5 * len(chars) - 8 * size
    if not 0 <= extra < 5:
        return None
    try:
        digits = chars.encode("ascii").translate(_B32_TO_INT_BYTES) if chars.isascii() else chars.translate(_B32_TO_INT)
        return int(digits, 32) >> extra
    except ValueError:
        return None


def digest_of(spec: str, parts: Iterable[bytes | memoryview]) -> tuple[str, bool]:
    """Recompute a digest in the form ``spec`` declares; return (computed, matches).

    Accepts base32 (the WARC custom) and hex (some tools write it), any hashlib algorithm.
    Raises ArchiveError for a digest that cannot be checked at all.
    """
    algo, sep, value = spec.partition(":")
    if not sep or not value:
        raise ArchiveError(f"malformed digest {spec!r} (expected ALGORITHM:VALUE)")
    try:
        # hashlib.sha1 itself: hashlib.new costs as much again as hashing a small record
        h = hashlib.sha1() if algo in ("sha1", "SHA1") else hashlib.new(algo.lower())
    except ValueError:
        raise ArchiveError(f"unsupported digest algorithm {algo!r}") from None
    if not h.digest_size:  # shake_128, shake_256: no length of their own, so nothing to compare with
        raise ArchiveError(f"unsupported digest algorithm {algo!r}")
    for part in parts:
        h.update(part)
    raw = h.digest()
    ok = _declared(value, len(raw)) == int.from_bytes(raw, "big")
    return (spec if ok else f"{algo}:{base64.b32encode(raw).decode('ascii')}"), ok


def warc_date(dt: datetime) -> str:
    """WARC/1.1 date with microseconds, so two fetches of a URL in one second stay ordered.

    Through ``isoformat``: a third faster than ``strftime`` (the writer dates every record), and it pads a year
    before 1000 to the four digits WARC-Date needs, which ``%Y`` does not on every platform."""
    if dt.tzinfo is not UTC:
        dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.isoformat(timespec="microseconds")[:26] + "Z"


def uri_for_header(uri: str) -> str:
    """The URI unchanged except for control characters and spaces, which would break the header."""
    return _CTL.sub(lambda m: f"%{ord(m.group()):02X}", uri) if _CTL.search(uri) else uri


def last_header(headers: Iterable[tuple[str, str]], name: str) -> str:
    """The value of the last ``name`` header (lower case) among ``headers``; '' when there is none."""
    return ([v for k, v in headers if k.lower() == name] or [""])[-1]


def content_type_of(headers: Iterable[tuple[str, str]]) -> str:
    """The last ``Content-Type`` among ``headers`` ('' when there is none): what a fetch read back from the
    archive, a response's or a re-check's, records as its content type."""
    return last_header(headers, "content-type")


def _one_line(value: str) -> str:
    return _CRLF.sub(" ", value) if ("\r" in value or "\n" in value) else value


def _joined(lines: Sequence[str], end: str) -> str:
    """``lines`` each ended by CRLF, then ``end``; a CR or LF inside a line (it would end the header there and
    start another) is turned into a space.  Checked on the joined text, once, not line by line: the writer
    builds three heads a page, and hardly ever finds one."""
    text = "\r\n".join(lines) + "\r\n" + end
    breaks = len(lines) + end.count("\n")
    if text.count("\n") != breaks or text.count("\r") != breaks:
        text = "\r\n".join([_one_line(line) for line in lines]) + "\r\n" + end
    return text


def _encode_head(lines: Sequence[str]) -> bytes:
    """HTTP headers are bytes decoded as latin-1 upstream; encode them back the same way."""
    text = _joined(lines, "\r\n")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        # Only a caller that built headers from real text gets here; keep it readable.
        return b"\r\n".join(_latin1_or_utf8(line) for line in text.split("\r\n")[:-2]) + b"\r\n\r\n"


def _latin1_or_utf8(line: str) -> bytes:
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")


def _header_lines(headers: Iterable[tuple[str, str]], drop: frozenset[str] = frozenset()) -> list[str]:
    if not drop:
        return [f"{k}: {v}" for k, v in headers]
    return [f"{k}: {v}" for k, v in headers if k.lower() not in drop]


def http_request_head(method: str, url: str, protocol: str, headers: Iterable[tuple[str, str]]) -> bytes:
    parts = urlsplit(url)
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return _encode_head([f"{method} {uri_for_header(target)} {protocol}", *_header_lines(headers)])


def http_response_head(protocol: str, status: int, reason: str, headers: Iterable[tuple[str, str]]) -> bytes:
    # RFC 9112 keeps the space before an empty reason phrase.
    return _encode_head([f"{protocol} {status} {reason}", *_header_lines(headers, _DROP_RESPONSE)])


def warc_fields(fields: Iterable[tuple[str, str]]) -> bytes:
    lines = [f"{k}: {v}" for k, v in fields]
    return _joined(lines, "").encode("utf-8") if lines else b""


def json_block(payload: Mapping[str, object], target_uri: str) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"metadata for {target_uri} is not JSON-serialisable: {exc}") from exc


def record_member(headers: Sequence[tuple[str, str]], content_type: str, parts: Sequence[bytes],
                  payload_digest: str | None, compresslevel: int, *, block_is_payload: bool = False,
                  store_from: int | None = None) -> bytes:
    """One complete record as one gzip member: headers, digests, block, CRLF CRLF.

    ``compresslevel`` (1-9) is libdeflate's level for a record of up to :data:`ONE_SHOT_MAX` bytes, zlib's for a
    larger one (at least 2 there: zlib-ng's level 1 is another method, a quarter larger on web pages).
    ``block_is_payload``: the whole block is the payload (a metadata record), so ``payload_digest`` is also the
    block's, and the block is not hashed a second time.
    ``store_from``: the parts from this index on are compressed already (a gzip or Brotli body, a JPEG): they
    are stored in the member as they are (:func:`_stored_member`), not deflated again for nothing.
    """
    length = sum(len(part) for part in parts)
    if block_is_payload and payload_digest is not None and payload_digest.startswith("sha1:"):
        block_digest = payload_digest
    else:
        h = hashlib.sha1()
        for part in parts:
            h.update(part)
        block_digest = "sha1:" + _base32(h.digest())
    fields = [*headers, ("WARC-Block-Digest", block_digest)]
    if payload_digest is not None:
        fields.append(("WARC-Payload-Digest", payload_digest))
    fields += [("Content-Type", content_type), ("Content-Length", str(length))]
    head = _joined(["WARC/1.1", *[f"{k}: {v}" for k, v in fields]], "\r\n").encode("utf-8")
    if store_from is not None and sum(len(part) for part in parts[store_from:]) >= STORE_MIN:
        return _stored_member([head, *parts[:store_from]], [*parts[store_from:], b"\r\n\r\n"], compresslevel)
    if ONE_SHOT is not None and length <= ONE_SHOT_MAX:
        return bytes(ONE_SHOT.gzip_compress(b"".join([head, *parts, b"\r\n\r\n"]), compresslevel))
    comp = FAST_ZLIB.compressobj(max(compresslevel, 2), FAST_ZLIB.DEFLATED, 31)
    out = [comp.compress(head)]
    out.extend(comp.compress(part) for part in parts)
    out.append(comp.compress(b"\r\n\r\n"))
    out.append(comp.flush())
    return b"".join(out)


STORE_MIN = 512
"""A compressed body shorter than this is deflated with the rest of its record: storing saves nothing there."""
_GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""A gzip member header (RFC 1952): deflate, no flags, no time, no extra flags, operating system unknown."""
_STORED_MAX = 0xFFFF


def _stored_member(deflated: Sequence[bytes], stored: Sequence[bytes], compresslevel: int) -> bytes:
    """One gzip member: ``deflated`` compressed, then ``stored`` in stored blocks (RFC 1951, 3.2.4).

    Bytes compressed already (an HTTP body in gzip or Brotli, as the crawler archives it, a JPEG) take six times
    as long to deflate as to store, and deflating saves nothing (the sandbox's pages gzipped: 37.5 against 6 µs,
    5,403 against 5,404 bytes; docs/benchmarks.md).  The head is deflated and flushed to a byte boundary (a sync
    flush, not final), and the rest follows as stored blocks, the last one final: one standard deflate stream,
    which any inflater reads.  A server that says gzip and sends plain text only costs the archive some bytes.
    """
    comp = FAST_ZLIB.compressobj(max(compresslevel, 2), FAST_ZLIB.DEFLATED, -15)
    out: list[bytes | memoryview] = [_GZIP_HEAD]
    crc, size = 0, 0
    for part in deflated:
        out.append(comp.compress(part))
        crc, size = zlib.crc32(part, crc), size + len(part)
    out.append(comp.flush(FAST_ZLIB.Z_SYNC_FLUSH))
    pieces = [view[i:i + _STORED_MAX] for part in stored for view in (memoryview(part),)
              for i in range(0, len(view), _STORED_MAX)]
    for n, piece in enumerate(pieces, start=1):
        out.append(struct.pack("<BHH", n == len(pieces), len(piece), len(piece) ^ 0xFFFF))
        out.append(piece)
        crc, size = zlib.crc32(piece, crc), size + len(piece)
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)
