"""verify() and repair(): exact faults on the broken fixtures, and recovery from a killed writer."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.exceptions import ArchiveError
from archive.reader import iter_records
from archive.verify import repair, verify, verify_paths
from archive.warc import HttpExchange, WarcWriter

DATA = Path(__file__).parent / "data" / "warc"
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def exchange(i: int, size: int = 3000) -> HttpExchange:
    body = (f"<p>第{i}篇讲话</p>" * (size // 20)).encode()
    return HttpExchange(url=f"http://site.test/{i}.html", method="GET", request_headers=[("Host", "site.test")],
                        request_body=b"", protocol="HTTP/1.1", status=200, reason="OK",
                        response_headers=[("Content-Type", "text/html")], response_body=body,
                        ip_address=None, fetched_at=datetime.now(UTC))


def members(data: bytes) -> list[tuple[int, int]]:
    """(offset, end) of each gzip member, found independently of archive/."""
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        out.append((pos, end))
        pos = end
    return out


def messages(path: Path) -> list[str]:
    return [str(f) for f in verify(path).faults]


def test_good_files_verify_clean() -> None:
    for name in ("good.warc.gz", "golden-exchange.warc"):
        report = verify(DATA / name)
        assert report.ok, report.faults
        assert report.valid_end == report.size == (DATA / name).stat().st_size
    assert verify(DATA / "good.warc.gz").records == 10


def test_a_flipped_payload_byte_is_a_digest_mismatch() -> None:
    assert messages(DATA / "bad-digest.warc.gz") == [
        "bad-digest.warc.gz:712: block digest mismatch: header sha1:M6DDEU4FEZATCD2JTSYSLUUGDQ6EXLDS, "
        "computed sha1:6X7VQHU5GI3XAMB34P4AVBWUFS4BV22F",
        "bad-digest.warc.gz:712: payload digest mismatch: header sha1:BCW7TKH5ADS53MTA75CGIN2MWCRRGFZN, "
        "computed sha1:SG5JFJNBTSONJMMHGROAMUZISJ7EDJNG",
    ]


def test_a_flipped_header_byte_names_the_line() -> None:
    assert messages(DATA / "bad-header.warc.gz") == [
        "bad-header.warc.gz:1534: malformed WARC header line 6: 'WARC-IP-Address 127.0.0.1'"]


def test_truncated_and_non_chunked_files() -> None:
    assert messages(DATA / "truncated.warc.gz") == [
        "truncated.warc.gz:3535: truncated gzip member (165 bytes): the file ends inside a record; "
        "run `speechcrawl archive repair`"]
    report = verify(DATA / "non-chunked.warc.gz")
    assert report.records == 10 and len(report.faults) == 1
    assert "gzip member holds 10 records: the file is not record-chunked" in report.faults[0].message


def test_verify_continues_past_a_corrupt_gzip_member(tmp_path: Path) -> None:
    data = bytearray((DATA / "good.warc.gz").read_bytes())
    start, end = members(bytes(data))[2]
    data[(start + end) // 2] ^= 0xFF  # inside the deflate stream: the gzip CRC or the stream breaks
    path = tmp_path / "x.warc.gz"
    path.write_bytes(bytes(data))
    report = verify(path)
    assert [f.offset for f in report.faults] == [start]
    assert "corrupt gzip member" in report.faults[0].message
    assert report.records == 9, "every other record was still read"


def test_content_length_faults(tmp_path: Path) -> None:
    text = (DATA / "golden-exchange.warc").read_bytes()
    short = text.replace(b"Content-Length: 75\r\n", b"Content-Length: 70\r\n")
    (tmp_path / "cl.warc").write_bytes(short)
    assert [(f.offset, f.message) for f in verify(tmp_path / "cl.warc").faults] == [
        (994, "no CRLF CRLF after the Content-Length (70) bytes of the block: Content-Length is wrong or the "
               "record is damaged"),
        (1535, "5 bytes that are not a WARC record skipped")]
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    (tmp_path / "long.warc.gz").write_bytes(comp.compress(text.replace(b"Content-Length: 75\r\n",
                                                                       b"Content-Length: 9999\r\n")) + comp.flush())
    assert [f.message for f in verify(tmp_path / "long.warc.gz").faults][0] == (
        "Content-Length 9999 but only 79 bytes follow the header")


def test_not_gzip_despite_the_name(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc.gz"
    shutil.copy(DATA / "golden-exchange.warc", path)
    assert messages(path) == ["plain.warc.gz:0: file is named .gz but is not gzip-compressed"]


def test_verify_paths_expands_directories(tmp_path: Path) -> None:
    for name in ("good.warc.gz", "truncated.warc.gz"):
        shutil.copy(DATA / name, tmp_path / name)
    shutil.copy(DATA / "good.warc.gz", tmp_path / "live.warc.gz.open")
    (tmp_path / "notes.txt").write_text("not a warc")
    reports = list(verify_paths([tmp_path]))
    assert [(r.path.name, r.ok, r.unfinished) for r in reports] == [
        ("good.warc.gz", True, False), ("live.warc.gz.open", True, True), ("truncated.warc.gz", False, False)]


@pytest.fixture(scope="module")
def open_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of an ``.open`` file as a killed crawl leaves it (never closed)."""
    directory = tmp_path_factory.mktemp("w")
    w = WarcWriter(directory, prefix="s", crawl_id="c", warcinfo={})
    for i in range(6):
        w.write_exchange(exchange(i))
    assert w.current_path is not None
    data = w.current_path.read_bytes()
    w.close()
    return data


