"""Reading WARC files on several cores, with the result a single reader would give.

A gzip WARC is a run of independent gzip members, so a file can be cut into byte ranges
("windows") at member starts and each window read in its own process.  What makes the
result provably the one a single pass gives:

- a window starts at an offset and reads members from there (:func:`archive._scan.scan`
  in gzip mode), so its items are the single pass's items *if* the single pass has an
  item starting at that offset: the scanner carries no state across a member boundary;
- a window stops before its first item at or after its end, and reports where that item
  starts (``stop``; the file size when the scan ended);
- :meth:`Plan.results` walks the windows in order from offset 0: a window is taken only if
  it starts where the previous taken one stopped; a window that starts before is dropped,
  and a gap (a cut point that was not a member start, a corrupt member running past it) is
  read in this process from where the last one stopped.

So a wrong guess at a cut point costs time, never a different verdict.  Cut points are
guessed by finding the gzip magic after each ``piece`` bytes and checking that the member
there inflates to a WARC record start.  Uncompressed files are never cut.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Generic, TypeVar

from archive._scan import GZIP_MAGIC, Damage, Member, is_gzip_at, scan

if TYPE_CHECKING:  # imported when a pool is made: 20 ms of every archive command's start-up otherwise
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["Window", "Plan", "pool", "default_workers"]

T = TypeVar("T")
PIECE = 4 << 20
"""Bytes of a window: large enough that a task's overhead (a pickle, a future) is noise."""


def default_workers() -> int:
    """The idle cores this process may run on: its cores less the 1-minute load average, at least 1.

    On a busy machine a second process only adds its start-up and the merging to the CPU time:
    measured under load averages of 10 on 2 cores, two workers took 7-18 % longer than one (docs/benchmarks.md).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        load = 0.0
    return max(1, min(cores, round(cores - load)))


class Window:
    """The scan of ``path`` from ``start`` cut before its first item at or after ``end``.

    Iterate it once; then ``stop`` is where that first item starts (the file size when
    the scan ran out).  ``end`` None reads to the end of the file.
    """

    def __init__(self, f: BinaryIO, start: int, end: int | None, *, gzip: bool) -> None:
        self.f, self.start, self.end, self.gzip = f, start, end, gzip
        self.stop = start

    def __iter__(self) -> Iterator[Member | Damage]:
        for item in scan(self.f, self.start, gzip=self.gzip):
            if self.end is not None and item.offset >= self.end:
                self.stop = item.offset
                return
            yield item
        self.stop = os.fstat(self.f.fileno()).st_size


# A window's work: (path, start, end, gzip) -> (result, stop), run in a worker or in this process.
Work = Callable[[Path, int, "int | None", bool], "tuple[T, int]"]


def _cuts(f: BinaryIO, size: int, piece: int) -> list[int]:
    """Offsets after every ``piece`` bytes where a gzip member holding a WARC record seems to start."""
    cuts = [0]
    at = piece
    while at < size - piece // 2:
        f.seek(at)
        window = f.read(1 << 16)
        found = window.find(GZIP_MAGIC)
        if found >= 0 and _member_starts_record(window[found:]):
            if at + found > cuts[-1]:
                cuts.append(at + found)
        at += piece
    return cuts


def _member_starts_record(data: bytes) -> bool:
    try:
        return zlib.decompressobj(31).decompress(data, 16).startswith(b"WARC/1.")
    except zlib.error:
        return False


@dataclass
class _Task(Generic[T]):
    start: int
    end: int | None
    future: Future[tuple[T, int]] | None


class Plan(Generic[T]):
    """One file's windows, submitted to a pool (or read here); :meth:`results` merges them."""

    def __init__(self, path: Path, work: Work[T], executor: ProcessPoolExecutor | None,
                 piece: int = PIECE) -> None:
        self.path, self.work = path, work
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            self.gzip = size > 0 and is_gzip_at(f, 0)
            # Cut even when reading here: a caller holds one window's results at a time.
            cuts = _cuts(f, size, piece) if self.gzip else [0]
        self.size = size
        ends: list[int | None] = [*cuts[1:], None]
        self.tasks = [_Task[T](start, end, executor.submit(work, path, start, end, self.gzip)
                               if executor is not None else None)
                      for start, end in zip(cuts, ends, strict=True)]

    def results(self) -> Iterator[T]:
        """The windows' results in file order, equal to reading the file in one window."""
        current = 0
        for task in self.tasks:
            if task.start < current:
                continue  # the previous window read past this cut: drop it
            if task.start > current:  # a gap: read it here, up to this window's start
                result, current = self.work(self.path, current, task.start, self.gzip)
                yield result
                if current != task.start:
                    continue
            if task.future is None:
                result, current = self.work(self.path, task.start, task.end, self.gzip)
            else:
                result, current = task.future.result()
            yield result
        if current < self.size:
            yield self.work(self.path, current, None, self.gzip)[0]


@contextmanager
def pool(workers: int, total_bytes: int, piece: int = PIECE) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool of ``workers``, or None where one would not pay or is not safe.

    Under two pieces of bytes in all, starting processes costs more than it saves.

    Workers are forked (they start at once, with the modules already imported); forking is
    only safe while this process runs no other thread, so with threads alive the files are
    read here.
    """
    if workers < 2 or total_bytes < 2 * piece or threading.active_count() > 1:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield executor
    finally:
        executor.shutdown(cancel_futures=True)
