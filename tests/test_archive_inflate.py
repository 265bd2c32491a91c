"""The scanner inflates with zlib-ng and still reads exactly what the standard library's zlib reads.

zlib-ng is the faster inflate (docs/benchmarks.md, "Issue 20, fourth pass"); the verdicts on a
damaged file must not depend on it.  Each file below, good or damaged at the gzip level (cuts,
flipped bytes, zeroed runs, junk, split, empty and repeated members, random damage), is scanned
with both: the members, their bytes, and every Damage with its message must be equal, and so
must `archive verify`'s report and the CDXJ index, in one window and in windows of a few KB.
"""

from __future__ import annotations

import gzip
import io
import random
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import _scan
from archive._scan import Damage, Member, scan
from archive.cdxj import write_cdxj
from archive.exceptions import ArchiveError
from archive.verify import FileReport, verify_paths
from tests import gzip_members

DATA = Path(__file__).parent / "data" / "warc"
GOOD = (DATA / "good.warc.gz").read_bytes()
RECORDS = gzip_members(GOOD)
PIECE = 3000
ONE_WINDOW = 1 << 40


def _member(content: bytes) -> bytes:
    return gzip.compress(content, mtime=0)


def gzip_damage() -> Iterator[tuple[str, bytes]]:
    good = b"".join(_member(r) for r in RECORDS) * 3
    for cut in range(1, len(good), 97):
        yield f"cut at {cut}", good[:cut]
    for at in range(0, len(good), 89):
        yield f"byte {at} flipped", good[:at] + bytes([good[at] ^ 0x20]) + good[at + 1:]
    for at in range(5, len(good), 401):
        yield f"zeros at {at}", good[:at] + b"\x00" * 40 + good[at + 40:]
    members = [_member(r) for r in RECORDS]
    yield "empty member between records", b"".join(members[:3]) + _member(b"") + b"".join(members[3:])
    yield "record split over two members", (b"".join(members[:2]) + _member(RECORDS[2][:100])
                                            + _member(RECORDS[2][100:]) + b"".join(members[3:]))
    yield "two records in one member", b"".join(members[:2]) + _member(RECORDS[2] + RECORDS[3]) + b"".join(members[4:])
    yield "a member repeated", b"".join(members[:3]) + members[2] + b"".join(members[3:])
    yield "junk between members", b"".join(members[:3]) + b"junk" + b"".join(members[3:])
    yield "a member's trailer written twice", b"".join(members[:3]) + members[2][-8:] + b"".join(members[3:])
    yield "a gzip magic inside junk", b"".join(members[:3]) + b"\x1f\x8b\x08junk" + b"".join(members[3:])
    yield "the fixtures joined", b"".join((DATA / name).read_bytes() for name in (
        "good.warc.gz", "bad-digest.warc.gz", "bad-header.warc.gz", "good.warc.gz", "truncated.warc.gz"))
    yield "non-chunked fixture", (DATA / "non-chunked.warc.gz").read_bytes() + GOOD


def random_damage(count: int) -> Iterator[tuple[str, bytes]]:
    """Several kinds of damage at once, at random places of a file of large and small members."""
    rng = random.Random(20261207)
    large = [_member(r + rng.randbytes(20_000).hex().encode()) for r in RECORDS]  # members longer than a read
    good = b"".join(_member(r) for r in RECORDS) + b"".join(large)
    for n in range(count):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            kind = rng.choice(("flip", "zeros", "junk", "drop"))
            if kind == "flip":
                data[at] ^= 1 << rng.randrange(8)
            elif kind == "zeros":
                end = at + rng.randint(1, 64)
                data[at:end] = bytes(len(data[at:end]))
            elif kind == "junk":
                data[at:at] = rng.randbytes(rng.randint(1, 32))
            else:
                del data[at:at + rng.randint(1, 64)]
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)):]
        yield f"random damage {n}", bytes(data)


def _items(path: Path, start: int = 0) -> list[Member | Damage]:
    with path.open("rb") as f:
        return list(scan(f, start))


def _verify(path: Path, piece: int) -> tuple[object, ...]:
    report: FileReport = next(verify_paths([path], workers=1, piece=piece))
    return (report.size, report.records, report.faults, report.valid_end, report.valid_records,
            report.members_end, report.starts_like_warc)


def _index(path: Path, piece: int) -> tuple[str, str]:
    out = io.StringIO()
    try:
        write_cdxj([path], out, piece=piece)
    except ArchiveError as exc:
        return "error", str(exc)
    return "lines", out.getvalue()


def _with_zlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scan, "_inflater", zlib)
    monkeypatch.setattr(_scan, "_INFLATE_ERROR", zlib.error)


def _compare(monkeypatch: pytest.MonkeyPatch, path: Path, *, reports: bool) -> list[Member | Damage]:
    """Scan (and verify and index, when ``reports``) with zlib-ng, then with zlib; assert equal results."""
    results = []
    for use_zlib in (False, True):
        with monkeypatch.context() as patch:
            if use_zlib:
                _with_zlib(patch)
            got: list[object] = [_items(path)]
            if reports:
                got += [_verify(path, ONE_WINDOW), _verify(path, PIECE), _index(path, ONE_WINDOW), _index(path, PIECE)]
            results.append(got)
    assert results[0] == results[1]
    return results[0][0]  # type: ignore[return-value]


def test_the_scanner_inflates_with_zlib_ng() -> None:
    assert _scan._inflater is not zlib, "zlib-ng is a dependency: the fast inflate should be in use"


def test_damaged_gzip_gives_the_same_items_reports_and_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cases = list(gzip_damage())
    assert len(cases) > 150
    damaged = 0
    for _name, data in cases:
        path = tmp_path / "damaged.warc.gz"
        path.write_bytes(data)
        items = _compare(monkeypatch, path, reports=True)
        damaged += any(isinstance(item, Damage) for item in items)
    assert damaged > 100  # the cases exercise zlib-ng's errors and truncations, not only good files


def test_random_damage_gives_the_same_items(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corrupt = truncated = 0
    for _name, data in random_damage(400):
        path = tmp_path / "damaged.warc.gz"
        path.write_bytes(data)
        items = _compare(monkeypatch, path, reports=False)
        corrupt += any(isinstance(i, Damage) and not i.truncated for i in items)
        truncated += any(isinstance(i, Damage) and i.truncated for i in items)
    assert corrupt > 200 and truncated > 50


def test_a_corrupt_member_is_worded_by_zlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """zlib-ng raises on the member; the scanner reads it again with zlib, whose message it reports."""
    members = [_member(r) for r in RECORDS]
    bad = bytearray(members[2])
    bad[20] ^= 0xFF
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(b"".join(members[:2]) + bytes(bad) + b"".join(members[3:]))
    calls: list[object] = []
    real = _scan._inflate_member

    def spy(f: object, pos: int, pending: memoryview, inflater: object) -> object:
        calls.append(inflater)
        return real(f, pos, pending, inflater)  # type: ignore[arg-type]

    monkeypatch.setattr(_scan, "_inflate_member", spy)
    items = _items(path)
    damage = [item for item in items if isinstance(item, Damage)]
    assert len(damage) == 1 and damage[0].offset == len(b"".join(members[:2]))
    assert damage[0].message.startswith("corrupt gzip member (Error -3 while decompressing data")
    assert calls.count(zlib) == 1 and len(calls) == len(items) + 1  # the corrupt member was read twice
    assert [item.data for item in items if isinstance(item, Member)] == RECORDS[:2] + RECORDS[3:]
