"""Writing to the data directory may fail (disk full, read-only mount): say so in one line, then stop.

A crawl that cannot archive what it fetches is worse than no crawl: it spends the site's
bandwidth and leaves pages fetched but not kept.  :func:`check_writable` runs before a crawl
starts; :func:`write_failure` is the one line a failed write prints when it stops a crawl
(the path, the error, the free space left), so an operator knows what to free.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["StorageError", "check_writable", "free_space", "write_failure", "stop_crawl", "WRITE_FAILED", "FATAL_STAT"]

PROBE_BYTES = 64 * 1024
"""Written and removed at start: a data dir with less room than this cannot hold one page's WARC record."""


class StorageError(RuntimeError):
    """The data directory cannot be written; the message is one line naming the path and the free space."""


def free_space(path: Path) -> str:
    """Free space on the file system holding ``path`` (or its nearest existing parent), human-readable."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = float(shutil.disk_usage(probe).free)
    except OSError:
        return "free space unknown"
    for unit in ("bytes", "KB", "MB", "GB"):
        if free < 1024 or unit == "GB":
            return f"{free:.0f} {unit} free" if unit == "bytes" else f"{free:.1f} {unit} free"
        free /= 1024
    return f"{free:.1f} GB free"


def write_failure(path: Path | str, exc: BaseException) -> str:
    """One line: what could not be written, why, and how much room is left there."""
    reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc) or type(exc).__name__
    return f"cannot write {path}: {reason} ({free_space(Path(path))})"


def check_writable(directory: Path) -> None:
    """Create ``directory`` and write (then remove) a probe file in it; raise :class:`StorageError` if that fails."""
    probe = directory / f".speechcrawl-write-probe-{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as f:
            f.write(b"\0" * PROBE_BYTES)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise StorageError(write_failure(directory, exc)) from None
    finally:
        with contextlib.suppress(OSError):  # nothing was created (read-only), or it is gone already
            probe.unlink()


WRITE_FAILED = "write_failed"
"""The finish reason of a crawl stopped because a WARC or catalog write failed."""
FATAL_STAT = "speechcrawl/fatal"
"""Stats key holding the one line that says why the crawl was stopped (printed by ``speechcrawl crawl``)."""


def stop_crawl(crawler: Crawler | None, message: str) -> bool:
    """Stop ``crawler`` after a failed write: no further fetches, finish reason :data:`WRITE_FAILED`.

    Logs ``message`` once (the first failure names the cause; later ones are consequences) and
    returns True the first time, False when the crawl was already being stopped.
    """
    if crawler is None or crawler.stats is None:
        logger.error("%s", message)
        return True
    if crawler.stats.get_value(FATAL_STAT):
        return False
    crawler.stats.set_value(FATAL_STAT, message)
    logger.error("%s; stopping the crawl (resume it with --resume once there is room)", message)
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        from scrapy.utils.defer import deferred_from_coro

        closing = deferred_from_coro(engine.close_spider_async(reason=WRITE_FAILED))
        closing.addErrback(lambda failure: logger.error("could not stop the crawl: %s", failure.value))
    return True
