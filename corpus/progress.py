"""What a long corpus job reports its progress to, without knowing how (or whether) it is shown.

The library counts; the CLI draws (crawler.commands.progressbar.Progress is the terminal bar).
Keeping the display out of the corpus keeps the corpus free of terminal and CLI concerns.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProgressSink", "NO_PROGRESS"]


class ProgressSink(Protocol):
    """Steps with an optional total, advanced one item at a time."""

    enabled: bool
    """False when nothing is shown: a job may then skip counting its total (a second query)."""

    def stage(self, label: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


class _Silent:
    enabled = False

    def stage(self, label: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


NO_PROGRESS: ProgressSink = _Silent()
"""The sink used when the caller passes none."""
