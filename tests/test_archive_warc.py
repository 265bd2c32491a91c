"""WarcWriter: real files, read back with warcio (an independent reader) and its CLI."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import random
import subprocess
import sys
import uuid
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive._format import http_request_head, sha1_digest, warc_date
from archive.exceptions import ArchiveError, WriterClosedError
from archive.verify import verify
from archive.warc import NOT_MODIFIED_PROFILE, REVISIT_PROFILE, HttpExchange, WarcWriter, body_is_compressed
from tests import GOLDEN_TIME, GoldenWriter

DATA = Path(__file__).parent / "data" / "warc"
BIN = Path(sys.executable).parent
WHEN = GOLDEN_TIME


def exchange(url: str = "http://site.test/a/1.html", body: bytes = "<p>讲话稿</p>".encode(), **kw: object) -> HttpExchange:
    fields: dict[str, object] = dict(
        url=url, method="GET", request_headers=[("Host", "site.test"), ("User-Agent", "sc-test")],
        request_body=b"", protocol="HTTP/1.1", status=200, reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        response_body=body, ip_address="127.0.0.1", fetched_at=WHEN)
    fields.update(kw)
    return HttpExchange(**fields)  # type: ignore[arg-type]


def writer(tmp_path: Path, cls: type[WarcWriter] = GoldenWriter, **kw: object) -> WarcWriter:
    opts: dict[str, object] = dict(prefix="site-a", crawl_id="c1",
                                   warcinfo={"site-profile": "site-a", "robots": "obey"})
    opts.update(kw)
    return cls(tmp_path, **opts)  # type: ignore[arg-type]


def records(path: Path) -> list[tuple[int, str, dict[str, str], bytes, object]]:
    out = []
    with path.open("rb") as f:
        it = ArchiveIterator(f, check_digests="raise")
        for rec in it:
            payload = rec.raw_stream.read()  # still content-encoded
            out.append((it.get_record_offset(), rec.rec_type, dict(rec.rec_headers.headers), payload,
                        rec.http_headers))
    return out


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "warcio"), *args], capture_output=True, text=True, check=False)


def test_golden_exchange_is_byte_exact(tmp_path: Path) -> None:
    with writer(tmp_path) as w:
        w.write_exchange(exchange(response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                                    ("Transfer-Encoding", "chunked")]))
    (path,) = w.files
    assert gzip.decompress(path.read_bytes()) == (DATA / "golden-exchange.warc").read_bytes()


def test_round_trip_with_warcio(tmp_path: Path) -> None:
    gz = gzip.compress("<html>人民代表大会</html>".encode(), mtime=0)
    ex = exchange(body=gz, response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                             ("Transfer-Encoding", "chunked")])
    with writer(tmp_path) as w:
        req, resp = w.write_exchange(ex)
    (path,) = w.files
    recs = records(path)
    assert [r[1] for r in recs] == ["warcinfo", "request", "response"]
    info = recs[0][3].decode()
    assert "software: speechcrawl/test\r\n" in info and "isPartOf: c1\r\n" in info
    assert "site-profile: site-a\r\n" in info and "robots: obey\r\n" in info
    assert recs[0][2]["WARC-Filename"] == path.name
    _, _, req_h, _, _ = recs[1]
    off, _, resp_h, payload, http = recs[2]
    assert req_h["WARC-Concurrent-To"] == resp_h["WARC-Record-ID"] == resp.record_id
    assert resp_h["WARC-Concurrent-To"] == req.record_id
    assert resp_h["WARC-Target-URI"] == ex.url and resp_h["WARC-IP-Address"] == "127.0.0.1"
    assert resp_h["WARC-Payload-Digest"] == resp.payload_digest and resp_h["WARC-Date"] == resp.date
    assert payload == gz, "the body is kept content-encoded, as it came off the wire"
    assert http.get_header("Content-Encoding") == "gzip"  # type: ignore[attr-defined]
    assert http.get_header("Transfer-Encoding") is None  # type: ignore[attr-defined]
    assert (off, resp.filename, resp.revisit_of) == (resp.offset, path.name, None)
    raw = path.read_bytes()
    assert zlib.decompressobj(31).decompress(raw[resp.offset:resp.offset + resp.length]).startswith(b"WARC/1.1\r\n")
    assert resp.offset + resp.length == len(raw)


def test_records_deflated_in_one_call_or_streamed_read_back_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record up to ONE_SHOT_MAX is deflated in one call of libdeflate, a larger one streamed through zlib-ng in its
    parts (its body is never copied): both are standard gzip members that warcio reads back and verify accepts."""
    import archive._format as fmt

    if fmt.ONE_SHOT is None:
        pytest.skip("libdeflate (PyPI deflate) is not installed: every record is streamed")
    monkeypatch.setattr(fmt, "ONE_SHOT_MAX", 20_000)
    small, large = "<p>讲话稿</p>".encode() * 100, "<p>在全区大会上的讲话</p>".encode() * 3000
    with writer(tmp_path) as w:
        _, one_call = w.write_exchange(exchange(body=small))
        _, streamed = w.write_exchange(exchange(url="http://site.test/a/2.html", body=large))
    (path,) = w.files
    raw = path.read_bytes()
    # The gzip header's OS byte tells the two deflaters apart: libdeflate writes "unknown" (255), zlib Unix (3).
    assert (raw[one_call.offset + 9], raw[streamed.offset + 9]) == (255, 3)
    assert [r[3] for r in records(path) if r[1] == "response"] == [small, large]
    assert verify(path).ok


