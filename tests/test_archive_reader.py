"""Reader: records, offsets and payloads agree with warcio; revisits resolve to their originals."""

from __future__ import annotations

import gzip
import shutil
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from archive._scan import parse_record
from archive.exceptions import ArchiveError, RecordFormatError
from archive.reader import (
    RevisitResolver,
    decode_content,
    http_head_end,
    iter_records,
    read_record_at,
    resolve_revisit,
    split_http,
)
from archive.warc import HttpExchange, WarcWriter

DATA = Path(__file__).parent / "data" / "warc"
WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def exchange(url: str, body: bytes, headers: list[tuple[str, str]] | None = None, day: int = 0) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("Host", "site.test")], request_body=b"",
                        protocol="HTTP/1.1", status=200, reason="OK",
                        response_headers=headers or [("Content-Type", "text/html")], response_body=body,
                        ip_address="10.0.0.1", fetched_at=WHEN + timedelta(days=day))


def test_iteration_matches_warcio_offsets_and_lengths() -> None:
    path = DATA / "good.warc.gz"
    ours = [(r.offset, r.length, r.rec_type, r.record_id) for r in iter_records(path)]
    theirs = []
    with path.open("rb") as f:
        it = ArchiveIterator(f)
        for rec in it:
            rec.content_stream().read()
            theirs.append((it.get_record_offset(), it.get_record_length(), rec.rec_type,
                           rec.rec_headers.get_header("WARC-Record-ID")))
    assert ours == theirs


def test_read_record_at_a_writer_pointer(tmp_path: Path) -> None:
    html = "<html><p>在全市经济工作会议上的讲话</p></html>".encode()
    with WarcWriter(tmp_path, prefix="s", crawl_id="c", warcinfo={}) as w:
        w.write_exchange(exchange("http://site.test/0", b"x"))
        req, resp = w.write_exchange(exchange("http://site.test/1", gzip.compress(html),
                                              [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]))
    path = tmp_path / resp.filename
    raw = read_record_at(path, resp.offset)
    assert (raw.rec_type, raw.record_id, raw.length, raw.date) == ("response", resp.record_id, resp.length, resp.date)
    assert raw.http_status == 200 and raw.http_header("content-encoding") == "gzip"
    assert raw.header("WARC-Payload-Digest") == resp.payload_digest
    assert gzip.decompress(raw.payload) == html and not raw.content_decoded
    decoded = read_record_at(path, resp.offset, decode_content=True)
    assert decoded.payload == html and decoded.content_decoded
    request = read_record_at(path, req.offset)
    assert request.http_start_line == "GET /1 HTTP/1.1" and request.http_status is None


def test_uncompressed_warc_is_read_too() -> None:
    recs = list(iter_records(DATA / "golden-exchange.warc"))
    assert [r.rec_type for r in recs] == ["warcinfo", "request", "response"]
    assert recs[2].payload == "<p>讲话稿</p>".encode()
    assert read_record_at(DATA / "golden-exchange.warc", recs[2].offset).record_id == recs[2].record_id


def test_damage_raises_unless_skipped() -> None:
    with pytest.raises(RecordFormatError, match="truncated gzip member"):
        list(iter_records(DATA / "truncated.warc.gz"))
    assert len(list(iter_records(DATA / "truncated.warc.gz", skip_damage=True))) == 9
    bad = [r for r in iter_records(DATA / "bad-header.warc.gz") if r.problems]
    assert [r.problems for r in bad] == [("malformed WARC header line 6: 'WARC-IP-Address 127.0.0.1'",)]
    with pytest.raises(RecordFormatError, match="at offset 5: good.warc.gz: no WARC record starts here"):
        read_record_at(DATA / "good.warc.gz", 5)
    with pytest.raises(RecordFormatError, match="end of file"):
        read_record_at(DATA / "good.warc.gz", (DATA / "good.warc.gz").stat().st_size)


@pytest.mark.parametrize("length", ["²", "１２", "1_2", "+12", "12 3"])
def test_a_content_length_of_non_ascii_digits_is_a_format_error(length: str) -> None:
    """str.isdigit() takes "²" and full-width digits; int() then fails or reads them: neither is a WARC number."""
    head = f"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: {length}\r\n\r\n".encode()
    with pytest.raises(RecordFormatError, match="Content-Length is missing or not a number"):
        parse_record(head + b"ab\r\n\r\n")


