"""Fault endpoints in Scrapy's mockserver vocabulary, served by every sandbox site.

``/status/<n>``, ``/delay?n=S``, ``/drop``, ``/partial``, ``/broken-chunked``, ``/redirect?to=URL``,
``/enc-gbk``, ``/wait``, plus ``/retry-after?n=S&status=429`` and ``/big-body?mb=N``.  They are
additions next to the site's pages (no site route starts with these paths), for tests that need one
precise fault rather than a fault laid over real pages (:mod:`sandbox.faults`).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from sandbox.faults.modes import big_body, error_page
from sandbox.hooks import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["ENDPOINTS", "endpoint"]

ENDPOINTS = ("/status/", "/delay", "/drop", "/partial", "/broken-chunked", "/redirect", "/enc-gbk", "/wait",
             "/retry-after", "/big-body")
_PAGE = "<html><head><title>sandbox endpoint</title></head><body><p>{}</p></body></html>"


def _arg(query: str, name: str, default: str) -> str:
    return parse_qs(query).get(name, [default])[0]


def _number(query: str, name: str, default: float, high: float) -> float:
    try:
        return min(max(float(_arg(query, name, str(default))), 0.0), high)
    except ValueError:
        return default


def endpoint(request: Request) -> Response | None:
    """The endpoint's answer, or None when ``request`` is not for an endpoint."""
    path, query = request.path, request.query
    if not path.startswith(ENDPOINTS):
        return None
    if path.startswith("/status/"):
        code = path.removeprefix("/status/")
        return error_page(int(code)) if code.isdigit() and 100 <= int(code) <= 599 else error_page(400)
    if path == "/delay":
        return Response(200, _PAGE.format("delayed").encode(), delay=_number(query, "n", 1.0, 120.0))
    if path == "/wait":
        return Response(200, _PAGE.format("waited").encode(), delay=120.0)
    body = (_PAGE.format("x" * 4000)).encode()
    if path == "/drop":
        return Response(200, body, reset_after=len(body) // 2)
    if path == "/partial":
        return Response(200, body[:1000], length=len(body))
    if path == "/broken-chunked":
        return Response(200, content_type="text/html", headers=(("Transfer-Encoding", "chunked"),),
                        chunks=lambda: iter([b"10\r\n<html><body>abcd\r\n", b"zz\r\nbroken\r\n"]))
    if path == "/redirect":
        return Response.redirect(_arg(query, "to", "/"), 302)
    if path == "/enc-gbk":
        return Response.html(_PAGE.format("这是一个用GBK编码的页面。"), "gbk")
    if path == "/retry-after":
        seconds = _number(query, "n", 1.0, 3600.0)
        status = int(_number(query, "status", 429, 599))
        return error_page(status, (("Retry-After", f"{seconds:g}"),))
    if path == "/big-body":
        mb = int(_number(query, "mb", 200, 4096))
        return Response(200, length=mb << 20, chunks=lambda: big_body(mb))
    return None
