"""verify and index on several processes give exactly what one reader gives, on damaged files too.

The files are the fixtures of tests/data/warc joined and damaged at many places; pieces of a
few KB make every file many windows, so cut points fall inside records, inside damage and on
member starts alike.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from archive._format import record_member
from archive._parallel import Plan
from archive.cdxj import _index_window, write_cdxj
from archive.exceptions import ArchiveError
from archive.verify import FileReport, verify_paths

DATA = Path(__file__).parent / "data" / "warc"
ONE_WINDOW = 1 << 40
PIECE = 3000


def _fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def damaged_files(tmp_path: Path) -> Iterator[Path]:
    good = _fixture("good.warc.gz") * 12
    yield _write(tmp_path / "joined.warc.gz", good)
    for at in (137, 3001, 9000, 20011, 33333):  # overwritten bytes: corrupt members, some cut points inside
        yield _write(tmp_path / f"overwritten-{at}.warc.gz", good[:at] + b"\x00" * 300 + good[at + 300:])
    # garbage holding a gzip magic that starts no member, between good members
    garbage = (b"junk \x1f\x8b\x08 more junk " * 200)
    yield _write(tmp_path / "garbage.warc.gz", good[:15458] + garbage + good[15458:])
    # the other fixtures in the middle: a bad digest, a malformed header line, a cut record, a member of many records
    middle = _fixture("bad-digest.warc.gz") + _fixture("bad-header.warc.gz") + _fixture("truncated.warc.gz")
    yield _write(tmp_path / "fixtures.warc.gz", good + middle + good + _fixture("non-chunked.warc.gz") + good)
    yield _write(tmp_path / "truncated-tail.warc.gz", good + _fixture("truncated.warc.gz"))
    # a record stored uncompressed (level 0) whose payload is a gzip WARC: member starts that are not records
    yield _write(tmp_path / "stored.warc.gz", good + _stored(good) + good)
    # bytes that are not gzip right where the first 64 KiB read ends (one byte into them): the message
    # must not depend on where a read ended
    n = 65535 - len(good) - len(_stored(b""))
    while len(good) + len(_stored(b"x" * n)) > 65535:  # Content-Length's digits and the stored blocks' heads
        n -= 1
    head = good + _stored(b"x" * n)
    assert len(head) == 65535
    yield _write(tmp_path / "not-gzip-at-read-end.warc.gz", head + b"\x1fZ not gzip " * 20 + good)


def _stored(block: bytes) -> bytes:
    """A resource record holding ``block``, compressed at level 0 so its bytes show as they are."""
    headers = [("WARC-Type", "resource"), ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000001>"),
               ("WARC-Date", "2024-05-01T08:30:00Z"), ("WARC-Target-URI", "http://site.test/stored.warc.gz")]
    return record_member(headers, "application/octet-stream", [block], None, 0)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _report(report: FileReport) -> tuple[object, ...]:
    return (report.path, report.size, report.records, report.faults, report.valid_end, report.valid_records,
            report.members_end, report.starts_like_warc)


def test_files_are_read_in_many_windows(tmp_path: Path) -> None:
    for path in damaged_files(tmp_path):
        plan = Plan(path, partial(_index_window, name=path.name), None, PIECE)
        assert len(plan.tasks) > 10, path.name


def test_verify_reports_are_the_same_with_workers(tmp_path: Path) -> None:
    files = list(damaged_files(tmp_path))
    alone = [_report(r) for r in verify_paths(files, workers=1, piece=ONE_WINDOW)]
    assert {r[0].name for r in alone if not r[3]} == {"joined.warc.gz", "stored.warc.gz"}  # the others have faults
    assert [_report(r) for r in verify_paths(files, workers=2, piece=PIECE)] == alone
    assert [_report(r) for r in verify_paths(files, workers=1, piece=PIECE)] == alone


def test_index_is_byte_identical_with_workers(tmp_path: Path) -> None:
    # not these two: the first does not start with a WARC record, the second holds a non-chunked member
    files = [p for p in damaged_files(tmp_path) if p.name not in ("overwritten-137.warc.gz", "fixtures.warc.gz")]
    alone, parallel = io.StringIO(), io.StringIO()
    count = write_cdxj(files, alone, workers=1, piece=ONE_WINDOW)
    assert write_cdxj(files, parallel, workers=2, piece=PIECE) == count > 100
    assert parallel.getvalue() == alone.getvalue()


def test_index_refuses_a_file_that_is_not_record_chunked_with_workers(tmp_path: Path) -> None:
    path = next(p for p in damaged_files(tmp_path) if p.name == "fixtures.warc.gz")
    with pytest.raises(ArchiveError) as alone:
        write_cdxj([path], io.StringIO(), workers=1, piece=ONE_WINDOW)
    with pytest.raises(ArchiveError) as parallel:
        write_cdxj([path], io.StringIO(), workers=2, piece=PIECE)
    assert str(parallel.value) == str(alone.value)
    assert "not record-chunked" in str(alone.value)