@pytest.mark.parametrize(("headers", "body"), [
    ([("Content-Encoding", "gzip")], gzip.compress(f"<p>{os.urandom(8000).hex()}</p>".encode())),
    ([("Content-Encoding", "gzip, br")], os.urandom(150_000)),  # three stored blocks, the last a short one
    ([("Content-Type", "image/png")], os.urandom(70_000)),
    ([("Content-Type", "video/mp4; codecs=avc1")], os.urandom(5_000_000)),  # past ONE_SHOT_MAX: never copied whole
])
def test_a_compressed_body_is_stored_not_deflated_again(tmp_path: Path, headers: list[tuple[str, str]],
                                                        body: bytes) -> None:
    """A body compressed already (gzip on the wire, an image) goes into its member as stored blocks after the
    deflated head: the member is standard gzip, and no larger than deflating it would make it."""
    with writer(tmp_path, cls=WarcWriter) as w:
        _, resp = w.write_exchange(exchange(body=body, response_headers=[*headers, ("Content-Length", str(len(body)))]))
        _, text = w.write_exchange(exchange(url="http://site.test/a/2.html", body="<p>讲话稿</p>".encode() * 300))
    (path,) = w.files
    raw = path.read_bytes()
    member = raw[resp.offset:resp.offset + resp.length]
    assert body[:60_000] in member  # stored: the body's bytes are in the file as they are
    record = gzip.decompress(member)
    assert record.endswith(body + b"\r\n\r\n") and record.startswith(b"WARC/1.1\r\n")
    assert len(member) <= len(zlib.compress(record, 1)) + 64
    assert "<p>讲话稿</p>".encode() not in raw[text.offset:text.offset + text.length]  # text is still deflated
    assert [r[3] for r in records(path) if r[1] == "response"] == [body, "<p>讲话稿</p>".encode() * 300]
    assert verify(path).ok
    check = warcio_cli("check", str(path))
    assert check.returncode == 0, check.stdout + check.stderr


def test_which_bodies_count_as_compressed() -> None:
    assert body_is_compressed([("Content-Encoding", " GZIP ")])
    assert body_is_compressed([("content-encoding", "identity, br")])
    assert body_is_compressed([("Content-Type", "image/jpeg")])
    assert body_is_compressed([("Content-Type", "audio/ogg")])
    assert not body_is_compressed([("Content-Encoding", "identity"), ("Content-Type", "text/html; charset=gbk")])
    assert not body_is_compressed([("Content-Type", "image/svg+xml")])
    assert not body_is_compressed([])


def test_warcio_check_and_index_accept_the_files(tmp_path: Path) -> None:
    with writer(tmp_path, cls=WarcWriter, max_size=20_000) as w:
        for i in range(30):
            w.write_exchange(exchange(url=f"http://site.test/{i % 7}.html", body=bytes(range(256)) * (i % 7 + 1) * 8,
                                      fetched_at=datetime.now(UTC)))
        w.write_metadata("urn:speechcrawl:doc:1", ["<urn:uuid:x>"], {"title": "讲话"})
    check = warcio_cli("check", "-v", *map(str, w.files))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "revisit" in check.stdout
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri", *map(str, w.files))
    assert index.returncode == 0 and index.stdout.count('"revisit"') == 23


