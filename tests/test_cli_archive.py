"""``speechcrawl archive verify|index|repair``: whole outputs and exit codes, in-process and as a process."""

from __future__ import annotations

import base64
import hashlib
import shutil
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.warc import HttpExchange, RecordPointer, WarcWriter
from crawler.cli import main
from tests import run_cli

DATA = Path(__file__).parent / "data" / "warc"


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _write_three(directory: Path) -> tuple[Path, list[RecordPointer]]:
    """A closed file of three fetches; returns it and the response pointers."""
    pointers = []
    with WarcWriter(directory, prefix="s", crawl_id="c", warcinfo={}) as w:
        for i in range(3):
            body = f"<p>第{i}篇讲话，同志们：</p>".encode() * 40
            _, resp = w.write_exchange(HttpExchange(
                url=f"http://s.test/{i}.html", method="GET", request_headers=[("Host", "s.test")], request_body=b"",
                protocol="HTTP/1.1", status=200, reason="OK", response_headers=[("Content-Type", "text/html")],
                response_body=body, ip_address="127.0.0.1", fetched_at=datetime.now(UTC)))
            pointers.append(resp)
    (path,) = w.files
    return path, pointers


def _tamper(path: Path, pointer: RecordPointer, find: bytes, replace: bytes) -> tuple[bytes, bytes, int]:
    """Change bytes inside one record (uncompressed) and re-compress its member.

    Returns the record before and after, and by how much the file grew.
    """
    data = path.read_bytes()
    record = zlib.decompress(data[pointer.offset:pointer.offset + pointer.length], 31)
    assert record.count(find) >= 1
    changed = record.replace(find, replace, 1)
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    member = comp.compress(changed) + comp.flush()
    path.write_bytes(data[:pointer.offset] + member + data[pointer.offset + pointer.length:])
    return record, changed, len(member) - pointer.length


def _block(record: bytes) -> bytes:
    return record[record.index(b"\r\n\r\n") + 4:-4]


def _payload(record: bytes) -> bytes:
    block = _block(record)
    return block[block.index(b"\r\n\r\n") + 4:]


def _verify_lines(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["archive", "verify", str(path)]) == 1
    return capsys.readouterr().out.splitlines()


def test_verify_reports_a_flipped_payload_byte_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, pointers = _write_three(tmp_path)
    before, after, _ = _tamper(path, pointers[1], "第1篇".encode(), "第1箇".encode())  # one byte differs
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    name, at = path.name, pointers[1].offset
    assert _verify_lines(path, capsys) == [
        f"{name}: 2 faults, 7 records, {path.stat().st_size} bytes",
        f"  {name}:{at}: block digest mismatch: header {_sha1(_block(before))}, computed {_sha1(_block(after))}",
        f"  {name}:{at}: payload digest mismatch: header {_sha1(_payload(before))}, "
        f"computed {_sha1(_payload(after))}",
        "1 files, 7 records: 0 OK, 1 with faults",
    ]
    assert pointers[1].payload_digest == _sha1(_payload(before))


def test_verify_reports_a_flipped_header_byte_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, pointers = _write_three(tmp_path)
    # A byte of the WARC head is covered by no digest; a broken separator is still caught.
    _tamper(path, pointers[2], b"WARC-IP-Address: ", b"WARC-IP-Address; ")
    # A byte of the HTTP head is in the block but not in the payload: only the block digest breaks.
    before, after, grew = _tamper(path, pointers[0], b"Content-Type: text/html", b"Content-Type: text/htmm")
    name = path.name
    assert _verify_lines(path, capsys)[1:] == [
        f"  {name}:{pointers[0].offset}: block digest mismatch: header {_sha1(_block(before))}, "
        f"computed {_sha1(_block(after))}",
        f"  {name}:{pointers[2].offset + grew}: malformed WARC header line 6: 'WARC-IP-Address; 127.0.0.1'",
        "1 files, 7 records: 0 OK, 1 with faults",
    ]


def test_verify_goes_on_past_bad_files(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [DATA / n for n in ("truncated.warc.gz", "good.warc.gz", "bad-header.warc.gz", "missing.warc.gz")]
    assert main(["archive", "verify", *map(str, paths)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "truncated.warc.gz: 1 fault, 9 records, 3700 bytes",
        "  truncated.warc.gz:3535: truncated gzip member (165 bytes): the file ends inside a record; "
        "run `speechcrawl archive repair`",
        "good.warc.gz: OK, 10 records, 3864 bytes",
        "bad-header.warc.gz: 1 fault, 10 records, 3863 bytes",
        "  bad-header.warc.gz:1534: malformed WARC header line 6: 'WARC-IP-Address 127.0.0.1'",
        "missing.warc.gz: 1 fault, 0 records, 0 bytes",
        f"  missing.warc.gz:0: cannot read file: [Errno 2] No such file or directory: '{paths[3]}'",
        "4 files, 29 records: 1 OK, 3 with faults",
    ]


def test_index_to_stdout_and_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "index", str(DATA / "good.warc.gz")]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 5 and lines == sorted(lines)
    assert captured.err == "5 index lines written to stdout\n"
    shutil.copy(DATA / "good.warc.gz", tmp_path / "good.warc.gz")
    out = tmp_path / "index.cdxj"
    assert main(["archive", "index", str(tmp_path), "-o", str(out), "--root", str(tmp_path.parent)]) == 0
    assert out.read_text().splitlines() == [
        line.replace('"filename": "good.warc.gz"', f'"filename": "{tmp_path.name}/good.warc.gz"') for line in lines]


def test_index_refuses_a_file_it_cannot_index(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "index", str(DATA / "non-chunked.warc.gz")]) == 1
    assert "is not record-chunked" in capsys.readouterr().err


def test_repair_closes_a_killed_crawls_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(DATA / "truncated.warc.gz", tmp_path / "t.warc.gz.open")
    shutil.copy(DATA / "good.warc.gz", tmp_path / "good.warc.gz")
    shutil.copy(DATA / "bad-digest.warc.gz", tmp_path / "bad.warc.gz")
    assert main(["archive", "repair", str(tmp_path)]) == 1  # the digest fault cannot be repaired
    assert capsys.readouterr().out.splitlines() == [
        "bad.warc.gz: 2 faults, 10 records, 3866 bytes; not repairable: repair only cuts an incomplete tail",
        "good.warc.gz: OK, 10 records, 3864 bytes",
        "t.warc.gz: kept 9 records, cut 165 bytes of an incomplete record (saved as t.warc.gz.tail), "
        "renamed from t.warc.gz.open",
    ]
    assert (tmp_path / "t.warc.gz").stat().st_size == 3535
    (tmp_path / "bad.warc.gz").unlink()
    assert main(["archive", "verify", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 files, 19 records: 2 OK, 0 with faults"


def test_exit_codes_of_the_real_entry_point(tmp_path: Path) -> None:
    assert run_cli("archive", "verify", str(DATA / "good.warc.gz")).returncode == 0
    assert run_cli("archive", "verify", str(DATA / "bad-digest.warc.gz")).returncode == 1
    assert run_cli("archive", "verify", str(tmp_path)).returncode == 1  # nothing to verify is not a success
    usage = run_cli("archive", "verify")
    assert usage.returncode == 2 and "PATH" in usage.stderr
    assert run_cli("archive").returncode == 2
    assert "speechcrawl archive verify data/warc" in run_cli("archive", "verify", "--help").stdout
