"""The FastWARC path (archive._fast) gives what the scanner gives, on good files and on damage of every kind.

Each damaged file is verified and indexed twice, with FastWARC and with it turned off
(``SPEECHCRAWL_ARCHIVE_FASTWARC=0``), in one window and in windows of a few KB; the reports,
index lines, warnings and errors must be equal.  The damage is made at the gzip level (cuts,
flipped and overwritten bytes, members split or joined) and inside members recompressed whole,
where the gzip trailer is right and only the rebuilt-record check can catch it (header lines
FastWARC reads otherwise, line breaks, white space, Content-Length, versions, encodings).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from archive import _fast
from archive._parallel import Plan, Window
from archive._scan import Member
from archive.cdxj import _index_window, write_cdxj
from archive.exceptions import ArchiveError
from archive.verify import FileReport, verify_paths
from tests import gzip_members

pytest.importorskip("fastwarc")

DATA = Path(__file__).parent / "data" / "warc"
PIECE = 3000
ONE_WINDOW = 1 << 40


GOOD = (DATA / "good.warc.gz").read_bytes()
RECORDS = gzip_members(GOOD)  # warcinfo, then request/response pairs and metadata records


def _member(content: bytes) -> bytes:
    return gzip.compress(content, mtime=0)


def _file(records: list[bytes]) -> bytes:
    return b"".join(_member(r) for r in records)


# Changes to one record's content, recompressed: the gzip layer is sound, the record may not be.
EDITS: dict[str, Callable[[bytes], bytes]] = {
    "no space after colon": lambda r: r.replace(b"WARC-Type: ", b"WARC-Type:", 1),
    "two spaces after colon": lambda r: r.replace(b"WARC-Type: ", b"WARC-Type:  ", 1),
    "tab after colon": lambda r: r.replace(b"WARC-Type: ", b"WARC-Type: \t", 1),
    "trailing space": lambda r: r.replace(b"\r\nWARC-Date", b" \r\nWARC-Date", 1),
    "trailing vertical tab": lambda r: r.replace(b"\r\nWARC-Date", b"\x0b\r\nWARC-Date", 1),
    "tab inside a value": lambda r: r.replace(b"WARC-Record-ID: <urn:", b"WARC-Record-ID: <urn:\t", 1),
    "bare LF after version": lambda r: r.replace(b"WARC/1.1\r\n", b"WARC/1.1\n", 1),
    "bare LF inside the head": lambda r: r.replace(b"\r\nWARC-Date", b"\nWARC-Date", 1),
    "bare CR inside a value": lambda r: r.replace(b"WARC-Record-ID: <urn:", b"WARC-Record-ID: <u\rrn:", 1),
    "malformed line": lambda r: r.replace(b"\r\nWARC-Date", b"\r\nNo colon here\r\nWARC-Date", 1),
    "name with a space": lambda r: r.replace(b"WARC-Date:", b"WARC Date:", 1),
    "empty name": lambda r: r.replace(b"\r\nWARC-Date", b"\r\n: nameless\r\nWARC-Date", 1),
    "folded line": lambda r: r.replace(b"\r\nWARC-Date", b"\r\n  folded on\r\nWARC-Date", 1),
    "lower-case names": lambda r: r.replace(b"Content-Length:", b"content-length:", 1),
    "empty value": lambda r: r.replace(b"\r\nWARC-Date", b"\r\nX-Empty: \r\nWARC-Date", 1),
    "empty value without space": lambda r: r.replace(b"\r\nWARC-Date", b"\r\nX-Empty:\r\nWARC-Date", 1),
    "UTF-8 value": lambda r: r.replace(b"\r\nWARC-Date", "\r\nX-Title: 讲话稿\r\nWARC-Date".encode(), 1),
    "invalid UTF-8 value": lambda r: r.replace(b"\r\nWARC-Date", b"\r\nX-Title: \xff\xfe bad\r\nWARC-Date", 1),
    "Latin-1 name": lambda r: r.replace(b"\r\nWARC-Date", b"\r\nX-T\xe9tle: x\r\nWARC-Date", 1),
    "duplicate Content-Length, first wrong": lambda r: r.replace(b"Content-Length:", b"Content-Length: 3\r\n"
                                                                 b"Content-Length:", 1),
    "duplicate Content-Length, second wrong": lambda r: r.replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\n", 1),
    "Content-Length + 1": lambda r: _length(r, 1),
    "Content-Length - 1": lambda r: _length(r, -1),
    "Content-Length not a number": lambda r: r.replace(b"Content-Length: ", b"Content-Length: x", 1),
    "Content-Length with a sign": lambda r: r.replace(b"Content-Length: ", b"Content-Length: +", 1),
    "Content-Length in full-width digits": lambda r: _full_width_length(r),
    "no Content-Length": lambda r: _drop_line(r, b"Content-Length:"),
    "no WARC-Date": lambda r: _drop_line(r, b"WARC-Date:"),
    "no WARC-Type": lambda r: _drop_line(r, b"WARC-Type:"),
    "bad WARC-Date": lambda r: r.replace(b"WARC-Date: 2024", b"WARC-Date: 24", 1),
    "bad Record-ID": lambda r: r.replace(b"WARC-Record-ID: <", b"WARC-Record-ID: ", 1),
    "unknown type": lambda r: r.replace(b"WARC-Type: ", b"WARC-Type: x-", 1),
    "WARC/1.0": lambda r: r.replace(b"WARC/1.1", b"WARC/1.0", 1),
    "WARC/0.17": lambda r: r.replace(b"WARC/1.1", b"WARC/0.17", 1),
    "version with a space": lambda r: r.replace(b"WARC/1.1", b"WARC/1.1 ", 1),
    "lower-case version": lambda r: r.replace(b"WARC/1.1", b"warc/1.1", 1),
    "no blank line after head": lambda r: r.replace(b"\r\n\r\n", b"\r\n", 1),
    "one CRLF at the end": lambda r: r[:-2],
    "no CRLF at the end": lambda r: r[:-4],
    "LF LF at the end": lambda r: r[:-4] + b"\n\n",
    "bytes after the record": lambda r: r + b"junk",
    "CRLF after the record": lambda r: r + b"\r\n",
    "two records in one member": lambda r: r + r,
    "flipped block byte": lambda r: r[:-10] + bytes([r[-10] ^ 1]) + r[-9:],
    "empty record": lambda r: b"",
    "only a version line": lambda r: b"WARC/1.1\r\n",
}


def _length(record: bytes, delta: int) -> bytes:
    head, _, rest = record.partition(b"Content-Length: ")
    digits, _, tail = rest.partition(b"\r\n")
    return head + b"Content-Length: " + str(int(digits) + delta).encode() + b"\r\n" + tail


def _full_width_length(record: bytes) -> bytes:
    head, _, rest = record.partition(b"Content-Length: ")
    digits, _, tail = rest.partition(b"\r\n")
    wide = "".join(chr(0xFF10 + int(c)) for c in digits.decode()).encode()
    return head + b"Content-Length: " + wide + b"\r\n" + tail


def _drop_line(record: bytes, prefix: bytes) -> bytes:
    at = record.index(b"\r\n" + prefix) + 2
    return record[:at] + record[record.index(b"\r\n", at) + 2:]


def content_damage() -> Iterator[tuple[str, bytes]]:
    for name, edit in EDITS.items():
        for which in (0, 2, len(RECORDS) - 1):  # the warcinfo, a response, the last record
            records = list(RECORDS)
            records[which] = edit(records[which])
            yield f"{name} in record {which}", _file(records)


def gzip_damage() -> Iterator[tuple[str, bytes]]:
    good = _file(RECORDS) * 3
    for cut in range(1, len(good), 97):
        yield f"cut at {cut}", good[:cut]
    for at in range(0, len(good), 89):
        yield f"byte {at} flipped", good[:at] + bytes([good[at] ^ 0x20]) + good[at + 1:]
    for at in range(5, len(good), 401):
        yield f"zeros at {at}", good[:at] + b"\x00" * 40 + good[at + 40:]
    members = [_member(r) for r in RECORDS]
    yield "empty member between records", b"".join(members[:3]) + _member(b"") + b"".join(members[3:])
    yield "empty member at the end", b"".join(members) + _member(b"")
    split = RECORDS[2]
    yield "record split over two members", (b"".join(members[:2]) + _member(split[:100]) + _member(split[100:])
                                            + b"".join(members[3:]))
    yield "two records in one member", b"".join(members[:2]) + _member(RECORDS[2] + RECORDS[3]) + b"".join(members[4:])
    yield "a member repeated", b"".join(members[:3]) + members[2] + b"".join(members[3:])
    yield "junk between members", b"".join(members[:3]) + b"junk" + b"".join(members[3:])
    yield "a member's tail written twice", b"".join(members[:3]) + members[2][-30:] + b"".join(members[3:])
    yield "a member's trailer written twice", b"".join(members[:3]) + members[2][-8:] + b"".join(members[3:])
    yield "a gzip magic inside junk", b"".join(members[:3]) + b"\x1f\x8b\x08junk" + b"".join(members[3:])
    yield "gzip trailer of the next member's copy", (b"".join(members[:3]) + b"\x00" * 20 + members[3][-8:]
                                                     + b"".join(members[3:]))
    named = gzip.GzipFile(filename="x.warc", mode="wb", fileobj=(buf := io.BytesIO()), mtime=1)
    named.write(RECORDS[2])
    named.close()
    yield "member with a file name in its header", b"".join(members[:2]) + buf.getvalue() + b"".join(members[3:])
    yield "good", b"".join(members)
    yield "the fixtures joined", b"".join((DATA / name).read_bytes() for name in (
        "good.warc.gz", "bad-digest.warc.gz", "bad-header.warc.gz", "good.warc.gz", "truncated.warc.gz"))
    yield "non-chunked fixture", (DATA / "non-chunked.warc.gz").read_bytes() + GOOD


def _verify(path: Path, piece: int) -> tuple[object, ...]:
    report: FileReport = next(verify_paths([path], workers=1, piece=piece))
    return (report.size, report.records, report.faults, report.valid_end, report.valid_records,
            report.members_end, report.starts_like_warc)


def _index(path: Path, piece: int) -> tuple[str, object]:
    out = io.StringIO()
    try:
        write_cdxj([path], out, piece=piece)
    except ArchiveError as exc:
        return "error", str(exc)
    return "lines", out.getvalue()


def _both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data: bytes,
          caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(data)
    results = []
    for flag in ("1", "0"):
        monkeypatch.setenv("SPEECHCRAWL_ARCHIVE_FASTWARC", flag)
        caplog.clear()
        got = [_verify(path, ONE_WINDOW), _verify(path, PIECE), _index(path, ONE_WINDOW), _index(path, PIECE)]
        results.append((got, [r.getMessage() for r in caplog.records]))
    assert results[0] == results[1]


@pytest.mark.parametrize(("name", "data"), list(content_damage()), ids=lambda x: x if isinstance(x, str) else "")
def test_damaged_content_gives_the_same_reports_and_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture, name: str,
                                                          data: bytes) -> None:
    _both(monkeypatch, tmp_path, data, caplog)


def test_damaged_gzip_gives_the_same_reports_and_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    cases = list(gzip_damage())
    assert len(cases) > 150
    for _name, data in cases:
        _both(monkeypatch, tmp_path, data, caplog)


def _fast_members(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for item in Window(f, 0, None, gzip=True) if isinstance(item, Member) and item.record is not None)


def test_the_fast_path_reads_every_record_of_a_good_file_but_the_last(tmp_path: Path) -> None:
    path = tmp_path / "good.warc.gz"
    path.write_bytes(GOOD * 5)
    assert _fast.enabled()
    assert _fast_members(path) == 5 * len(RECORDS) - 1  # the last has no next record to bound it


def test_the_fast_path_goes_on_after_its_window(tmp_path: Path) -> None:
    path = tmp_path / "good.warc.gz"
    path.write_bytes(GOOD * 5)
    plan = Plan(path, partial(_index_window, name=path.name), None, PIECE)
    assert len(plan.tasks) > 3
    assert _index(path, PIECE) == _index(path, ONE_WINDOW)


def test_turned_off_by_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "good.warc.gz"
    path.write_bytes(GOOD)
    monkeypatch.setenv("SPEECHCRAWL_ARCHIVE_FASTWARC", "0")
    assert not _fast.enabled()
    assert _fast_members(path) == 0


def test_without_fastwarc_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "fastwarc.warc", None)  # import raises ImportError
    assert not _fast.enabled()