def test_same_url_and_payload_becomes_a_revisit(tmp_path: Path) -> None:
    with writer(tmp_path) as w:
        _, first = w.write_exchange(exchange())
        _, again = w.write_exchange(exchange(fetched_at=WHEN.replace(hour=9)))
        _, other_url = w.write_exchange(exchange(url="http://site.test/a/2.html"))
        _, changed = w.write_exchange(exchange(body=b"<p>new</p>"))
    assert again.revisit_of == first.record_id and again.payload_digest == first.payload_digest
    assert other_url.revisit_of is None and changed.revisit_of is None
    recs = {r[2]["WARC-Record-ID"]: r for r in records(w.files[0])}
    _, kind, headers, payload, http = recs[again.record_id]
    assert kind == "revisit" and payload == b""
    assert headers["WARC-Profile"] == REVISIT_PROFILE
    assert headers["WARC-Refers-To"] == first.record_id
    assert headers["WARC-Refers-To-Target-URI"] == "http://site.test/a/1.html"
    assert headers["WARC-Refers-To-Date"] == first.date
    assert http.get_header("Content-Type") == "text/html; charset=utf-8"  # type: ignore[attr-defined]


def test_a_revisit_leaves_out_a_request_record_that_repeats_the_last_one(tmp_path: Path) -> None:
    """A re-check that asks what the previous request asked (but for the URL and the validators of the
    response it confirms) adds no request record; any other request is written, and can be forced."""
    validators = [("If-None-Match", '"v1"'), ("If-Modified-Since", "Wed, 01 May 2024 08:00:00 GMT")]
    later = WHEN.replace(hour=9)
    with writer(tmp_path / "lean", cls=WarcWriter) as w:
        _, first = w.write_exchange(exchange())
        w.write_exchange(exchange(url="http://site.test/a/2.html"))
        same, same_revisit = w.write_exchange(exchange(fetched_at=later))
        confirmed, not_modified = w.write_exchange(exchange(
            request_headers=exchange().request_headers + validators, status=304, reason="Not Modified", body=b"",
            fetched_at=later, not_modified_of=(first.record_id, first.date, first.payload_digest)))
        asked, ignored = w.write_exchange(exchange(request_headers=exchange().request_headers + validators,
                                                   fetched_at=later))
        other, other_revisit = w.write_exchange(exchange(
            request_headers=[("Host", "site.test"), ("User-Agent", "another")], fetched_at=later))
    assert same is None and confirmed is None and same_revisit.revisit_of == not_modified.revisit_of == first.record_id
    # Validators on a 200: taken from the catalog, not from the record the revisit names, so the request is kept.
    assert asked is not None and ignored.revisit_of == first.record_id
    assert other is not None and other_revisit.revisit_of == first.record_id
    lean = w.files
    recs = {r[2]["WARC-Record-ID"]: r for r in records(lean[0])}
    assert [r[1] for r in recs.values()].count("request") == 4
    assert "WARC-Concurrent-To" not in recs[same_revisit.record_id][2]
    assert recs[not_modified.record_id][2]["WARC-Profile"] == NOT_MODIFIED_PROFILE
    assert recs[other_revisit.record_id][2]["WARC-Concurrent-To"] == other.record_id
    assert all("WARC-Warcinfo-ID" not in r[2] for r in recs.values())
    assert all("WARC-Payload-Digest" not in r[2] for r in recs.values() if r[1] == "request")
    with writer(tmp_path / "all", cls=WarcWriter, repeated_requests=True) as w:
        w.write_exchange(exchange())
        request, revisit = w.write_exchange(exchange(fetched_at=later))
    assert request is not None and revisit.revisit_of is not None
    with writer(tmp_path / "rotated", cls=WarcWriter, max_size=1) as w:
        w.write_exchange(exchange())
        request, revisit = w.write_exchange(exchange(fetched_at=later))
    assert request is not None and revisit.revisit_of is not None, "each file holds the request a revisit repeats"
    check = warcio_cli("check", *map(str, [*lean, *w.files]))
    assert check.returncode == 0, check.stdout + check.stderr


