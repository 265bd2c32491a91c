"""write_jsonl: streaming, UTF-8 as is, reproducible gzip, nothing half-written under the final name."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.exceptions import ArchiveError
from corpus.formats.jsonl import write_jsonl

RECORDS = [{"id": "a1", "title": "在全市大会上的讲话", "masks": [{"original": "******", "offset": 3}]},
           {"id": "a2", "title": None, "part": {"index": 3, "label": "篇三"}}]


def test_plain_file(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert write_jsonl(iter(RECORDS), out) == 2
    text = out.read_text(encoding="utf-8")
    assert "在全市大会上的讲话" in text, "ensure_ascii=False: researchers read the Chinese as is"
    assert [json.loads(line) for line in text.splitlines()] == RECORDS
    assert text.endswith("\n") and not (tmp_path / "corpus.jsonl.part").exists()


def test_gzip_file_is_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    write_jsonl(RECORDS, a, compress="gzip")
    write_jsonl(RECORDS, b, compress="gzip")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert [json.loads(line) for line in gzip.decompress(a.read_bytes()).splitlines()] == RECORDS


def test_streams(tmp_path: Path) -> None:
    text = io.StringIO()
    assert write_jsonl(RECORDS, text) == 2
    binary = io.BytesIO()
    assert write_jsonl(RECORDS, binary, compress="gzip") == 2
    assert not binary.closed, "the caller's stream stays open"
    assert gzip.decompress(binary.getvalue()).decode() == text.getvalue()
    with pytest.raises(ArchiveError, match="binary stream"):
        write_jsonl(RECORDS, io.StringIO(), compress="gzip")
    assert write_jsonl([], io.StringIO()) == 0


def test_a_failure_leaves_the_old_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    out.write_text("previous export\n")

    def records() -> Iterator[dict[str, object]]:
        yield RECORDS[0]
        yield {"fetched_at": datetime(2024, 1, 1, tzinfo=UTC)}

    with pytest.raises(ArchiveError, match="record 2 cannot be written as JSON"):
        write_jsonl(records(), out)
    assert out.read_text() == "previous export\n" and list(tmp_path.iterdir()) == [out]
    with pytest.raises(ArchiveError, match="unknown compression"):
        write_jsonl(RECORDS, out, compress="zip")  # type: ignore[arg-type]


def test_streams_records_lazily(tmp_path: Path) -> None:
    part = tmp_path / "big.jsonl.part"
    written_midway = []

    def records() -> Iterator[dict[str, object]]:
        for i in range(100_000):
            if i == 50_000:
                written_midway.append(part.stat().st_size)
            yield {"i": i, "text": "讲话"}

    assert write_jsonl(records(), tmp_path / "big.jsonl") == 100_000
    assert written_midway[0] > 500_000, "lines reach the disk while records are still being produced"


def test_zstd_file_is_reproducible_and_named_by_suffix(tmp_path: Path) -> None:
    import zstandard

    from corpus.formats.jsonl import compression_for

    a, b = tmp_path / "a.jsonl.zst", tmp_path / "b.jsonl.zst"
    write_jsonl(RECORDS, a, compress=compression_for(a))
    write_jsonl(RECORDS, b, compress="zstd")
    assert a.read_bytes() == b.read_bytes()
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(a.read_bytes())) as reader:
        assert [json.loads(line) for line in reader.read().splitlines()] == RECORDS
    assert [compression_for(Path(n)) for n in ("x.jsonl", "x.jsonl.gz", "x.JSONL.ZST", "x.zstd")] == [
        "none", "gzip", "zstd", "zstd"]
    with pytest.raises(ArchiveError, match="zstd output needs a binary stream"):
        write_jsonl(RECORDS, io.StringIO(), compress="zstd")
