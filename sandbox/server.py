"""HTTP server for the sandbox sites: one loopback port per site, stdlib only.

``python -m sandbox.server [--port-base N] [--sites a,b] [--articles N] [--host H] [--epoch N] [--redesign a,b] [--fault SPEC]``
binds one port per site, prints ONE JSON line ``{"wenmi": "http://127.0.0.1:PORT", ...}`` on stdout and serves
until SIGTERM/SIGINT (exit 0).  Logs go to stderr and are quiet unless ``-v``.

Speed matters because benchmarks crawl thousands of pages: responses are written in a single send
with Content-Length (HTTP/1.1 keep-alive) and every accepted socket gets TCP_NODELAY, otherwise
Nagle's algorithm adds ~40 ms to each response on loopback.  Fault modes (``--fault``, see
:mod:`sandbox.faults`) may delay, cut, reset or stream a response instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from urllib.parse import unquote, urlsplit

from sandbox import ALL_SITES, DEFAULT_PORT_BASE, SITES
from sandbox.faults import MODES, FaultRule, install, parse_fault
from sandbox.hooks import Request, Response
from sandbox.seeds import pools
from sandbox.sites import Site, make_site

logger = logging.getLogger(__name__)

__all__ = ["SiteServer", "main", "serve"]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 404: "Not Found",
            410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable"}
MAX_DELAY = 120.0
"""No fault mode holds a connection longer than this, so a forgotten test cannot hang a thread forever."""
ADMIN_EPOCH = "/_sandbox/epoch"
"""``GET /_sandbox/epoch`` tells a site's epoch, ``GET /_sandbox/epoch?set=N`` moves it (tests, by hand)."""


def _admin(site: Site, request: Request) -> Response | None:
    if request.path != ADMIN_EPOCH:
        return None
    if request.query.startswith("set="):
        value = request.query[4:]
        if not value.isdigit():
            return Response(400, b"set=N with N >= 0\n", "text/plain; charset=utf-8")
        site.set_epoch(int(value))
        logger.info("%s moved to epoch %d", site.name, site.epoch)
    return Response.text(f"{site.epoch}\n")


class SiteServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one site."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], site: Site) -> None:
        self.site = site
        super().__init__(address, SiteHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class SiteHandler(BaseHTTPRequestHandler):
    """Maps each request to ``site.handle`` and writes the response in one piece."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.18.0"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection frees its thread after this many seconds
    server: SiteServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        self._serve(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(with_body=False)

    def _serve(self, *, with_body: bool) -> None:
        parts = urlsplit(self.path)
        site = self.server.site
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(site=site.name, method=self.command, path=unquote(parts.path) or "/", query=parts.query,
                          headers=headers)
        response = _admin(site, request) or site.handle(request)
        if response.delay:
            time.sleep(min(response.delay, MAX_DELAY))
        length = response.length
        if length is None and response.chunks is None:
            length = len(response.body)
        head = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}",
                f"Server: {self.server_version}", f"Date: {self.date_time_string()}"]
        if response.content_type is not None:
            head.append(f"Content-Type: {response.content_type}")
        if length is not None:
            head.append(f"Content-Length: {length}")
        else:
            self.close_connection = True  # no length: the body ends when the connection does
        if response.chunks is None and length != len(response.body):
            self.close_connection = True  # a short body (fault mode): the client must see the end
        head += [f"{name}: {value}" for name, value in response.headers]
        if self.close_connection:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        try:
            if not with_body:
                self.wfile.write(data)
            elif response.chunks is not None:
                self.wfile.write(data)
                for chunk in response.chunks():
                    self.wfile.write(chunk)
            elif response.reset_after is not None:
                self.wfile.write(data + response.body[:response.reset_after])
                self._reset()
            else:
                self.wfile.write(data + response.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client hung up first (a crawler enforcing its maximum body size): expected, not an error.
            logger.debug("%s %s: client closed the connection mid-response", site.name, request.target)
            self.close_connection = True
        logger.debug("%s %s %s -> %d", site.name, self.command, request.target, response.status)

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing upstream does."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:  # the socket was reset on purpose (fault mode) or by the client
            logger.debug("connection already closed at finish")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("%s - " + format, self.address_string(), *args)


def serve(sites: list[str], *, port_base: int, articles: int | None, host: str, epoch: int = 0,
          redesign: frozenset[str] = frozenset(), faults: Sequence[FaultRule] = ()) -> list[SiteServer]:
    """Bind one server per site (port_base 0 = random ports; else port_base + the site's position);
    sites in ``redesign`` serve their articles with the content element renamed, ``faults`` break pages."""
    servers: list[SiteServer] = []
    try:
        for name in sites:
            port = 0 if port_base == 0 else port_base + ALL_SITES.index(name)
            site = make_site(name, articles, epoch=epoch, redesign=name in redesign)
            servers.append(SiteServer((host, port), install(site, faults)))
    except OSError:
        for server in servers:
            server.server_close()
        raise
    return servers


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sandbox.server", description=__doc__.split("\n\n")[0])
    p.add_argument("--port-base", type=int, default=DEFAULT_PORT_BASE,
                   help=f"port of the first site, the others follow (default {DEFAULT_PORT_BASE}; 0 = random ports)")
    p.add_argument("--sites", default=",".join(SITES),
                   help=f"comma-separated site names (default: the five seed sites; also: {', '.join(ALL_SITES[len(SITES):])})")
    p.add_argument("--articles", type=int, default=None, help="articles per site (default 20)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--epoch", type=int, default=0, help="point in time: articles added, revised, removed "
                                                         "(default 0; sandbox/epochs.py)")
    p.add_argument("--redesign", default="", metavar="SITE[,SITE]",
                   help="serve these sites' articles with their content element renamed (a template change)")
    p.add_argument("--fault", action="append", default=[], metavar="MODE[@SITE][:key=value,...]",
                   help=f"break some pages on purpose, e.g. burst@wenmi:status=503,times=2 (modes: {', '.join(MODES)}; "
                        "keys: sandbox/faults/__init__.py)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)
    try:
        args.fault_rules = [parse_fault(spec) for spec in args.fault]
    except ValueError as exc:
        p.error(str(exc))
    args.site_list = [s.strip() for s in args.sites.split(",") if s.strip()]
    args.redesign_set = frozenset(s.strip() for s in args.redesign.split(",") if s.strip())
    unknown = [s for s in [*args.site_list, *args.redesign_set] if s not in ALL_SITES]
    if unknown or not args.site_list:
        p.error(f"unknown site(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(ALL_SITES)}")
    if args.articles is not None and args.articles < 1:
        p.error("--articles must be at least 1")
    if args.epoch < 0:
        p.error("--epoch must be 0 or more")
    if not 0 <= args.port_base <= 65535 - len(ALL_SITES):
        p.error("--port-base must be 0 (random) or a port number")
    return args


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; returns the process exit code."""
    args = _parse(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s sandbox %(levelname)s %(message)s")
    pools()  # build the sentence pools before announcing, so the first request is as fast as the rest
    try:
        servers = serve(args.site_list, port_base=args.port_base, articles=args.articles, host=args.host,
                        epoch=args.epoch, redesign=args.redesign_set, faults=args.fault_rules)
    except OSError as exc:
        print(f"sandbox: cannot bind {args.host} (port base {args.port_base}): {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         name=f"sandbox-{server.site.name}", daemon=True).start()
    sys.stdout.write(json.dumps({s.site.name: s.base_url for s in servers}) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    logger.info("sandbox stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