def test_revisits_can_be_switched_off_or_preloaded(tmp_path: Path) -> None:
    with writer(tmp_path / "off", revisits=False) as w:
        w.write_exchange(exchange())
        _, second = w.write_exchange(exchange())
    assert second.revisit_of is None
    with writer(tmp_path / "pre") as w:
        w.remember("http://site.test/a/1.html", second.payload_digest, "<urn:uuid:old>", "2023-01-01T00:00:00Z")
        _, third = w.write_exchange(exchange())
    assert third.revisit_of == "<urn:uuid:old>"


def test_empty_bodies_are_never_revisits(tmp_path: Path) -> None:
    with writer(tmp_path) as w:
        w.write_exchange(exchange(body=b"", status=301, reason="Moved Permanently"))
        _, second = w.write_exchange(exchange(body=b"", status=301, reason="Moved Permanently"))
    assert second.revisit_of is None


def test_rotation_gives_each_file_its_own_warcinfo(tmp_path: Path) -> None:
    body = random.Random(7).randbytes(50_000)  # barely compresses, so sizes are predictable
    with writer(tmp_path, cls=WarcWriter, max_size=100_000) as w:
        pointers = [w.write_exchange(exchange(url=f"http://site.test/{i}", body=body + bytes([i])))[1]
                    for i in range(8)]
    assert len(w.files) >= 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in w.files]
    for n, path in enumerate(w.files):
        assert path.name.startswith("site-a-c1-") and path.name.endswith(f"-{n:05d}.warc.gz")
        recs = records(path)
        assert recs[0][1] == "warcinfo" and recs[0][2]["WARC-Filename"] == path.name
        assert [r[1] for r in recs[1:]] == ["request", "response"] * ((len(recs) - 1) // 2)
        assert path.stat().st_size < 100_000 + 2 * len(body)
    assert {p.filename for p in pointers} == {p.name for p in w.files}


def test_file_is_open_while_written_and_renamed_on_close(tmp_path: Path) -> None:
    w = writer(tmp_path)
    assert list(tmp_path.iterdir()) == [], "no empty file before the first record"
    _, resp = w.write_exchange(exchange())
    (only,) = tmp_path.iterdir()
    assert only.name == resp.filename + ".open" and w.current_path == only
    assert records(only)[-1][1] == "response", "everything written so far is readable before close"
    w.close()
    assert [p.name for p in tmp_path.iterdir()] == [resp.filename]
    with pytest.raises(WriterClosedError):
        w.write_exchange(exchange())
    w.close()  # idempotent


def test_a_second_run_continues_the_serial(tmp_path: Path) -> None:
    with writer(tmp_path, cls=WarcWriter) as w:
        w.write_exchange(exchange())
    with writer(tmp_path, cls=WarcWriter) as w2:
        w2.write_exchange(exchange())
    assert w.files[0].name.endswith("-00000.warc.gz") and w2.files[0].name.endswith("-00001.warc.gz")


def test_metadata_record(tmp_path: Path) -> None:
    with writer(tmp_path) as w:
        _, resp = w.write_exchange(exchange())
        meta = w.write_metadata("urn:speechcrawl:doc:1", [resp.record_id, "<urn:uuid:p2>"], {"标题": "讲话", "n": 2})
        with pytest.raises(ArchiveError, match="not JSON-serialisable"):
            w.write_metadata("urn:x", [], {"when": WHEN})
    last = records(w.files[0])[-1]
    assert last[1] == "metadata" and last[2]["Content-Type"] == "application/json"
    assert last[3].decode() == '{"n": 2, "标题": "讲话"}'
    assert last[2]["WARC-Record-ID"] == meta.record_id and last[0] == meta.offset
    raw = gzip.decompress(w.files[0].read_bytes())
    assert raw.count(b"WARC-Refers-To: ") == 2


def test_header_injection_is_neutralised(tmp_path: Path) -> None:
    with writer(tmp_path) as w:
        w.write_exchange(exchange(url="http://site.test/a b\r\nWARC-Type: evil",
                                  response_headers=[("X-Bad", "one\r\nSet-Cookie: x")]))
    recs = records(w.files[0])
    assert recs[2][2]["WARC-Target-URI"] == "http://site.test/a%20b%0D%0AWARC-Type:%20evil"
    assert recs[2][4].get_header("X-Bad") == "one Set-Cookie: x"  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", ["\n", "\r", "\r\n", "\n\n\r"])
def test_a_lone_line_break_anywhere_in_a_head_becomes_a_space(tmp_path: Path, bad: str) -> None:
    # The heads are checked for breaks once, on the joined text: a lone CR or LF must be caught as surely as CRLF.
    with writer(tmp_path, cls=WarcWriter, warcinfo={"operator": f"ops{bad}team"}) as w:
        w.write_exchange(exchange(request_headers=[("Host", "site.test"), ("X-Req", f"a{bad}b")],
                                  response_headers=[("X-Resp", f"c{bad}d"), ("Content-Type", "text/html")],
                                  reason=f"O{bad}K"))
    recs = records(w.files[0])
    assert [r[1] for r in recs] == ["warcinfo", "request", "response"]
    assert b"operator: ops team\r\n" in recs[0][3]
    assert recs[1][4].get_header("X-Req") == "a b"  # type: ignore[attr-defined]
    assert recs[2][4].get_header("X-Resp") == "c d"  # type: ignore[attr-defined]
    assert recs[2][4].get_header("Content-Type") == "text/html"  # type: ignore[attr-defined]
    assert verify(w.files[0]).ok


def test_record_ids_are_random_version_4_uuids(tmp_path: Path) -> None:
    with writer(tmp_path, cls=WarcWriter) as w:
        for n in range(200):
            w.write_exchange(exchange(url=f"http://site.test/a/{n}.html"))
    ids = [r[2]["WARC-Record-ID"] for r in records(w.files[0])]
    assert len(set(ids)) == len(ids) == 401
    for record_id in ids:
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        parsed = uuid.UUID(record_id[len("<urn:uuid:"):-1])
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == record_id[len("<urn:uuid:"):-1]


def test_warc_dates_are_utc_with_four_digit_years() -> None:
    assert warc_date(datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))) == "2026-03-28T23:30:00.000000Z"
    assert warc_date(datetime(2026, 3, 29, 1, 30, 0, 7)) == "2026-03-29T01:30:00.000007Z"  # naive: taken as UTC
    assert warc_date(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00.000000Z"


def test_bad_arguments_fail_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="max_size"):
        writer(tmp_path, max_size=0)
    with pytest.raises(ArchiveError, match="file name"):
        writer(tmp_path, crawl_id="a/b")


