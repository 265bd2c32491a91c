"""``speechcrawl reprocess`` on damaged archives: skip and list, exit 1, never export altered text or shrink a catalog.

Each case damages a copy of the shared crawl's wenmi WARC file the way the fault campaign did:
a tampered payload (同志们 → 名志们), a truncated finished file, the whole file as one gzip
member, a WARC-Date that is not a date.  Members are found and rewritten with zlib here, not
with archive/, so the damage does not depend on the code under test.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from corpus.rebuild import reprocess
from tests import ArchivedCrawl, gzip_members, run_cli

pytestmark = pytest.mark.slow


def _gzip(member: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    return comp.compress(member) + comp.flush()


@pytest.fixture
def wenmi_data(archived_crawl: ArchivedCrawl, tmp_path: Path) -> Path:
    """A data dir holding a copy of the shared crawl's wenmi WARC files."""
    data = tmp_path / "data"
    shutil.copytree(archived_crawl.data / "warc" / "wenmi", data / "warc" / "wenmi")
    return data


def _warc(data: Path) -> Path:
    [path] = sorted((data / "warc" / "wenmi").glob("*.warc.gz"))
    return path


def _records(data: Path) -> int:
    conn = sqlite3.connect(data / "catalog.sqlite")
    try:
        return int(conn.execute("SELECT COUNT(*) FROM records WHERE is_latest = 1").fetchone()[0])
    finally:
        conn.close()


def _exported_texts(data: Path) -> str:
    return "\n".join(json.loads(line)["text"] for line in (data / "export.jsonl").read_text("utf-8").splitlines())


def test_a_tampered_payload_is_skipped_never_exported(wenmi_data: Path) -> None:
    path = _warc(wenmi_data)
    members = gzip_members(path.read_bytes())
    word, fake = "同志们".encode("gbk"), "名志们".encode("gbk")  # the sandbox's wenmi serves GBK
    victim = next(i for i, m in enumerate(members)
                  if b"WARC-Type: response" in m and b"list_" not in m[:600] and word in m)
    members[victim] = members[victim].replace(word, fake)
    path.write_bytes(b"".join(_gzip(m) for m in members))
    proc = run_cli("reprocess", "--data", str(wenmi_data), timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    skipped = [line for line in proc.stdout.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 1 and "payload digest mismatch" in skipped[0], proc.stdout
    assert "名志们" not in _exported_texts(wenmi_data) and "同志们" in _exported_texts(wenmi_data)


def test_a_truncated_file_never_shrinks_the_catalog_without_force(wenmi_data: Path) -> None:
    path = _warc(wenmi_data)
    assert reprocess(wenmi_data).skipped == []
    before = _records(wenmi_data)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 4])
    proc = run_cli("reprocess", "--data", str(wenmi_data), timeout=300)
    assert proc.returncode == 1
    assert "skipped: " in proc.stdout and "truncated" in proc.stdout, proc.stdout
    assert f"holds {before}: kept the old one" in proc.stderr and "--force" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _records(wenmi_data) == before and not list(wenmi_data.glob("*.part*"))
    summary = reprocess(wenmi_data, force=True)  # still damaged, said so, but replaced as asked
    assert summary.skipped and 0 < _records(wenmi_data) < before


def test_a_file_that_is_one_gzip_member_yields_no_warcinfo_records(wenmi_data: Path) -> None:
    path = _warc(wenmi_data)
    path.write_bytes(_gzip(b"".join(gzip_members(path.read_bytes()))))
    summary = reprocess(wenmi_data, wenmi_data / "v2")
    assert summary.skipped and summary.documents == len(summary.skipped)
    assert all("not one gzip member per record" in line for line in summary.skipped), summary.skipped
    assert _records(wenmi_data / "v2") == 0
    assert "isPartOf" not in (wenmi_data / "v2" / "export.jsonl").read_text("utf-8")


def test_a_bad_warc_date_is_skipped_without_a_traceback(wenmi_data: Path) -> None:
    path = _warc(wenmi_data)
    members = gzip_members(path.read_bytes())
    victim = next(i for i, m in enumerate(members) if b"WARC-Type: response" in m)
    head, sep, rest = members[victim].partition(b"WARC-Date: ")
    members[victim] = head + sep + b"2026-13-45T99:99:99Z" + rest[rest.index(b"\r\n"):]
    path.write_bytes(b"".join(_gzip(m) for m in members))
    summary = reprocess(wenmi_data, wenmi_data / "v2")
    assert [line for line in summary.skipped if "bad WARC-Date '2026-13-45T99:99:99Z'" in line]
    assert summary.records > 0 and not list((wenmi_data / "v2").glob("*.part*"))
