"""The archive package's errors: one base class, so callers can catch every archive fault at once.

``speechcrawl archive …`` commands catch :class:`ArchiveError` and turn it into exit
code 1 with the message; anything else escaping is a bug.  Messages say what is wrong
and, where there is one, which command fixes it.
"""

from __future__ import annotations

__all__ = ["ArchiveError", "RecordFormatError", "WriterClosedError"]


class ArchiveError(Exception):
    """Base of every error raised on purpose by :mod:`archive`."""


class RecordFormatError(ArchiveError):
    """A WARC record (or the gzip member holding it) cannot be parsed.

    ``offset`` is the byte offset in the file of the record or gzip member at fault, so
    the message can point a person at the exact place with ``dd`` or ``warcio extract``.
    """

    def __init__(self, message: str, *, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return f"at offset {self.offset}: {self.message}"


class WriterClosedError(ArchiveError):
    """A record was written after :meth:`archive.warc.WarcWriter.close`.

    Writing after close would silently reopen a new file the operator does not expect,
    so it is refused instead.
    """
