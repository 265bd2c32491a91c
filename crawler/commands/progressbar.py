"""A progress bar on stderr for long library jobs (export, stats) run from the CLI.

Shown only where a person watches (a terminal) or when asked with ``--progress``, so
logs and pipes stay clean; redrawn at most a few times a second, so a million ticks
cost nothing noticeable.  The crawl has its own status line (crawler.runner), which
reports Scrapy stats rather than a count against a total.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``label  12,345/100,000  12%  45,678/s`` rewritten in place; :meth:`close` ends the line."""

    def __init__(self, label: str, total: int | None = None, *, enabled: bool | None = None,
                 stream: TextIO | None = None, interval: float = 0.25) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.total = total
        self.done = 0
        self.interval = interval
        self.started = self._last = time.monotonic()
        self._drawn = False

    def stage(self, label: str, total: int | None = None) -> None:
        """Start counting a new step on a fresh line (e.g. "dedup" then "write")."""
        self.close()
        self.label, self.total, self.done = label, total, 0
        self.started = self._last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and time.monotonic() - self._last >= self.interval:
            self._draw()

    def close(self) -> None:
        if self.enabled and (self._drawn or self.done):
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False

    def _draw(self) -> None:
        now = time.monotonic()
        self._last = now
        rate = self.done / max(now - self.started, 1e-9)
        count = f"{self.done:,}" if self.total is None else f"{self.done:,}/{self.total:,}"
        share = f"  {100 * self.done / self.total:3.0f}%" if self.total else ""
        self.stream.write(f"\r{self.label:<8} {count}{share}  {rate:,.0f}/s\033[K")
        self.stream.flush()
        self._drawn = True