def test_failed_write_leaves_no_half_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = writer(tmp_path)
    w.write_exchange(exchange())
    path = w.current_path
    assert path is not None
    size = path.stat().st_size
    real_write = os.write
    calls = {"n": 0}

    def flaky(fd: int, data: memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, data[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", flaky)
    with pytest.raises(OSError):
        w.write_exchange(exchange(url="http://site.test/other"))
    monkeypatch.undo()
    assert path.stat().st_size == size
    w.write_exchange(exchange(url="http://site.test/third"))
    w.close()
    assert [r[1] for r in records(w.files[0])] == ["warcinfo", "request", "response", "request", "response"]


def _sent_requests(path: Path) -> dict[str, bytes]:
    """Each revisit's request as the file says it was sent (docs/archive.md, "A revisit without a request
    record"): its own request record, or the request record last written before it with the revisit's
    URI and the Referer its ``WARC-Request-Referer`` names."""
    sent, last = {}, b""
    with path.open("rb") as f:  # the blocks as written, HTTP heads unparsed
        blocks = [(r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
                  for r in ArchiveIterator(f, no_record_parse=True)]
    for kind, headers, block in blocks:
        if kind == "request":
            last = block
        if kind != "revisit":
            continue
        if "WARC-Concurrent-To" in headers:
            sent[headers["WARC-Record-ID"]] = last
            continue
        line, *fields = last.decode("latin-1").split("\r\n\r\n")[0].split("\r\n")
        method, _, protocol = line.split(" ")
        target = headers["WARC-Target-URI"].split("/", 3)[3]
        fields = [f for f in fields if f.split(":")[0].lower() not in ("if-none-match", "if-modified-since")]
        if "WARC-Request-Referer" in headers:
            referer = f"Referer: {headers['WARC-Request-Referer']}"
            at = [f.split(":")[0].lower() for f in fields]
            if "referer" in at:
                fields[at.index("referer")] = referer
            else:
                fields.insert(at.index("host") + 1 if "host" in at else 0, referer)
        sent[headers["WARC-Record-ID"]] = "\r\n".join([f"{method} /{target} {protocol}", *fields, "", ""]).encode()
    return sent


def test_a_revisit_names_the_referer_instead_of_writing_a_request_record(tmp_path: Path) -> None:
    """A re-check whose request differs from the file's last request record only in its Referer adds no
    request record: the revisit names the Referer, and the request as sent can be rebuilt byte for byte."""
    later = WHEN.replace(hour=9)
    host, agent = ("Host", "site.test"), ("User-Agent", "sc-test")
    asked = {
        "no referer": [host, agent],
        "referer after host": [host, ("Referer", "http://site.test/list/1.html"), agent],
        "another referer": [host, ("Referer", "http://site.test/list/2.html"), agent],
        "referer last": [host, agent, ("Referer", "http://site.test/list/3.html")],  # cannot go after Host: written
        "referer replaced": [host, agent, ("Referer", "http://site.test/list/4.html")],
        "referer dropped": [host, agent],  # the last request record has one: written
        "referer with a space": [host, ("Referer", "http://site.test/a b"), agent],  # not a header value as is
        "two referers": [host, ("Referer", "http://site.test/x"), ("Referer", "http://site.test/y"), agent],
    }
    with writer(tmp_path, cls=WarcWriter) as w:
        w.write_exchange(exchange(request_headers=[host, agent]))
        pointers = {name: w.write_exchange(exchange(request_headers=headers, fetched_at=later))
                    for name, headers in asked.items()}
    written = {name for name, (request, _) in pointers.items() if request is not None}
    assert written == {"referer last", "referer dropped", "referer with a space", "two referers"}
    assert all(revisit.revisit_of is not None for _, revisit in pointers.values())
    recs = {r[2]["WARC-Record-ID"]: r[2] for r in records(w.files[0])}
    named = {name: recs[revisit.record_id].get("WARC-Request-Referer") for name, (_, revisit) in pointers.items()}
    assert named == {"no referer": None, "referer after host": "http://site.test/list/1.html",
                     "another referer": "http://site.test/list/2.html", "referer last": None,
                     "referer replaced": "http://site.test/list/4.html", "referer dropped": None,
                     "referer with a space": None, "two referers": None}
    sent = _sent_requests(w.files[0])
    for name, headers in asked.items():
        record_id = pointers[name][1].record_id
        assert sent[record_id] == http_request_head("GET", "http://site.test/a/1.html", "HTTP/1.1", headers), name
    check = warcio_cli("check", str(w.files[0]))
    assert check.returncode == 0, check.stdout + check.stderr
    report = verify(w.files[0])
    assert report.ok, report


def test_a_304_revisit_names_its_referer_and_keeps_the_validators_rule(tmp_path: Path) -> None:
    validators = [("If-None-Match", '"v1"'), ("If-Modified-Since", "Wed, 01 May 2024 08:00:00 GMT")]
    referer = ("Referer", "http://site.test/list/1.html")
    with writer(tmp_path, cls=WarcWriter) as w:
        _, first = w.write_exchange(exchange(response_headers=[("ETag", '"v1"')]))
        request, not_modified = w.write_exchange(exchange(
            request_headers=[("Host", "site.test"), referer, ("User-Agent", "sc-test"), *validators], status=304,
            reason="Not Modified", body=b"", fetched_at=WHEN.replace(hour=9),
            not_modified_of=(first.record_id, first.date, first.payload_digest)))
        kept, ignored = w.write_exchange(exchange(  # validators on a 200 are not the revisit's to rebuild
            request_headers=[("Host", "site.test"), referer, ("User-Agent", "sc-test"), *validators]))
    assert request is None and kept is not None and ignored.revisit_of == first.record_id
    recs = {r[2]["WARC-Record-ID"]: r[2] for r in records(w.files[0])}
    assert recs[not_modified.record_id]["WARC-Profile"] == NOT_MODIFIED_PROFILE
    assert recs[not_modified.record_id]["WARC-Request-Referer"] == "http://site.test/list/1.html"
    assert "WARC-Request-Referer" not in recs[ignored.record_id]


def test_sha1_digest_is_the_base32_of_the_sha1() -> None:
    for n in range(2000):
        data = hashlib.sha256(n.to_bytes(4, "big")).digest() * (n % 7)
        assert sha1_digest(data) == "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")
