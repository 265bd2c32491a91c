"""File-system guarantees the writer and repair rely on: exclusive locks and durable renames.

Kept in one place because both sides must agree: the writer locks its ``.open`` file
and ``repair`` refuses a locked one, which is what makes repair safe to run while a
crawl may still be alive.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["lock_file", "fsync_directory"]


def lock_file(fd: int) -> bool:
    """Take a non-blocking exclusive lock; False when another process holds it.

    The writer holds it on its ``.open`` file, so ``repair`` can refuse to cut a file a
    live crawl is still appending to.  The lock dies with the process, which is exactly
    when repair becomes safe.
    """
    if sys.platform == "win32":  # no flock; repair then relies on the operator
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; a no-op where directories cannot be opened."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
