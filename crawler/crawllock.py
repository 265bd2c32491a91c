"""One writer per data directory and site: ``DATA/locks/<site>.lock``, held for the whole crawl.

Two crawls of one site on one data directory (or ``--resume`` of a crawl that is still
running) would interleave WARC files and fight over the catalog; the campaign that found it
lost a record.  The lock is an exclusive ``flock`` (released by the kernel when the process
ends, even by kill -9, so a crash never leaves a stale lock) and the file holds the holder's
pid, so the second crawl can say who is in the way — as the scheduler's lock does
(:class:`crawler.scheduling.loop.SchedulerLock`).

Locks are counted per process: the runner takes them before Scrapy starts (so a refusal is
one clean line), and the :class:`crawler.extensions.lock.CrawlLockExtension` takes them again
for crawls started by ``scrapy crawl`` or Scrapyd; the second take in one process is free.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from crawler.paths import check_site_name, contained

__all__ = ["CrawlLock", "CrawlLockedError", "LOCKS_DIRNAME", "take_pid_lock"]

LOCKS_DIRNAME = "locks"


class CrawlLockedError(RuntimeError):
    """Another process holds the lock; the message names its pid and the data directory."""


def take_pid_lock(path: Path) -> int | str:
    """An exclusive ``flock`` on ``path`` holding this process's pid: the open descriptor (close it to
    release), or the pid another process wrote there when it holds the lock.  The kernel drops the
    lock when its holder ends, even by kill -9, so a crash never leaves a stale one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        return holder
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


class CrawlLock:
    """The lock of ``site`` on ``data_dir``; ``with CrawlLock(...)`` or :meth:`acquire`/:meth:`release`."""

    _held: ClassVar[dict[str, tuple[int, int]]] = {}
    """Lock path -> (descriptor, users) for the locks this process holds."""

    def __init__(self, data_dir: Path, site: str) -> None:
        locks = data_dir / LOCKS_DIRNAME
        self.site = check_site_name(site)
        self.data_dir = data_dir
        self.path = contained(locks, locks / f"{self.site}.lock")
        self._acquired = False

    def acquire(self) -> Self:
        """Take the lock, or raise :class:`CrawlLockedError` naming the holder; OSError if the dir is unwritable."""
        key = str(self.path.resolve())
        if key in self._held:
            fd, users = self._held[key]
            self._held[key] = (fd, users + 1)
            self._acquired = True
            return self
        fd = take_pid_lock(self.path)
        if isinstance(fd, str):
            raise CrawlLockedError(f"another crawl of {self.site} (pid {fd}) is writing to {self.data_dir}; "
                                   "one crawl per site and data directory")
        self._held[key] = (fd, 1)
        self._acquired = True
        return self

    def release(self) -> None:
        if not self._acquired:
            return
        self._acquired = False
        key = str(self.path.resolve())
        fd, users = self._held[key]
        if users > 1:
            self._held[key] = (fd, users - 1)
            return
        del self._held[key]
        os.close(fd)  # closing the descriptor drops the lock; the file stays (removing it would race)

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
