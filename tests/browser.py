"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright for Python.

One browser per test session (``browser`` fixture in conftest); each test opens pages through
:func:`watched`, which records console errors, page errors and failed or off-loopback requests, so
a test fails on any of them, and saves a screenshot of every page under the test's own output.
Every request the page makes to anything but 127.0.0.0/8 or ``file://`` is aborted and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "about", "blob"):
        return True
    try:
        return ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False


@dataclass
class Watch:
    """What went wrong while a page was open (each list must stay empty)."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert (self.errors, self.failed, self.offsite) == ([], [], []), self


@contextmanager
def watched(browser: Any, out: Path, **context: Any) -> Iterator[tuple[Any, Watch]]:
    """A fresh page in its own context; on leaving, the watch must be clean."""
    ctx = browser.new_context(**{"viewport": {"width": 1100, "height": 900}, **context})
    page = ctx.new_page()
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: watch.failed.append(f"{r.url}: {r.failure}"))
    page.on("dialog", lambda d: (watch.errors.append(f"dialog: {d.message}"), d.dismiss()))

    def route(r: Any) -> None:
        if _loopback(r.request.url):
            r.continue_()
        else:
            watch.offsite.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    try:
        yield page, watch
    finally:
        out.mkdir(parents=True, exist_ok=True)
        ctx.close()
    watch.assert_clean()


def shot(page: Any, out: Path, name: str) -> Path:
    """Full-page screenshot saved under ``out`` (the test's output directory)."""
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
