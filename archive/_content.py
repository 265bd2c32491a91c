"""Undo HTTP Content-Encoding on archived payloads, with a cap on the decoded size.

The WARC keeps bodies exactly as they came off the wire, so anything that wants the
text (reprocess, replay checks) decodes here.  Scrapy advertises ``br`` and ``zstd``
when their modules are installed, so those are decoded too, with modules imported only
when such a payload turns up: the archive package itself needs neither.  The size cap
stops one hostile page (a gzip bomb) from exhausting memory during a reprocess.
"""

from __future__ import annotations

import zlib
from typing import Any

from archive.exceptions import ArchiveError

__all__ = ["decode_content", "MAX_DECODED_SIZE"]

MAX_DECODED_SIZE = 256 * 1024 * 1024


def decode_content(payload: bytes, content_encoding: str | None, *, max_size: int = MAX_DECODED_SIZE) -> bytes:
    """Decode ``payload`` per a Content-Encoding header value (last coding first)."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        try:
            if coding in ("gzip", "x-gzip"):
                payload = _inflate(payload, 31, max_size, members=True)
            elif coding == "deflate":  # zlib-wrapped per RFC 9110, raw deflate in the wild
                payload = _inflate(payload, 15 if payload[:1] == b"\x78" else -15, max_size)
            elif coding == "br":
                payload = _module("brotli", "brotlicffi").decompress(payload)
            elif coding == "zstd":
                payload = _zstd().decompress(payload)
            elif coding != "identity":
                raise ArchiveError(f"cannot decode Content-Encoding {coding!r}")
        except zlib.error as exc:
            raise ArchiveError(f"payload is not valid {coding} data: {exc}") from exc
        if len(payload) > max_size:
            raise ArchiveError(f"decoded payload exceeds {max_size} bytes; refusing ({coding} bomb?)")
    return payload


def _inflate(data: bytes, wbits: int, max_size: int, *, members: bool = False) -> bytes:
    out: list[bytes] = []
    total = 0
    while data:
        d = zlib.decompressobj(wbits)
        chunk = d.decompress(data, max_size + 1 - total)
        total += len(chunk)
        out.append(chunk)
        if total > max_size:
            raise ArchiveError(f"decoded payload exceeds {max_size} bytes; refusing (compression bomb?)")
        if not d.eof:
            raise zlib.error("compressed stream ends early")
        # Some servers concatenate gzip members; pad bytes after the last one are ignored.
        data = d.unused_data.lstrip(b"\x00") if members else b""
    return b"".join(out)


def _module(*names: str) -> Any:
    for name in names:
        try:
            return __import__(name)
        except ImportError:
            continue
    raise ArchiveError(f"cannot decode this payload: install {names[0]}")


def _zstd() -> Any:
    try:
        from compression import zstd  # Python 3.14+
    except ImportError:
        try:
            from backports import zstd
        except ImportError:
            raise ArchiveError("cannot decode zstd payload: install backports.zstd (Python < 3.14)") from None
    return zstd
