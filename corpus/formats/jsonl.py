"""Stream records to JSON Lines, plain, gzip or zstd, without holding the corpus in memory.

Exports are what researchers cite, so two properties matter more than speed: a file
under its final name is always complete (it is written as ``<name>.part`` and renamed
at the end), and compressed output is byte-reproducible (no timestamp or file name in
the gzip header; zstd frames carry none), so the same records give the same file and
the same checksum.  zstd needs the ``zstandard`` package, imported only when asked for,
so that this package still imports with nothing but the standard library and warcio.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Literal, cast

from archive.exceptions import ArchiveError
from archive.files import replaced_when_done

__all__ = ["write_jsonl", "Compression", "compression_for"]

Compression = Literal["none", "gzip", "zstd"]
_SUFFIXES: dict[str, Compression] = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}


def compression_for(path: Path) -> Compression:
    """The compression a file name asks for: ``.gz`` gzip, ``.zst`` zstd, anything else none."""
    return _SUFFIXES.get(path.suffix.lower(), "none")


def write_jsonl(records: Iterable[Mapping[str, object]], out: Path | IO[str] | IO[bytes],
                compress: Compression = "none") -> int:
    """Write one JSON object per line (UTF-8, ``ensure_ascii=False``); return how many.

    ``out`` is a path (written atomically) or an open stream: a text stream for
    ``compress="none"``, a binary one for either.  A record that is not
    JSON-serialisable raises ArchiveError naming its line, and a path target is left
    untouched.
    """
    if compress not in ("none", "gzip", "zstd"):
        raise ArchiveError(f"unknown compression {compress!r} (none, gzip, zstd)")
    if isinstance(out, Path):
        with replaced_when_done(out) as part, part.open("wb") as raw:
            return _write_binary(records, raw, compress)
    if isinstance(out, io.TextIOBase):
        if compress != "none":
            raise ArchiveError(f"{compress} output needs a binary stream or a path, not a text stream")
        return _write_lines(records, out)
    return _write_binary(records, cast("IO[bytes]", out), compress)


def _write_binary(records: Iterable[Mapping[str, object]], raw: IO[bytes], compress: Compression) -> int:
    if compress == "gzip":
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            return _write_text(records, gz)
    if compress == "zstd":
        with _zstd_writer(raw) as zst:
            return _write_text(records, zst)
    return _write_text(records, raw)


def _zstd_writer(raw: IO[bytes]) -> IO[bytes]:
    """A zstd stream onto ``raw`` that leaves ``raw`` open when closed (checksummed frames)."""
    try:
        import zstandard
    except ImportError as exc:
        raise ArchiveError("zstd output needs the zstandard package: pip install zstandard") from exc
    compressor = zstandard.ZstdCompressor(level=10, write_checksum=True)
    return cast("IO[bytes]", compressor.stream_writer(raw, closefd=False))


def _write_text(records: Iterable[Mapping[str, object]], raw: IO[bytes] | gzip.GzipFile) -> int:
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n", write_through=False)
    try:
        return _write_lines(records, text)
    finally:
        text.flush()
        text.detach()  # leave the caller's stream open


def _write_lines(records: Iterable[Mapping[str, object]], out: IO[str]) -> int:
    count = 0
    for count, record in enumerate(records, start=1):
        try:
            line = json.dumps(record, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise ArchiveError(f"record {count} cannot be written as JSON: {exc}") from exc
        out.write(line + "\n")  # one call: TextIOWrapper.write costs more than the copy
    return count
