"""Hostile but readable WARC files: well-formed at the gzip and WARC level, odd in their values.

Each record is built here by hand (one gzip member, a ``WARC/1.1`` head, its Content-Length), not
with archive.warc, so the oddity does not depend on the code under test.  Every command that reads
WARC must give a clear error or a logged skip on them, never a traceback, a hang or unbounded memory.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive._content import decode_content
from archive.cdxj import surt, write_cdxj
from archive.contents import read_archive
from archive.exceptions import ArchiveError
from archive.ledger import ledger_entries
from archive.reader import iter_records
from archive.verify import verify
from archive.wacz import write_wacz
from corpus.rebuild import reprocess
from tests import run_cli

DOC_URI = "urn:speechcrawl:document:http://example.com/a"
LEDGER_TYPE = "application/x-speechcrawl-rechecks+jsonl"


def record(kind: str = "response", *, uri: str | None = "http://example.com/a", block: bytes = b"",
           content_type: str | None = None, record_id: str = "<urn:uuid:page>", extra: tuple[tuple[str, str], ...] = (),
           length: str | None = None, date: str = "2024-05-01T08:30:00Z") -> bytes:
    """One record as one gzip member; ``length`` replaces the Content-Length value."""
    if content_type is None:
        content_type = "application/http; msgtype=response" if kind in ("response", "revisit") else "text/plain"
    lines = ["WARC/1.1", f"WARC-Type: {kind}", f"WARC-Record-ID: {record_id}", f"WARC-Date: {date}"]
    lines += [f"WARC-Target-URI: {uri}"] if uri is not None else []
    lines += [f"Content-Type: {content_type}", *(f"{k}: {v}" for k, v in extra)]
    lines.append(f"Content-Length: {length if length is not None else len(block)}")
    return gzip.compress(("\r\n".join(lines) + "\r\n\r\n").encode() + block + b"\r\n\r\n")


def http(status: bytes = b"HTTP/1.1 200 OK", *headers: bytes, body: bytes = b"<p>hi</p>") -> bytes:
    return b"\r\n".join([status, b"Content-Type: text/html", *headers]) + b"\r\n\r\n" + body


def warcinfo() -> bytes:
    return record("warcinfo", uri=None, content_type="application/warc-fields", record_id="<urn:uuid:info>",
                  block=b"isPartOf: c1\r\nsite-profile: wenmi\r\n")


def document(**changes: object) -> bytes:
    """A document metadata record (generic, one page: the response ``<urn:uuid:page>``) with ``changes``."""
    data = {"format": "speechcrawl-document/1", "site": "wenmi", "url": "http://example.com/a", "crawl_id": "c1",
            "generic": True, "cleaner_version": "1", "dropped": None, "records": [],
            "pages": [{"url": "http://example.com/a", "record_id": "<urn:uuid:page>"}], **changes}
    return record("metadata", uri=DOC_URI, content_type="application/json", record_id="<urn:uuid:doc>",
                  block=json.dumps(data).encode())


def ledger(*lines: bytes) -> bytes:
    return record("metadata", uri="urn:speechcrawl:rechecks", content_type=LEDGER_TYPE, record_id="<urn:uuid:led>",
                  block=b"\n".join(lines))


def recheck(**changes: object) -> bytes:
    entry = {"id": "<urn:uuid:re>", "uri": "http://example.com/a", "date": "2024-05-02T00:00:00Z",
             "refers_to": "<urn:uuid:page>", "payload_digest": "sha1:AAAA", "status_line": "HTTP/1.1 304 Not Modified",
             "headers": [["Content-Type", "text/html"]], **changes}
    return json.dumps(entry).encode()


def data_dir(tmp_path: Path, *records: bytes) -> Path:
    """A data directory whose one WARC file (site wenmi) holds a warcinfo and ``records``."""
    site = tmp_path / "data" / "warc" / "wenmi"
    site.mkdir(parents=True)
    (site / "wenmi-c1-0.warc.gz").write_bytes(warcinfo() + b"".join(records))
    return tmp_path / "data"


def warc_of(data: Path) -> Path:
    return data / "warc" / "wenmi" / "wenmi-c1-0.warc.gz"


def no_traceback(proc: object) -> str:
    out = getattr(proc, "stdout", "") + getattr(proc, "stderr", "")
    assert "Traceback" not in out, out
    return out


# --- Content-Length and HTTP status with thousands of digits -----------------------------------------------


def test_a_content_length_of_5000_digits_is_a_fault_not_a_traceback(tmp_path: Path) -> None:
    data = data_dir(tmp_path, record("resource", block=b"abc", length="9" * 5000),
                    record(block=http(), record_id="<urn:uuid:after>"))
    proc = run_cli("archive", "verify", str(warc_of(data)), timeout=60)
    assert proc.returncode == 1 and "Content-Length" in no_traceback(proc), proc.stdout
    proc = run_cli("archive", "index", str(warc_of(data)), timeout=60)
    assert proc.returncode == 0 and "example.com/a" in no_traceback(proc)  # the record after it is indexed


def test_an_uncompressed_content_length_of_5000_digits_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "x.warc"
    path.write_bytes(gzip.decompress(warcinfo()) + gzip.decompress(record("resource", block=b"abc",
                                                                            length="9" * 5000)))
    assert not verify(path).ok
    damage: list[str] = []
    assert [r.rec_type for r in iter_records(path, skip_damage=True, damage=damage)] == ["warcinfo"] and damage


def test_an_uncompressed_content_length_past_any_size_is_a_truncated_record(tmp_path: Path) -> None:
    path = tmp_path / "x.warc"
    path.write_bytes(gzip.decompress(warcinfo()) + gzip.decompress(record("resource", block=b"abc",
                                                                            length="9" * 30)))
    report = verify(path)
    assert [f.message for f in report.faults if "truncated" in f.message], report.faults


@pytest.mark.parametrize("status", [b"HTTP/1.1 " + b"9" * 5000, b"HTTP/1.1 99999999999999999999 Big"])
def test_an_http_status_of_many_digits_is_no_status(tmp_path: Path, status: bytes) -> None:
    data = data_dir(tmp_path, record(block=http(status)))
    [response] = [r for r in iter_records(warc_of(data)) if r.rec_type == "response"]
    assert response.http_status is None
    out = io.StringIO()
    assert write_cdxj([warc_of(data)], out) == 1 and '"status"' not in out.getvalue()
    reprocess(data)
    assert _rows(data, "SELECT status FROM fetches") == [(0,)]


def _rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data / "catalog.sqlite")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- digests, URLs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["shake_128", "shake_256"])
def test_a_variable_length_digest_algorithm_is_a_fault(tmp_path: Path, algorithm: str) -> None:
    data = data_dir(tmp_path, record(block=http(), extra=(("WARC-Payload-Digest", f"{algorithm}:AAAA"),)))
    faults = [f.message for f in verify(warc_of(data)).faults]
    assert faults == [f"payload digest cannot be checked: unsupported digest algorithm {algorithm!r}"]


def test_a_declared_digest_with_terminal_escapes_is_reported_escaped(tmp_path: Path) -> None:
    declared = "sha1:\x1b[2J\x1b]0;owned\x07AAAA"
    data = data_dir(tmp_path, record(block=http(), extra=(("WARC-Payload-Digest", declared),)))
    faults = [f.message for f in verify(warc_of(data)).faults]
    assert len(faults) == 1 and faults[0].startswith(f"payload digest mismatch: header {declared!r}, computed sha1:")
    assert "\x1b" not in faults[0] and "\x07" not in faults[0]
    proc = run_cli("archive", "verify", str(warc_of(data)))
    assert proc.returncode == 1 and "\x1b" not in proc.stdout + proc.stderr, proc.stdout


@pytest.mark.parametrize("url", ["http://example.com:\u00b2/a", "http://example.com:" + "9" * 5000 + "/a"])
def test_a_port_that_is_no_number_is_indexed(tmp_path: Path, url: str) -> None:
    assert surt(url).startswith("com,example")
    data = data_dir(tmp_path, record(uri=url, block=http()))
    out = io.StringIO()
    assert write_cdxj([warc_of(data)], out) == 1


# --- Content-Encoding: corrupt and bomb bodies of every coding -----------------------------------------------


def _brotli(data: bytes) -> bytes:
    import brotli

    return bytes(brotli.compress(data, quality=1))


def _zstd(data: bytes) -> bytes:
    from backports import zstd

    return bytes(zstd.compress(data))


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_a_corrupt_body_is_an_archive_error(coding: str) -> None:
    with pytest.raises(ArchiveError, match=f"not valid {coding} data"):
        decode_content(b"garbage, not compressed at all", coding)


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_a_truncated_body_is_an_archive_error(coding: str) -> None:
    whole = (_brotli if coding == "br" else _zstd)(bytes(range(256)) * 64)
    with pytest.raises(ArchiveError, match=f"not valid {coding} data"):
        decode_content(whole[: len(whole) // 2], coding)


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_a_bomb_is_refused_before_it_is_decoded(coding: str) -> None:
    import tracemalloc

    bomb = (_brotli if coding == "br" else _zstd)(b"\0" * (64 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError, match="exceeds 1048576 bytes"):
            decode_content(bomb, coding, max_size=1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_good_bodies_still_decode(coding: str) -> None:
    text = "同志们".encode() * 1000
    encode = _brotli if coding == "br" else _zstd
    assert decode_content(encode(text), coding) == text
    assert decode_content(encode(text) + encode(b"!"), coding) == text + b"!" if coding == "zstd" else True
    assert decode_content(encode(text), coding, max_size=len(text)) == text


def test_a_corrupt_brotli_page_skips_its_document(tmp_path: Path) -> None:
    data = data_dir(tmp_path, record(block=http(b"HTTP/1.1 200 OK", b"Content-Encoding: br", body=b"garbage")),
                    document())
    proc = run_cli("reprocess", "--data", str(data), timeout=120)
    assert proc.returncode == 1 and "not valid br data" in no_traceback(proc), proc.stdout


# --- document metadata and ledger records ---------------------------------------------------------------------


@pytest.mark.parametrize("block", [b"{not json", b"[" * 100_000, b"[1, 2]", b'{"format": "speechcrawl-document/1"}'])
def test_a_document_record_that_is_not_one_is_skipped(tmp_path: Path, block: bytes) -> None:
    bad = record("metadata", uri=DOC_URI, content_type="application/json", record_id="<urn:uuid:bad>", block=block)
    data = data_dir(tmp_path, record(block=http()), bad, document())
    contents = read_archive(data / "warc")
    assert len(contents.documents) == 1 and len(contents.damage) == 1 and "offset" in contents.damage[0]
    assert [s for s in reprocess(data).skipped if s.endswith("document skipped")] == contents.damage
    assert _rows(data, "SELECT COUNT(*) FROM fetches") == [(1,)]


def test_reprocess_skips_a_document_record_that_is_no_json_and_goes_on(tmp_path: Path) -> None:
    bad = record("metadata", uri=DOC_URI, content_type="application/json", record_id="<urn:uuid:bad>",
                 block=b"[" * 100_000)
    data = data_dir(tmp_path, record(block=http()), bad, document())
    proc = run_cli("reprocess", "--data", str(data), timeout=120)
    assert proc.returncode == 1 and "skipped: " in no_traceback(proc) and "1 documents" in proc.stdout, proc.stdout
    proc = run_cli("archive", "wacz", "--data", str(data), "-o", str(tmp_path / "out.wacz"), timeout=120)
    assert proc.returncode == 0, no_traceback(proc)


@pytest.mark.parametrize("changes", [
    {"pages": [{"url": "http://example.com/a", "record_id": []}]},
    {"pages": [{"url": 5, "record_id": "<urn:uuid:page>"}]},
    {"pages": [{"url": "http://example.com/a", "record_id": "<urn:uuid:page>", "declared_encoding": 5}]},
    {"pages": [{"url": "http://example.com/a", "record_id": "<urn:uuid:page>", "outlinks": 5}]},
    {"pages": [{"url": "http://example.com/a", "record_id": "<urn:uuid:page>", "outlinks_omitted": "x"}]},
    {"pages": [{"url": "\ud800", "record_id": "<urn:uuid:page>"}]},
    {"url": "http://example.com/\ud800"},
    {"records": [{"id": "r1", "title": "\ud800"}]},
    {"records": [{"id": 1}]},
    {"records": [{"id": "r1", "part_index": "x"}]},
    {"dropped": {"why": 1}},
])
def test_a_document_record_with_a_mistyped_field_is_skipped(tmp_path: Path, changes: dict[str, object]) -> None:
    data = data_dir(tmp_path, record(block=http()), document(**changes))
    contents = read_archive(data / "warc")
    assert contents.documents == [] and "document metadata" in contents.damage[0]
    assert reprocess(data).skipped == contents.damage
    write_wacz(data, tmp_path / "out.wacz")


def test_a_declared_encoding_codecs_cannot_look_up_is_unknown(tmp_path: Path) -> None:
    page = {"url": "http://example.com/a", "record_id": "<urn:uuid:page>", "declared_encoding": "\x00utf-8"}
    data = data_dir(tmp_path, record(block=http()), document(pages=[page]))
    assert reprocess(data).skipped == []


@pytest.mark.parametrize("line", [
    b"[" * 100_000,
    recheck(status_line="HTTP/1.1 99999999999999999999"),
    recheck(status_line="HTTP/1.1 " + "9" * 5000),
    recheck(uri="http://example.com/\ud800"),
    recheck(id="\ud800"),
])
def test_a_ledger_line_that_is_no_recheck_skips_the_ledger(tmp_path: Path, line: bytes) -> None:
    with pytest.raises(ArchiveError, match="line 1 is not a re-check"):
        ledger_entries(line)
    data = data_dir(tmp_path, record(block=http()), ledger(line))
    assert any("re-check ledger" in f.message for f in verify(warc_of(data)).faults)
    [skipped] = reprocess(data).skipped
    assert skipped.endswith("re-check ledger skipped")


def test_reprocess_skips_a_ledger_with_a_status_too_large_for_the_catalog(tmp_path: Path) -> None:
    data = data_dir(tmp_path, record(block=http()), ledger(recheck(status_line="HTTP/1.1 99999999999999999999")))
    proc = run_cli("reprocess", "--data", str(data), timeout=120)
    assert proc.returncode == 1 and "re-check ledger skipped" in no_traceback(proc), proc.stdout


def test_a_good_ledger_line_is_still_read() -> None:
    [entry] = ledger_entries(recheck())
    assert entry["status"] == 304 and entry["content_type"] == "text/html"


# --- time: a long URL ------------------------------------------------------------------------------------------


def test_a_query_of_many_cfid_is_keyed_in_linear_time(tmp_path: Path) -> None:
    import time

    url = "http://example.com/?" + "cfid=a" * 50_000  # 300 KB: minutes with the surt package's pattern
    started = time.monotonic()
    assert surt(url) == "com,example)/?" + "cfid=a" * 50_000
    assert time.monotonic() - started < 2


def test_cfid_is_stripped_as_the_surt_package_strips_it() -> None:
    import random
    import re

    from archive.cdxj import _strip_cfid

    pattern = re.compile(r"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$", re.I)
    pieces = ["cfid=", "cftoken=", "&", "x", "C", "CFID=", "CfToken=", "=", "a&"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        m = pattern.match(text)
        assert _strip_cfid(text) == (m.group(1) + (m.group(2) or "") if m else text), text


# --- odd values every reader already handles ---------------------------------------------------------------------


@pytest.mark.parametrize("odd", [
    {"uri": "http://" + "a" * 300 + ".com/"}, {"uri": "http://ex\x01ample.com/a\x7fb"}, {"uri": "http://exa mple.com/a b"},
    {"uri": "example.com/no-scheme"}, {"uri": "http://[::1/x"}, {"uri": "http://[zz::g]:80/"}, {"uri": ""},
    {"uri": "http://x.com/" + "a" * 100_000}, {"uri": "http://x.com/" + "%2525252525" * 10_000},
    {"uri": "http://\u00e9" + "x" * 70 + ".com/"}, {"uri": "http://@:/?#"},
    {"date": "0000-01-01T00:00:00Z"}, {"date": "99999-01-01T00:00:00Z"}, {"date": "2024-05-01T08:30:00+02:00"},
    {"date": "garbage"}, {"date": ""}, {"extra": (("WARC-Payload-Digest", "nosuch:AAAA"),)},
    {"extra": (("WARC-Block-Digest", "sha1:" + "A" * 10_000),)}, {"extra": (("WARC-Payload-Digest", "sha1:"),)},
    {"content_type": "application/http; msgtype=response; \u00e9=\u00e8"}, {"content_type": "\u4e2d\u6587"},
    {"block": http(b"HTTP/1.1 abc")}, {"block": b"\r\n\r\nno status line"}, {"block": http(b"garbage", b"no colon")},
    {"block": http(b"HTTP/1.1 200 OK", "X: \u4e2d".encode(), b"\xff\xfe: \x80")},
    {"block": http(b"HTTP/1.1 200 OK", *(b"X-%d: %s" % (i, b"v" * 100) for i in range(20_000)))},
    {"block": http(b"HTTP/1.1 200 OK", b"Transfer-Encoding: chunked", body=b"zz\r\nabc\r\n")},
])
def test_an_odd_value_is_read_indexed_and_verified(tmp_path: Path, odd: dict[str, object]) -> None:
    fields: dict[str, Any] = {"block": http(), **odd}
    data = data_dir(tmp_path, record(**fields),
                    record("revisit", block=http(), record_id="<urn:uuid:loop>",
                           extra=(("WARC-Refers-To", "<urn:uuid:loop>"), ("WARC-Payload-Digest", "sha1:AAAA"))))
    verify(warc_of(data))
    assert write_cdxj([warc_of(data)], io.StringIO()) == 2
    contents = read_archive(data / "warc")  # a WARC-Date that is no date: the record is a logged skip
    assert len(contents.fetches) + len(contents.damage) == 2
