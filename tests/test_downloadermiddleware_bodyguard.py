"""BodyGuardMiddleware: truncated compressed bodies and over-long streams fail with a clear reason."""

from __future__ import annotations

import gzip
import zlib

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler

from crawler.downloadermiddlewares.bodyguard import (
    BodyGuardMiddleware,
    BodyTooLargeError,
    TruncatedBodyError,
    compressed_stream_complete,
)
from crawler.downloadermiddlewares.retry import META_NOT_BEFORE
from tests import spider_crawler

PAGE = ("<html><body>" + "".join(chr(0x4E00 + k * 7919 % 20000) for k in range(20000)) + "</body></html>").encode()


def _mw(**settings: object) -> BodyGuardMiddleware:
    return build_from_crawler(BodyGuardMiddleware, spider_crawler({"RETRY_TIMES": 1, **settings}))


def _gzipped(request: Request, body: bytes, encoding: bytes = b"gzip") -> Response:
    return Response(request.url, body=body, headers={"Content-Encoding": encoding}, request=request)


def test_stream_completeness() -> None:
    packed = gzip.compress(PAGE)
    assert compressed_stream_complete(packed, 1 << 30) is True
    assert compressed_stream_complete(zlib.compress(PAGE), 1 << 30) is True
    raw = zlib.compressobj(wbits=-15)
    assert compressed_stream_complete(raw.compress(PAGE) + raw.flush(), 1 << 30) is True
    assert compressed_stream_complete(packed[: len(packed) // 2], 1 << 30) is False
    assert compressed_stream_complete(b"not compressed at all", 1 << 30) is False
    assert compressed_stream_complete(gzip.compress(b" " * (4 << 20)), 1 << 20) is None  # a bomb: not ours


def test_truncated_gzip_is_retried_then_fails() -> None:
    mw = _mw()
    request = Request("http://h/a.html")
    cut = gzip.compress(PAGE)[:300]
    retry = mw.process_response(request, _gzipped(request, cut))
    assert isinstance(retry, Request) and META_NOT_BEFORE in retry.meta
    with pytest.raises(TruncatedBodyError, match=r"truncated gzip body \(300 bytes") as caught:
        mw.process_response(retry, _gzipped(retry, cut))
    assert caught.value.kind == "truncated_body" and caught.value.status == 200


def test_whole_or_plain_bodies_pass() -> None:
    mw = _mw()
    request = Request("http://h/a.html")
    for response in (_gzipped(request, gzip.compress(PAGE)), Response(request.url, body=PAGE, request=request),
                     _gzipped(request, b"", b"gzip"), _gzipped(request, b"\x00\x01", b"br")):
        assert mw.process_response(request, response) is response


def test_a_stream_past_the_maximum_is_stopped_with_a_reason() -> None:
    mw = _mw(DOWNLOAD_MAXSIZE=1000)
    request = Request("http://h/big.html")
    mw.process_request(request)
    mw.bytes_received(b"x" * 600, request, None)
    with pytest.raises(BodyTooLargeError, match=r"larger than DOWNLOAD_MAXSIZE \(1000 bytes\): stopped after 1200"):
        mw.bytes_received(b"x" * 600, request, None)
    mw.process_request(request)  # a retry starts counting again
    mw.bytes_received(b"x" * 600, request, None)
