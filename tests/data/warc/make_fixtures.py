"""Regenerate the WARC fixtures in this directory: ``.venv/bin/python tests/data/warc/make_fixtures.py``.

The files are committed, not built at test time, so a change in the writer shows up as
a failing golden test rather than silently moving the goalposts.  Run this only when a
format change is intended, then review the diff of ``golden-exchange.warc`` by eye.

- ``golden-exchange.warc``  uncompressed warcinfo + request + response, byte-exact
- ``good.warc.gz``          a small crawl: pages, a gzip-encoded page, a revisit, metadata
- ``truncated.warc.gz``     ``good.warc.gz`` cut in the middle of its last record
- ``bad-digest.warc.gz``    one payload byte changed in the first response (member re-compressed)
- ``bad-header.warc.gz``    the ":" of one WARC header line replaced by a space
- ``non-chunked.warc.gz``   the same records as one gzip member for the whole file
"""

from __future__ import annotations

import gzip
import itertools
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from archive.warc import HttpExchange  # noqa: E402
from tests import GOLDEN_TIME, GoldenWriter  # noqa: E402

WHEN = GOLDEN_TIME


def _exchange(url: str, body: bytes, headers: list[tuple[str, str]], at: datetime = WHEN,
              status: int = 200, reason: str = "OK") -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("Host", "site.test"), ("User-Agent", "sc-test")],
                        request_body=b"", protocol="HTTP/1.1", status=status, reason=reason,
                        response_headers=headers, response_body=body, ip_address="127.0.0.1", fetched_at=at)


def _write(directory: Path, exchanges: list[HttpExchange], metadata: bool = False) -> bytes:
    directory.mkdir(exist_ok=True)
    with GoldenWriter(directory, prefix="site-a", crawl_id="c1",
                       warcinfo={"site-profile": "site-a", "robots": "obey"}) as w:
        pointers = [w.write_exchange(ex) for ex in exchanges]
        if metadata:
            w.write_metadata("urn:speechcrawl:doc:site-a:1", [pointers[0][1].record_id], {"title": "在全市大会上的讲话"})
    (path,) = w.files
    data = path.read_bytes()
    path.unlink()
    directory.rmdir()
    return data


def _members(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        out.append(data[pos:end])
        pos = end
    return out


def _recompress(text: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    return comp.compress(text) + comp.flush()


def main() -> None:
    tmp = HERE / "_tmp"
    golden = _write(tmp, [_exchange("http://site.test/a/1.html", "<p>讲话稿</p>".encode(),
                                    [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")])])
    (HERE / "golden-exchange.warc").write_bytes(gzip.decompress(golden))

    page = "<html><head><title>在全市大会上的讲话</title></head><body><p>同志们：</p></body></html>".encode()
    gz_page = gzip.compress("<html><body><p>荆州市委书记吴锦</p></body></html>".encode(), mtime=0)
    good = _write(tmp, [
        _exchange("http://site.test/a/1.html", page, [("Content-Type", "text/html; charset=utf-8")]),
        _exchange("http://site.test/a/2.html", gz_page,
                  [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]),
        _exchange("http://site.test/robots.txt", b"User-agent: *\nDisallow: /admin/\n", [("Content-Type", "text/plain")]),
        _exchange("http://site.test/a/1.html", page, [("Content-Type", "text/html; charset=utf-8")],
                  at=WHEN + timedelta(days=1)),
    ], metadata=True)
    (HERE / "good.warc.gz").write_bytes(good)
    members = _members(good)

    (HERE / "truncated.warc.gz").write_bytes(good[: len(good) - len(members[-1]) // 2])

    bad = bytearray(gzip.decompress(members[2]))  # members: warcinfo, request, response, ...
    at = bad.index(b"<title>") + 1
    bad[at] = ord("T")
    (HERE / "bad-digest.warc.gz").write_bytes(b"".join([*members[:2], _recompress(bytes(bad)), *members[3:]]))

    head = gzip.decompress(members[4])  # response of /a/2.html
    head = head.replace(b"WARC-IP-Address: ", b"WARC-IP-Address ", 1)
    (HERE / "bad-header.warc.gz").write_bytes(b"".join([*members[:4], _recompress(head), *members[5:]]))

    (HERE / "non-chunked.warc.gz").write_bytes(_recompress(gzip.decompress(good)))


if __name__ == "__main__":
    main()
