"""What each sandbox fault mode serves: a real page of the site, broken the way real servers break it.

Every builder takes the rule, the site and the request and returns the broken :class:`Response`;
most start from the site's own answer (``site.answer``), so the content under the fault is exactly
the normal page.  Bodies that could be large (the 200 MB body) are generated piece by piece and
never held in memory.  Everything is deterministic per target except session ids, whose whole point
is to be new on every view.
"""

from __future__ import annotations

import gzip
import logging
import random
import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from email.utils import formatdate
from functools import lru_cache
from time import time
from typing import TYPE_CHECKING

from sandbox.faults.rule import CHARSET_VARIANTS, MODES, FaultRule, crc
from sandbox.hooks import Request, Response

if TYPE_CHECKING:
    from sandbox.sites.base import Site

logger = logging.getLogger(__name__)

__all__ = ["BUILDERS", "calendar_page", "big_body", "error_page", "strip_param"]

_META_CHARSET = re.compile(rb"""(<meta[^>]*?charset\s*=\s*["']?)([A-Za-z0-9_-]+)""", re.I)
_HREF = re.compile(rb"""href=(["'])(?![a-z][a-z0-9+.-]*:|//|#)([^"'#]*)\1""", re.I)
_CLOSING = re.compile(rb"</(?:p|li|td|tr)>", re.I)
_BLOCK = b"<p>" + "填充内容,用来测试最大响应体积。".encode() * 40 + b"</p>\n"

def strip_param(query: str, name: str) -> str:
    """``query`` without the ``name=…`` parameter (a session id or a loop marker)."""
    return "&".join(p for p in query.split("&") if p and p.split("=", 1)[0] != name)


