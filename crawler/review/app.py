"""The review app: a read-only web view of a data directory, on the standard library's HTTP server.

Why the standard library and not a framework: five GET routes, no forms that write, no sessions;
``http.server`` plus Jinja2 templates (autoescaping on) is all that takes, with nothing new to keep
up to date (docs/report.md, "Review app").  Security, each a test in tests/test_review_app.py:

- bound to 127.0.0.1 unless the caller binds elsewhere on purpose, and requests naming another
  Host are refused (a DNS-rebinding page cannot read the corpus);
- GET and HEAD only; every other method is 405: the app has no write endpoint, and the catalog
  is opened read-only;
- every page carries a Content-Security-Policy without scripts; archived HTML is served only from
  ``/records/<id>/page/<n>`` with ``Content-Security-Policy: sandbox`` (an opaque origin, scripts
  off, nothing loaded) and framed by the record page in an ``<iframe sandbox>``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

import crawler.review.pages as pages
from archive.exceptions import ArchiveError
from crawler.report.data import gather
from crawler.report.html import render as render_report
from crawler.review.clusters import NearDuplicates
from crawler.review.queries import connect
from crawler.review.web import Response

__all__ = ["ReviewApp", "make_server"]

logger = logging.getLogger(__name__)

_ID = r"[0-9a-f]{6,64}"
_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"/"), "sites"),
    (re.compile(r"/crawls"), "crawls"),
    (re.compile(r"/crawls/([\w.-]+)/([\w.-]+)"), "report"),
    (re.compile(r"/records"), "records"),
    (re.compile(rf"/records/({_ID})"), "record"),
    (re.compile(rf"/records/({_ID})/page/(\d{{1,4}})"), "archived"),
    (re.compile(rf"/records/({_ID})/warc/(\d{{1,4}})"), "warc"),
    (re.compile(r"/static/app\.css"), "css"),
]


class ReviewApp:
    """Routes a GET to a page; holds the data directory, one read-only connection per thread, the templates."""

    def __init__(self, data: Path) -> None:
        self.data = data
        connect(data).close()  # FileNotFoundError now, not on the first request
        self._local = threading.local()
        self.near = NearDuplicates(connect(data))
        self.near.start()
        self.env = Environment(loader=PackageLoader("crawler.review", "templates"),
                               autoescape=select_autoescape(default=True, default_for_string=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["q"] = lambda params: urlencode({k: v for k, v in params.items() if v not in ("", None)})
        self.env.filters["path"] = lambda s: quote(str(s), safe="")

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.data)
        return conn

    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        body = self.env.get_template(template).render(**context).encode("utf-8")
        return Response(status, body)

    def not_found(self, what: str) -> Response:
        return self.html("error.html.j2", 404, title="Not found", message=what)

    def handle(self, path: str, query: dict[str, str]) -> Response:
        route = next(((name, m) for pattern, name in _ROUTES if (m := pattern.fullmatch(path))), None)
        if route is None:
            return self.not_found(f"No page at {path}.")
        name, m = route
        try:
            if name == "report":
                try:
                    report = gather(self.conn, self.data, m.group(1), m.group(2))
                except KeyError:
                    return self.not_found(f"No crawl {m.group(1)} of site {m.group(2)}.")
                return Response(200, render_report(report).encode("utf-8"))
            if name == "css":
                css = (Path(__file__).parent / "templates" / "app.css").read_bytes()
                return Response(200, css, "text/css; charset=utf-8")
            return getattr(pages, name)(self, *m.groups(), query=query)  # type: ignore[no-any-return]
        except (ArchiveError, OSError) as exc:
            logger.warning("%s: %s", path, exc)
            return self.html("error.html.j2", 500, title="Archive unreadable", message=str(exc))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "speechcrawl-review"
    sys_version = ""

    def _send(self, r: Response, head: bool = False) -> None:
        self.send_response(r.status)
        self.send_header("Content-Type", r.content_type)
        self.send_header("Content-Length", str(len(r.body)))
        self.send_header("Content-Security-Policy", r.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for name, value in r.extra:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(r.body)

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        self._send(Response(status, f"{status.value} {message}\n".encode(), "text/plain; charset=utf-8",
                            extra=(("Allow", "GET, HEAD"),)))

    def do_GET(self, head: bool = False) -> None:  # noqa: N802 (http.server's naming)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        if self.server.hosts and host not in self.server.hosts:
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, f"this server answers to {', '.join(self.server.hosts)}")
            return
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, max_num_fields=20).items()}
        self._send(self.server.app.handle(parts.path, query), head)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET(head=True)

    def _no_write(self) -> None:
        self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "read-only: GET and HEAD only")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _no_write  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: ReviewApp
    hosts: tuple[str, ...]


def make_server(data: Path, host: str = "127.0.0.1", port: int = 0) -> _Server:
    """The app on ``host:port`` (0: any free port), not yet serving; FileNotFoundError without a catalog."""
    server = _Server((host, port), _Handler)
    server.app = ReviewApp(data)
    # On loopback, a request naming any other host is a DNS-rebinding page: refused.  Bound elsewhere on
    # purpose (--bind), the names it is reached by are not known here: any Host is answered.
    server.hosts = ("127.0.0.1", "localhost", "::1") if host in ("127.0.0.1", "localhost", "::1") else ()
    return server
