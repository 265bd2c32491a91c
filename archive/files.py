"""File-system guarantees: exclusive locks, durable renames, files that appear whole or not at all.

Kept in one place because every writer must agree: the WARC writer locks its ``.open`` file
and ``repair`` refuses a locked one, which makes repair safe while a crawl may still be alive;
every other file speechcrawl writes (indexes, WACZ, exports, a rebuilt catalog) is written
beside its final name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["lock_file", "fsync_directory", "replaced_when_done", "PART_SUFFIX"]

PART_SUFFIX = ".part"
"""What a file is called while it is being written (``out.jsonl.part``)."""


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


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


@contextmanager
def replaced_when_done(out: Path, *, remove: Callable[[Path], None] = _unlink) -> Iterator[Path]:
    """Yield ``out.part`` to write; when the block ends normally it becomes ``out`` (one rename),
    when it raises (or is interrupted) ``remove`` deletes what was written and ``out`` is untouched."""
    part = out.with_name(out.name + PART_SUFFIX)
    try:
        yield part
        os.replace(part, out)
    except BaseException:
        remove(part)
        raise
