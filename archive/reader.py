"""Read records back: iterate a file, fetch one record by offset, resolve a revisit.

This is what ``reprocess`` and replay stand on, so it reads what the writer wrote and
also the WARCs other tools write (WARC/1.0, uncompressed files, folded headers).
Softer faults are kept on the record in ``problems``; ``verify`` is the strict judge.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from archive._content import decode_content
from archive._scan import Damage, Member, ParsedRecord, parse_record, scan
from archive.exceptions import ArchiveError, RecordFormatError

__all__ = ["ArchivedRecord", "iter_records", "records_of", "http_head_end", "split_http", "read_record_at", "decode_content", "RevisitResolver", "resolve_revisit"]

logger = logging.getLogger(__name__)

_HTTP_TYPES = frozenset({"response", "request", "revisit"})


@dataclass(frozen=True)
class ArchivedRecord:
    """One record with its place in the file and, for HTTP records, the parsed HTTP message.

    ``payload`` is the HTTP body (the whole block for non-HTTP records), still
    content-encoded unless the record was read with ``decode_content=True``.
    """

    filename: str
    offset: int
    length: int
    headers: list[tuple[str, str]]
    block: bytes
    http_start_line: str | None
    http_headers: list[tuple[str, str]]
    payload: bytes
    problems: tuple[str, ...] = ()
    content_decoded: bool = False

    def header(self, name: str) -> str | None:
        """First WARC header called ``name`` (case-insensitive), or None."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def header_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def http_header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.http_headers if k.lower() == lname), None)

    @property
    def rec_type(self) -> str:
        return self.header("WARC-Type") or ""

    @property
    def record_id(self) -> str:
        return self.header("WARC-Record-ID") or ""

    @property
    def target_uri(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> str:
        return self.header("WARC-Date") or ""

    @property
    def http_status(self) -> int | None:
        """Status code of an HTTP response or revisit; None for anything else."""
        if not self.http_start_line or not self.http_start_line.startswith("HTTP/"):
            return None
        parts = self.http_start_line.split(" ", 2)
        # Three digits (RFC 9112): a longer one fits no catalog column, and int() refuses 4300 of them.
        return int(parts[1]) if len(parts) > 1 and len(parts[1]) == 3 and parts[1].isascii() and parts[1].isdigit() \
            else None


def _is_http(parsed: ParsedRecord) -> bool:
    return (parsed.get("WARC-Type") or "") in _HTTP_TYPES and (parsed.get("Content-Type") or "").startswith(
        "application/http")


def http_head_end(block: bytes) -> tuple[int, int]:
    """(end of the HTTP head, start of the body) in a block; a head without a blank line is all head."""
    end = block.find(b"\r\n\r\n")
    if end >= 0:
        return end, end + 4
    end = block.find(b"\n\n")
    return (end, end + 2) if end >= 0 else (len(block), len(block))


def split_http(block: bytes) -> tuple[str | None, list[tuple[str, str]], bytes, bool]:
    """(start line, headers, body, well-formed) of an HTTP message stored in a block."""
    end, body = http_head_end(block)
    lines = block[:end].decode("latin-1").splitlines()
    if not lines:
        return None, [], block[body:], body > end
    return lines[0], _http_headers(lines), block[body:], body > end


def _http_headers(lines: list[str]) -> list[tuple[str, str]]:
    """(name, value) of the head's lines after the start line, both stripped; a line with no name is dropped.

    A plain loop: each name is stripped once, where a comprehension's filter strips it twice.
    """
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name := name.strip():
            headers.append((name, value.strip()))
    return headers


def _to_record(filename: str, member: Member, parsed: ParsedRecord) -> ArchivedRecord:
    problems = list(parsed.problems)
    start_line: str | None = None
    http_headers: list[tuple[str, str]] = []
    payload = parsed.block
    if _is_http(parsed):
        start_line, http_headers, payload, ok = split_http(parsed.block)
        if not ok:
            problems.append("HTTP header block is not terminated by an empty line")
    return ArchivedRecord(filename, member.offset, member.length, parsed.headers, parsed.block, start_line,
                          http_headers, payload, tuple(problems))


def _records_in(filename: str, member: Member) -> Iterator[ArchivedRecord]:
    pos = 0
    while pos < len(member.data):
        try:
            parsed, pos = parse_record(member.data, pos)
        except RecordFormatError as exc:
            raise RecordFormatError(exc.message, offset=member.offset) from None
        yield _to_record(filename, member, parsed)


def iter_records(path: Path | str, *, skip_damage: bool = False,
                 damage: list[str] | None = None) -> Iterator[ArchivedRecord]:
    """Every record of a WARC file in order.

    Damage raises RecordFormatError, unless ``skip_damage``: then it is logged (and, when a
    ``damage`` list is given, listed there as "FILE at offset N: what") and reading resumes at
    the next readable gzip member, so one bad record in years of archives does not stop a
    reprocess, nor pass unreported.
    """
    path = Path(path)
    with path.open("rb") as f:
        yield from records_of(path, scan(f), skip_damage=skip_damage, damage=damage)


def records_of(path: Path, items: Iterable[Member | Damage], *, skip_damage: bool = False,
               damage: list[str] | None = None, notes: list[str] | None = None) -> Iterator[ArchivedRecord]:
    """The records of scanned ``items`` of ``path``, as :func:`iter_records` reads them.

    With ``notes`` the warnings about skipped damage go there instead of to the log (a worker
    process hands them back, and its parent logs them in file order).
    """
    def warn(message: str) -> None:
        if notes is None:
            logger.warning("%s", message)
        else:
            notes.append(message)

    for item in items:
        if isinstance(item, Damage):
            if not skip_damage:
                raise RecordFormatError(f"{path.name}: {item.message}", offset=item.offset)
            warn(f"{path} at offset {item.offset}: {item.message}; run `speechcrawl archive verify {path}`")
            if damage is not None:
                damage.append(f"{path.name} at offset {item.offset}: {item.message}")
            continue
        try:
            yield from _records_in(path.name, item)
        except RecordFormatError as exc:
            if not skip_damage:
                raise
            warn(f"{path}: {exc}; run `speechcrawl archive verify {path}`")
            if damage is not None:
                damage.append(f"{path.name} at offset {exc.offset}: {exc.message}")


def read_record_at(path: Path | str, offset: int, *, decode_content: bool = False) -> ArchivedRecord:
    """The record starting at ``offset`` (a RecordPointer or CDXJ offset) of one file."""
    path = Path(path)
    with path.open("rb") as f:
        record = _first_record(f, path.name, offset)
    return _decoded(record) if decode_content else record


def _first_record(f: BinaryIO, filename: str, offset: int) -> ArchivedRecord:
    item = next(scan(f, offset), None)
    if item is None:
        raise RecordFormatError(f"{filename}: no record at offset {offset} (end of file)", offset=offset)
    if isinstance(item, Damage):
        raise RecordFormatError(f"{filename}: no WARC record starts here ({item.message})", offset=offset)
    return next(_records_in(filename, item))


def _decoded(record: ArchivedRecord) -> ArchivedRecord:
    encoding = record.http_header("Content-Encoding")
    if not encoding or record.rec_type == "revisit":
        return record
    return replace(record, payload=decode_content(record.payload, encoding), content_decoded=True)


class RevisitResolver:
    """Finds the original of revisit records among the WARC files of one directory.

    It indexes every response record once (lazily, on the first revisit), so resolving
    many revisits costs one pass over the directory rather than one per revisit.  A
    caller that reads every record anyway (reprocess) passes ``directory=None`` and
    feeds it with :meth:`add`, so the files are not read a second time.
    """

    def __init__(self, directory: Path | str | None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._indexed = directory is None
        self._by_id: dict[str, tuple[Path, int]] = {}
        self._by_url: dict[tuple[str, str], tuple[Path, int]] = {}

    def add(self, path: Path, record: ArchivedRecord) -> None:
        """Index one record of ``path`` if it can be the original of a revisit."""
        if record.rec_type in ("response", "resource"):
            self._by_id[record.record_id] = (path, record.offset)
            digest = record.header("WARC-Payload-Digest")
            if record.target_uri and digest:
                self._by_url.setdefault((record.target_uri, digest), (path, record.offset))

    def _index(self) -> None:
        if self._indexed or self.directory is None:
            return
        self._indexed = True
        for path in sorted(p for p in self.directory.iterdir() if p.name.endswith((".warc", ".warc.gz"))):
            for record in iter_records(path, skip_damage=True):
                self.add(path, record)

    def original(self, revisit: ArchivedRecord, *, decode_content: bool = False) -> ArchivedRecord:
        """The response a revisit stands for: by WARC-Refers-To, else by URL and payload digest."""
        if revisit.rec_type != "revisit":
            raise ArchiveError(f"record {revisit.record_id} is a {revisit.rec_type!r}, not a revisit")
        self._index()
        refers_to = revisit.header("WARC-Refers-To")
        uri = revisit.header("WARC-Refers-To-Target-URI") or revisit.target_uri or ""
        where = self._by_id.get(refers_to) if refers_to else None
        where = where or self._by_url.get((uri, revisit.header("WARC-Payload-Digest") or ""))
        if where is None:
            raise ArchiveError(f"original of revisit {revisit.record_id} ({uri}) is not in "
                               f"{self.directory or 'the files read'}")
        return read_record_at(where[0], where[1], decode_content=decode_content)


def resolve_revisit(revisit: ArchivedRecord, directory: Path | str, *, decode_content: bool = False) -> ArchivedRecord:
    """One-off :meth:`RevisitResolver.original`; use a resolver for many revisits."""
    return RevisitResolver(directory).original(revisit, decode_content=decode_content)