def error_page(status: int, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>".encode()
    return Response(status, body, headers=headers)


def _text_of(site: Site, response: Response) -> str:
    return response.body.decode(site.encoding)


def _burst(rule: FaultRule, site: Site, request: Request) -> Response:
    headers: tuple[tuple[str, str], ...] = ()
    if rule.retry_after:
        value = rule.retry_after
        if value.startswith("@"):  # the HTTP-date form, as some servers send it
            value = formatdate(time() + float(value[1:]), usegmt=True)
        headers = (("Retry-After", value),)
    return error_page(rule.status, headers)


def _slow(rule: FaultRule, site: Site, request: Request) -> Response:
    return replace(site.answer(request), delay=rule.seconds)


def _reset(rule: FaultRule, site: Site, request: Request) -> Response:
    page = site.answer(request)
    return replace(page, reset_after=len(page.body) // 2)


def _redirect_loop(rule: FaultRule, site: Site, request: Request) -> Response:
    """A -> A?loop=1 -> A: each hop looks new to a crawler that only counts hops."""
    if "loop=1" in request.query.split("&"):
        query = strip_param(request.query, "loop")
        return Response.redirect(request.path + (f"?{query}" if query else ""), 302)
    return Response.redirect(f"{request.target}{'&' if request.query else '?'}loop=1", 302)


def _gzip_truncated(rule: FaultRule, site: Site, request: Request) -> Response:
    page = site.answer(request)
    packed = gzip.compress(page.body)
    return replace(page, body=packed[: len(packed) * 3 // 5], headers=(*page.headers, ("Content-Encoding", "gzip")))


@lru_cache(maxsize=4)
def _bomb(megabytes: int) -> bytes:
    return gzip.compress(b"<html><body>" + b" " * (megabytes << 20) + b"</body></html>", compresslevel=9)


def _gzip_bomb(rule: FaultRule, site: Site, request: Request) -> Response:
    return Response(200, _bomb(rule.mb), headers=(("Content-Encoding", "gzip"),))


def big_body(megabytes: int) -> Iterator[bytes]:
    """``megabytes`` MB of HTML, 64 KB at a time (a generator: the server never holds it)."""
    block = (_BLOCK * (65536 // len(_BLOCK) + 1))[:65536]
    for _ in range(megabytes * 16):
        yield block


def _big(rule: FaultRule, site: Site, request: Request) -> Response:
    size = rule.mb << 20
    return Response(200, content_type="text/html; charset=utf-8", length=size if rule.length else None,
                    chunks=lambda: big_body(rule.mb))


def _binary(rule: FaultRule, site: Site, request: Request) -> Response:
    junk = random.Random(crc(request.target)).randbytes(24_000)
    return Response(200, junk, "text/html; charset=utf-8")


def _non_html(rule: FaultRule, site: Site, request: Request) -> Response:
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + random.Random(crc(request.target)).randbytes(4000) + b"\n%%EOF\n"
    return Response(200, body, "application/pdf")


def _charset(rule: FaultRule, site: Site, request: Request) -> Response:
    page = site.answer(request)
    name = rule.charset
    if name == "mixed":
        name = sorted(CHARSET_VARIANTS)[crc(request.target) % len(CHARSET_VARIANTS)]
    codec, header, meta, prefix = CHARSET_VARIANTS[name]
    body = prefix + _text_of(site, page).encode(codec, errors="xmlcharrefreplace")
    if meta is None:
        body = _META_CHARSET.sub(b"", body)
    else:
        body = _META_CHARSET.sub(lambda m: m.group(1) + meta.encode(), body)
    return replace(page, body=body, content_type="text/html" + (f"; charset={header}" if header else ""))


def _nul(rule: FaultRule, site: Site, request: Request) -> Response:
    """NUL bytes before every 7th tag; ``<`` is never a trail byte in GBK or UTF-8, so no char is split."""
    page = site.answer(request)
    pieces = page.body.split(b"<")
    body = pieces[0] + b"".join((b"\x00<" if k % 7 == 0 else b"<") + p for k, p in enumerate(pieces[1:], 1))
    return replace(page, body=body + b"\x00" * 16)


def _broken_html(rule: FaultRule, site: Site, request: Request) -> Response:
    """Unclosed p/li/td/tr, no </body></html>, and the document cut mid-tag in its footer."""
    page = site.answer(request)
    body = _CLOSING.sub(b"", page.body).replace(b"</body>", b"").replace(b"</html>", b"")
    cut = body.rfind(b"<", 0, len(body) - len(body) // 40)
    return replace(page, body=body[: cut + 4])


def _offsite(rule: FaultRule, site: Site, request: Request) -> Response:
    page = site.answer(request)
    links = ('<div class="friends"><a href="http://offsite.invalid/wmgz/1.html">友情链接</a>'
             '<a href="//www.example.com/list_1.html">外站</a><a href="http://127.0.0.1:9/a.html">本机</a>'
             '<a href="https://[::1]/b.html">v6</a></div>').encode(site.encoding)
    return replace(page, body=page.body.replace(b"</body>", links + b"</body>", 1))


def calendar_page(site: Site, target: str) -> Response | None:
    """``/calendar/YYYY-MM.html`` and ``/calendar/YYYY-MM-DD.html``: every month and day exists."""
    m = re.fullmatch(r"/calendar/(\d{4})-(\d{2})(?:-(\d{2}))?\.html", target)
    if m is None:
        return None
    try:
        day = date(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError:
        return error_page(404)
    if m[3]:
        links = [f"/calendar/{d:%Y-%m-%d}.html" for d in (day - timedelta(days=1), day + timedelta(days=1))]
        links.append(f"/calendar/{day:%Y-%m}.html")
        title = f"{day:%Y年%m月%d日} 文章归档"
    else:
        prev_month = (day - timedelta(days=1)).replace(day=1)
        next_month = (day + timedelta(days=32)).replace(day=1)
        links = [f"/calendar/{d:%Y-%m}.html" for d in (prev_month, next_month)]
        links += [f"/calendar/{day:%Y-%m}-{k:02d}.html" for k in range(1, 29)]
        title = f"{day:%Y年%m月} 文章归档"
    anchors = "".join(f'<li><a href="{href}">{href.rsplit("/", 1)[1][:-5]}</a></li>' for href in links)
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><ul>{anchors}</ul></body></html>"
    return Response.html(html, site.encoding)


def _calendar_link(rule: FaultRule, site: Site, request: Request) -> Response:
    page = site.answer(request)
    link = '<div class="calendar"><a href="/calendar/2023-06.html">往期日历</a></div>'.encode(site.encoding)
    return replace(page, body=page.body.replace(b"</body>", link + b"</body>", 1))


def _session_ids(rule: FaultRule, site: Site, request: Request) -> Response:
    """The page with a fresh session id appended to every same-site link (new on every view)."""
    query = strip_param(request.query, rule.param)
    page = site.answer(Request(request.site, request.method, request.path, query))
    token = secrets.token_hex(8).encode()
    param = rule.param.encode()

    def add(m: re.Match[bytes]) -> bytes:
        href = m.group(2)
        joiner = b"&amp;" if b"?" in href else b"?"
        return b"href=" + m.group(1) + href + joiner + param + b"=" + token + m.group(1)

    return replace(page, body=_HREF.sub(add, page.body))


def _crawl_delay(rule: FaultRule, site: Site, request: Request) -> Response:
    """Not a fault: robots.txt asking for ``seconds`` between requests (most crawlers ignore it)."""
    return Response.text(site.robots() + f"Crawl-delay: {rule.seconds:g}\n")


BUILDERS = {
    "slow": _slow, "reset": _reset, "burst": _burst, "redirect-loop": _redirect_loop,
    "gzip-truncated": _gzip_truncated, "gzip-bomb": _gzip_bomb, "big-body": _big, "binary": _binary,
    "non-html": _non_html, "charset": _charset, "nul": _nul, "broken-html": _broken_html, "offsite": _offsite,
    "calendar": _calendar_link, "session-id": _session_ids, "crawl-delay": _crawl_delay,
}
"""Mode name -> builder of the faulty answer for a page the rule hits."""
if set(BUILDERS) != set(MODES):  # a new mode needs both a name and a builder
    raise ImportError(f"fault modes without builders or names: {set(BUILDERS) ^ set(MODES)}")
