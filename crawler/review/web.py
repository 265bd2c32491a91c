"""What the review app's pages and its server share: the response, the security headers, the app's interface.

Apart from :mod:`crawler.review.app` so the pages can name them without importing the server
(no import cycle between the two).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from crawler.review.clusters import NearDuplicates

__all__ = ["APP_CSP", "ARCHIVED_CSP", "Response", "App"]

APP_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""Every app page: no script at all, only our stylesheet, frames only from the app itself."""
ARCHIVED_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
"""An archived page: ``sandbox`` gives it an opaque origin with scripts, forms and popups off; nothing loads."""


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    csp: str = APP_CSP
    extra: tuple[tuple[str, str], ...] = ()


class App(Protocol):
    data: Path
    near: NearDuplicates

    @property
    def conn(self) -> sqlite3.Connection: ...

    def html(self, template: str, status: int = 200, **context: Any) -> Response: ...

    def not_found(self, what: str) -> Response: ...
