"""Sandbox sites served in this process, logging when each request arrived and when its answer was sent.

Politeness across worker processes is a property of what a host sees, so the tests measure it
there: the request start times and the requests in flight at the server, whichever process sent
them.  The sites, pages and fault modes are the sandbox's own (``sandbox.server.serve``); only the
handler is wrapped to note the times.  Threads of this process, stopped on exit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType

from sandbox.faults import parse_fault
from sandbox.server import SiteHandler, SiteServer, serve

__all__ = ["Hit", "LoggedSandbox", "most_in_flight", "start_gaps"]


@dataclass(frozen=True)
class Hit:
    site: str
    path: str
    start: float
    """time.monotonic() when the request line was read."""
    end: float
    """time.monotonic() when the answer was written."""
    port: int = 0
    """The client's port: one per connection."""


class LoggedSandbox:
    """``with LoggedSandbox(["wenmi"], faults=[...]) as sb:`` … ``sb.hits("wenmi")``."""

    def __init__(self, sites: list[str], *, articles: int | None = None, faults: list[str] | None = None) -> None:
        self.sites = sites
        self.articles = articles
        self.faults = [parse_fault(spec) for spec in faults or []]
        self.servers: list[SiteServer] = []
        self._hits: list[Hit] = []
        self._lock = threading.Lock()

    @property
    def urls(self) -> dict[str, str]:
        return {server.site.name: server.base_url for server in self.servers}

    def hits(self, site: str, *, robots: bool = True) -> list[Hit]:
        """Requests to ``site`` so far, by start time (without /robots.txt unless ``robots``)."""
        with self._lock:
            found = [h for h in self._hits if h.site == site and (robots or h.path != "/robots.txt")]
        return sorted(found, key=lambda h: h.start)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()

    def _handler(self) -> type[SiteHandler]:
        log = self

        class LoggingHandler(SiteHandler):
            def _serve(self, *, with_body: bool) -> None:
                start = time.monotonic()
                try:
                    super()._serve(with_body=with_body)
                finally:
                    hit = Hit(self.server.site.name, self.path.split("?", 1)[0], start, time.monotonic(),
                              self.client_address[1])
                    with log._lock:
                        log._hits.append(hit)

        return LoggingHandler

    def __enter__(self) -> LoggedSandbox:
        self.servers = serve(self.sites, port_base=0, articles=self.articles, host="127.0.0.1", faults=self.faults)
        handler = self._handler()
        for server in self.servers:
            server.RequestHandlerClass = handler
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                             name=f"logged-sandbox-{server.site.name}").start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def start_gaps(hits: list[Hit]) -> list[float]:
    """Seconds between consecutive request starts."""
    return [b.start - a.start for a, b in zip(hits, hits[1:], strict=False)]


def most_in_flight(hits: list[Hit]) -> int:
    """The most requests the server was answering at one time."""
    events = sorted([(h.start, 1) for h in hits] + [(h.end, -1) for h in hits])  # an end before a start at a tie
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most