def test_resolve_revisit_by_id_and_by_url_and_digest(tmp_path: Path) -> None:
    body = "<p>同志们：</p>".encode()
    with WarcWriter(tmp_path, prefix="s", crawl_id="c", warcinfo={}, max_size=1) as w:
        _, first = w.write_exchange(exchange("http://site.test/a", body))
        _, revisit = w.write_exchange(exchange("http://site.test/a", body, day=1))
        # A revisit of an original from a previous crawl whose files are not in this directory.
        w.remember("http://site.test/b", first.payload_digest, "<urn:uuid:elsewhere>", "2023-01-01T00:00:00Z")
        w.write_exchange(exchange("http://site.test/b", body))
    assert revisit.revisit_of == first.record_id and len(w.files) == 3
    rec = read_record_at(tmp_path / revisit.filename, revisit.offset)
    assert rec.rec_type == "revisit" and rec.payload == b""
    original = resolve_revisit(rec, tmp_path)
    assert original.record_id == first.record_id and original.payload == body
    resolver = RevisitResolver(tmp_path)
    b_revisit = [r for r in iter_records(w.files[2]) if r.rec_type == "revisit"][0]
    with pytest.raises(ArchiveError, match="original of revisit .* is not in"):
        resolver.original(b_revisit)
    with pytest.raises(ArchiveError, match="not a revisit"):
        resolver.original(original)


def test_resolve_by_url_and_digest_when_refers_to_is_absent(tmp_path: Path) -> None:
    shutil.copy(DATA / "good.warc.gz", tmp_path / "good.warc.gz")
    revisit = next(r for r in iter_records(tmp_path / "good.warc.gz") if r.rec_type == "revisit")
    headers = [(k, v) for k, v in revisit.headers if k != "WARC-Refers-To"]
    anonymous = type(revisit)(**{**revisit.__dict__, "headers": headers})
    original = RevisitResolver(tmp_path).original(anonymous, decode_content=True)
    assert original.target_uri == "http://site.test/a/1.html" and original.rec_type == "response"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "deflate-raw", "identity", "gzip, identity"])
def test_decode_content(coding: str) -> None:
    text = "讲话".encode() * 50
    encoded = {"gzip": gzip.compress(text), "deflate": zlib.compress(text), "identity": text,
               "deflate-raw": zlib.compress(text)[2:-4], "gzip, identity": gzip.compress(text)}[coding]
    assert decode_content(encoded, coding.replace("-raw", "")) == text


def test_decode_content_errors_are_clear() -> None:
    with pytest.raises(ArchiveError, match="cannot decode Content-Encoding 'compress'"):
        decode_content(b"x", "compress")
    with pytest.raises(ArchiveError, match="not valid gzip data"):
        decode_content(b"not gzip", "gzip")


def test_decode_brotli_and_zstd() -> None:
    brotli = pytest.importorskip("brotli")
    assert decode_content(brotli.compress(b"hello " * 20), "br") == b"hello " * 20
    zstd = pytest.importorskip("backports.zstd")
    assert decode_content(zstd.compress(b"hello " * 20), "zstd") == b"hello " * 20


def test_decode_content_refuses_a_bomb() -> None:
    bomb = gzip.compress(b"\0" * 2_000_000)
    with pytest.raises(ArchiveError, match="exceeds 1000000 bytes"):
        decode_content(bomb, "gzip", max_size=1_000_000)


def test_header_lookups_are_case_insensitive_first_values_and_follow_replace() -> None:
    from dataclasses import replace

    record = next(r for r in iter_records(DATA / "good.warc.gz") if r.rec_type == "response")
    assert record.header("warc-type") == record.header("WARC-Type") == "response"
    assert record.header("X-Absent") is None
    doubled = replace(record, headers=[("WARC-Type", "resource"), ("warc-type", "response")])
    assert doubled.header("WARC-TYPE") == "resource", "the first value, not one cached from the original"
    assert record.header("WARC-Type") == "response"


def _split_http_as_first_written(block: bytes) -> tuple[str | None, list[tuple[str, str]], bytes, bool]:
    """split_http as it was before its header loop was rewritten for speed: the reference."""
    end, body = http_head_end(block)
    lines = block[:end].decode("latin-1").splitlines()
    if not lines:
        return None, [], block[body:], body > end
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:]) if k.strip()]
    return lines[0], headers, block[body:], body > end


HEAD_LINES = st.lists(st.one_of(
    st.sampled_from([b"HTTP/1.1 200 OK", b"Content-Type: text/html", b"X:", b":v", b"no colon", b"", b" ",
                     b"  Name  :  value  ", b"A: b: c", b"\tT:\tv", b"K: \xe4\xb8\xad\x85\xa0", b"\x85: x",
                     b"\x0b\x0c\x1c", b"a\rb"]),
    st.binary(max_size=12)), max_size=6)


@settings(max_examples=1500, deadline=None)
@given(HEAD_LINES, st.sampled_from([b"\r\n", b"\n", b"\r"]), st.sampled_from([b"\r\n\r\n", b"\n\n", b"\r\n", b""]),
       st.binary(max_size=8))
def test_split_http_is_unchanged(lines: list[bytes], eol: bytes, blank: bytes, body: bytes) -> None:
    block = eol.join(lines) + blank + body
    assert split_http(block) == _split_http_as_first_written(block)