def test_repair_after_a_kill_at_any_offset(tmp_path: Path, open_file: bytes) -> None:
    bounds = members(open_file)
    cuts = {0, 1, 10, len(open_file)} | {e for _, e in bounds} | {(s + e) // 2 for s, e in bounds} | {s + 1 for s, _ in bounds}
    for cut in sorted(cuts):
        path = tmp_path / f"s-{cut}.warc.gz.open"
        path.write_bytes(open_file[:cut])
        result = repair(path)
        final = tmp_path / f"s-{cut}.warc.gz"
        assert result.path == final and not path.exists() and result.renamed_from == path
        kept = max((e for _, e in bounds if e <= cut), default=0)
        assert final.read_bytes() == open_file[:kept], f"cut at {cut}"
        assert result.bytes_removed == cut - kept
        assert (result.tail_path is not None) == (cut > kept)
        if result.tail_path:
            assert result.tail_path.read_bytes() == open_file[kept:cut]
        assert verify(final).ok and result.remaining_faults == []
        assert result.records_kept == sum(1 for _, e in bounds if e <= cut) == len(list(iter_records(final)))
    check = subprocess.run([str(BIN / "warcio"), "check", *map(str, tmp_path.glob("*.warc.gz"))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_repair_keeps_faults_before_the_cut_and_refuses_live_files(tmp_path: Path) -> None:
    path = tmp_path / "b.warc.gz"
    shutil.copy(DATA / "bad-digest.warc.gz", path)
    result = repair(path)
    assert result.bytes_removed == 0 and len(result.remaining_faults) == 2
    w = WarcWriter(tmp_path / "live", prefix="s", crawl_id="c", warcinfo={})
    w.write_exchange(exchange(1))
    assert w.current_path is not None
    with pytest.raises(ArchiveError, match="being written by a running crawl"):
        repair(w.current_path)
    w.close()


def test_a_writer_killed_with_sigkill_is_recoverable(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        from datetime import datetime, UTC
        from pathlib import Path
        from archive.warc import HttpExchange, WarcWriter
        w = WarcWriter(Path({str(tmp_path)!r}), prefix="k", crawl_id="c", warcinfo={{}})
        body = bytes(range(256)) * 400
        i = 0
        while True:
            w.write_exchange(HttpExchange(url=f"http://k.test/{{i}}", method="GET", request_headers=[],
                request_body=b"", protocol="HTTP/1.1", status=200, reason="OK", response_headers=[],
                response_body=body + str(i).encode(), ip_address=None, fetched_at=datetime.now(UTC)))
            i += 1
            if i == 20:
                print("go", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"go\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    (path,) = tmp_path.iterdir()
    assert path.name.endswith(".warc.gz.open")
    result = repair(path)
    assert verify(result.path).ok and result.records_kept >= 41
    assert gzip.decompress(result.path.read_bytes()).count(b"WARC/1.1\r\n") == result.records_kept


def test_repair_keeps_a_whole_last_record_whose_digest_is_wrong(tmp_path: Path) -> None:
    """A complete record with a bad digest is evidence of tampering: report it, never cut it."""
    data = bytearray((DATA / "good.warc.gz").read_bytes())
    start, end = members(bytes(data))[-1]
    record = bytearray(zlib.decompress(bytes(data[start:end]), 31))
    record[-10] ^= 0x01
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    path = tmp_path / "last.warc.gz.open"
    path.write_bytes(bytes(data[:start]) + comp.compress(bytes(record)) + comp.flush())
    result = repair(path)
    assert result.bytes_removed == 0 and result.records_kept == 10 and result.tail_path is None
    assert [f.message.split(":")[0] for f in result.remaining_faults] == ["block digest mismatch",
                                                                      "payload digest mismatch"]


@pytest.mark.parametrize("algo", ["sha1", "sha256", "md5"])
def test_digest_of_reads_base32_padded_or_not_any_case_and_hex(algo: str) -> None:
    import base64
    import hashlib

    from archive._format import digest_of

    data = "第一篇讲话".encode() * 50
    raw = hashlib.new(algo, data).digest()
    b32 = base64.b32encode(raw).decode()
    for value in (b32, b32.rstrip("="), b32.lower(), raw.hex(), raw.hex().upper()):
        assert digest_of(f"{algo}:{value}", [data]) == (f"{algo}:{value}", True), value
    other = hashlib.new(algo, data + b"x").digest()
    for value in (base64.b32encode(other).decode(), other.hex(), "not-a-digest", "A" * len(b32)):
        assert digest_of(f"{algo}:{value}", [data]) == (f"{algo}:{b32}", False), value


def _int_of(digits: str | bytes) -> int | None:
    try:
        return int(digits, 32)
    except ValueError:
        return None


@settings(max_examples=2000, deadline=None)
@given(st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abz019_ =+-\t\u0661\u00df\u2167"), max_size=40))
def test_declared_digits_read_the_same_through_the_bytes_table(value: str) -> None:
    """_declared translates ASCII digests with a bytes table: int() must read what the str table gave."""
    from archive._format import _B32_TO_INT, _B32_TO_INT_BYTES

    if value.isascii():
        assert _int_of(value.encode().translate(_B32_TO_INT_BYTES)) == _int_of(value.translate(_B32_TO_INT))


@pytest.mark.parametrize("content", [b"just some notes\nabout a crawl\n" * 20,
                                     b"<!DOCTYPE html><html><body><p>\xe5\x90\x8c\xe5\xbf\x97\xe4\xbb\xac</p></body></html>",
                                     bytes(range(7, 256)) * 40])
def test_repair_refuses_a_file_that_is_not_a_warc(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.warc.gz.open"
    path.write_bytes(content)
    with pytest.raises(ArchiveError, match="does not start with a WARC record"):
        repair(path)
    assert path.read_bytes() == content and list(tmp_path.iterdir()) == [path]
    assert "not a WARC file" in messages(path)[0]


def test_repair_reports_a_complete_last_record_with_a_wrong_content_length(tmp_path: Path) -> None:
    """A whole gzip member whose record does not parse is a fault to inspect, not a killed writer's tail."""
    data = (DATA / "good.warc.gz").read_bytes()
    start, end = members(data)[-1]
    record = zlib.decompress(data[start:end], 31)
    length = record.split(b"Content-Length: ")[1].split(b"\r\n")[0]
    record = record.replace(b"Content-Length: " + length, b"Content-Length: " + str(int(length) + 7).encode(), 1)
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    path = tmp_path / "cl.warc.gz"
    damaged = data[:start] + comp.compress(record) + comp.flush()
    path.write_bytes(damaged)
    with pytest.raises(ArchiveError, match="a complete record does not parse.*nothing cut"):
        repair(path)
    assert path.read_bytes() == damaged and not list(tmp_path.glob("*.tail"))


def test_archive_repair_and_index_exit_1_on_a_non_warc_file(tmp_path: Path) -> None:
    (tmp_path / "page.warc.gz").write_text("<html>not an archive</html>", encoding="utf-8")
    for action in ("repair", "index"):
        proc = subprocess.run([sys.executable, "-m", "crawler.cli", "archive", action, str(tmp_path / "page.warc.gz")],
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert proc.returncode == 1, (action, proc.stdout, proc.stderr)
        assert "does not start with a WARC record" in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
    assert (tmp_path / "page.warc.gz").read_text(encoding="utf-8") == "<html>not an archive</html>"
