"""Undo HTTP Content-Encoding on archived payloads, with a cap on the decoded size.

The WARC keeps bodies exactly as they came off the wire, so anything that wants the
text (reprocess, replay checks) decodes here.  Scrapy advertises ``br`` and ``zstd``
when their modules are installed, so those are decoded too, with modules imported only
when such a payload turns up: the archive package itself needs neither.  The size cap
stops one hostile page (a gzip bomb) from exhausting memory during a reprocess.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
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
                payload = _unbrotli(payload, max_size)
            elif coding == "zstd":
                payload = _unzstd(payload, max_size)
            elif coding != "identity":
                raise ArchiveError(f"cannot decode Content-Encoding {coding!r}")
        except (zlib.error, _CorruptError) as exc:
            raise ArchiveError(f"payload is not valid {coding} data: {exc}") from exc
        if len(payload) > max_size:
            raise ArchiveError(f"decoded payload exceeds {max_size} bytes; refusing ({coding} bomb?)")
    return payload


def _inflate(data: bytes, wbits: int, max_size: int, *, members: bool = False) -> bytes:
    return _frames(lambda: zlib.decompressobj(wbits), data, max_size, members=members)


def _frames(new: Callable[[], Any], data: bytes, max_size: int, *, members: bool = True) -> bytes:
    """Decode ``data`` with a fresh ``new()`` decompressor (zlib's or zstd's: one API) per member or frame,
    never holding more than ``max_size`` + 1 bytes of output."""
    out: list[bytes] = []
    total = 0
    while data:
        d = new()
        chunk = d.decompress(data, max_size + 1 - total)
        total += len(chunk)
        out.append(chunk)
        if total > max_size:
            raise ArchiveError(f"decoded payload exceeds {max_size} bytes; refusing (compression bomb?)")
        if not d.eof:
            raise _CorruptError("compressed stream ends early")
        # Some servers concatenate gzip members; pad bytes after the last one are ignored.
        data = d.unused_data.lstrip(b"\x00") if members else b""
    return b"".join(out)


class _CorruptError(Exception):
    """A br or zstd body that does not decode (each module raises its own error)."""


def _unbrotli(data: bytes, max_size: int) -> bytes:
    """Brotli-decode ``data``, never holding more than ``max_size`` + 1 bytes of output."""
    brotli = _module("brotli", "brotlicffi")
    d = brotli.Decompressor()
    try:
        if not hasattr(d, "can_accept_more_data"):  # before brotli 1.2 output cannot be bounded: checked after
            return bytes(brotli.decompress(data))
        out = [d.process(data, output_buffer_limit=max_size + 1)]
        total = len(out[0])
        while total <= max_size and not d.is_finished() and (
                chunk := d.process(b"", output_buffer_limit=max_size + 1 - total)):
            out.append(chunk)
            total += len(chunk)
    except brotli.error as exc:
        raise _CorruptError(exc) from exc
    if total > max_size:
        raise ArchiveError(f"decoded payload exceeds {max_size} bytes; refusing (br bomb?)")
    if not d.is_finished():
        raise _CorruptError("compressed stream ends early")
    return b"".join(out)


def _unzstd(data: bytes, max_size: int) -> bytes:
    """Zstandard-decode ``data``, its frames in turn."""
    zstd = _zstd()
    try:
        return _frames(zstd.ZstdDecompressor, data, max_size)
    except zstd.ZstdError as exc:
        raise _CorruptError(exc) from exc


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
