"""Request/response types of the sandbox, and the hook point for fault modes.

Sites answer a :class:`Request` with a :class:`Response`; the HTTP layer only serializes.  A hook is
any callable that sees the request first and may answer instead of the site: that is where fault
modes (slow responses, connection resets, bursts of 5xx, redirect loops; see
:mod:`sandbox.faults`) and content "epochs" plug in without touching the page templates.
The default is no hook at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

__all__ = ["Request", "Response", "Hook", "run_hooks"]


@dataclass(frozen=True)
class Request:
    """What a site needs to answer: path and raw query string (no scheme/host: sites are origin-free)."""

    site: str
    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Request headers by lower-case name (sites only read the conditional-request ones)."""

    @property
    def target(self) -> str:
        """Path plus ``?query`` when there is one: the key sites route on."""
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Response:
    """A complete HTTP response body and the few headers the sandbox sets."""

    status: int
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    """``None`` sends no Content-Type header at all."""
    headers: tuple[tuple[str, str], ...] = field(default=())
    # What a misbehaving server does on the wire (fault modes); the defaults are a well-behaved answer.
    delay: float = 0.0
    """Seconds to wait before answering (a slow server)."""
    length: int | None = None
    """Content-Length to announce when it must differ from ``len(body)`` (a truncated transfer)."""
    reset_after: int | None = None
    """Send this many body bytes, then reset the connection (RST) mid-body."""
    chunks: Callable[[], Iterator[bytes]] | None = None
    """A streamed body, produced piece by piece and never held in memory (``body`` is ignored)."""

    @classmethod
    def html(cls, text: str, encoding: str = "utf-8") -> Response:
        body = text.encode(encoding, errors="xmlcharrefreplace")
        return cls(200, body, f"text/html; charset={encoding}")

    @classmethod
    def text(cls, text: str) -> Response:
        return cls(200, text.encode("utf-8"), "text/plain; charset=utf-8")

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Response:
        body = f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'.encode()
        return cls(status, body, headers=(("Location", location),))

    @classmethod
    def not_found(cls) -> Response:
        return cls(404, b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>")


Hook = Callable[[Request], "Response | None"]
"""Sees every request before the site; returning a Response answers it (e.g. a simulated 503)."""


def run_hooks(hooks: Sequence[Hook], request: Request) -> Response | None:
    """The first hook's answer, or ``None`` to let the site answer."""
    for hook in hooks:
        answer = hook(request)
        if answer is not None:
            logger.debug("hook %r answered %s %s", hook, request.site, request.target)
            return answer
    return None
