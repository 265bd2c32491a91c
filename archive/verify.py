"""Check WARC files record by record, and repair the tail a killed crawl leaves behind.

``verify`` is the archivist's proof that a file still says what it said when written:
it recomputes every digest and reports each fault with its file and offset, then goes
on (one bad record must not hide the next).  ``repair`` fixes the one fault a crash
can cause with this writer, a partial last record, and nothing else: faults earlier in
the file are reported, never "fixed" by deleting good data after them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive._format import digest_of
from archive._parallel import PIECE, Plan, Window, pool
from archive._scan import Damage, ParsedRecord, parse_record, starts_like_warc
from archive.exceptions import ArchiveError, RecordFormatError
from archive.files import lock_file
from archive.ledger import ledger_entries
from archive.reader import http_head_end, iter_records
from archive.warc import LEDGER_CONTENT_TYPE, OPEN_SUFFIX

__all__ = ["Fault", "FileReport", "RepairReport", "verify", "verify_paths", "repair", "repair_paths", "warc_files",
           "check_ledgers"]

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

logger = logging.getLogger(__name__)

_REPAIR_HINT = "; run `speechcrawl archive repair`"


@dataclass(frozen=True)
class Fault:
    file: str
    offset: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.offset}: {self.message}"


@dataclass
class FileReport:
    """What verify found in one file.

    ``valid_end`` is where repair would cut: the end of the last gzip member (or raw
    record) that holds whole records, digest faults or not.
    """

    path: Path
    size: int = 0
    records: int = 0
    faults: list[Fault] = field(default_factory=list)
    valid_end: int = 0
    valid_records: int = 0
    members_end: int = 0
    """End of the last whole gzip member (or raw record), whether its records parse or not."""
    starts_like_warc: bool = True
    """False for a file that does not begin with a WARC record (text, HTML, random bytes)."""
    confirms: list[tuple[int, str, str]] = field(default_factory=list)
    """(offset, re-check id, capture id) of each re-check of the file's ledger records: :func:`check_ledgers`."""

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def unfinished(self) -> bool:
        """Still named ``.open``: being written now, or left by a crawl that was killed."""
        return self.path.name.endswith(OPEN_SUFFIX)

    def fault(self, offset: int, message: str) -> None:
        self.faults.append(Fault(self.path.name, offset, message))

    @property
    def needs_repair(self) -> bool:
        """An ``.open`` name or bytes after the last good record: what :func:`repair` can fix."""
        return self.unfinished or self.valid_end < self.size

    def summary(self) -> str:
        """One line for people: the verdict first, then the counts."""
        verdict = "OK" if self.ok else f"{len(self.faults)} fault{'s' if len(self.faults) != 1 else ''}"
        line = f"{self.path.name}: {verdict}, {self.records} records, {self.size} bytes"
        if self.unfinished:
            line += " (unfinished: still being written, or left by a killed crawl; `speechcrawl archive repair` closes it)"
        return line


@dataclass(frozen=True)
class RepairReport:
    path: Path
    records_kept: int
    bytes_removed: int
    tail_path: Path | None
    renamed_from: Path | None
    remaining_faults: list[Fault]

    def summary(self) -> str:
        line = f"{self.path.name}: kept {self.records_kept} records"
        if self.bytes_removed:
            line += f", cut {self.bytes_removed} bytes of an incomplete record"
            line += f" (saved as {self.tail_path.name})" if self.tail_path else ""
        if self.renamed_from is not None:
            line += f", renamed from {self.renamed_from.name}"
        if self.remaining_faults:
            line += f"; {len(self.remaining_faults)} earlier faults remain (repair only cuts the tail)"
        return line


def warc_files(paths: Iterable[Path | str], *, include_open: bool = False) -> Iterator[Path]:
    """Files named on the command line, with directories expanded to their WARC files, sorted."""
    suffixes = (".warc", ".warc.gz") + ((".warc.open", ".warc.gz.open") if include_open else ())
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(suffixes))
        else:
            yield path


def verify(path: Path | str) -> FileReport:
    """Read every record of one file and report each fault; never raises for bad content."""
    return _report(Path(path), None)


def verify_paths(paths: Iterable[Path | str], *, workers: int = 1, piece: int = PIECE) -> Iterator[FileReport]:
    """verify() each WARC file under ``paths`` (``.open`` files too: they are where crashes show).

    With ``workers`` > 1 the files, and large files in ranges of about ``piece`` bytes, are read
    by that many processes; the reports are the same, in the same order (see
    :mod:`archive._parallel`).
    """
    files = list(warc_files(paths, include_open=True))
    with pool(workers, sum(_size(path) for path in files), piece) as executor:
        plans = [_plan(path, executor, piece) for path in files]
        for path, plan in zip(files, plans, strict=True):
            yield _report(path, plan)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _plan(path: Path, executor: ProcessPoolExecutor | None, piece: int) -> Plan[FileReport] | None:
    try:
        return Plan(path, _verify_window, executor, piece)
    except OSError:
        return None  # reported by _report, which meets the same error


def _report(path: Path, plan: Plan[FileReport] | None) -> FileReport:
    report = FileReport(path)
    try:
        with report.path.open("rb") as f:
            report.size = os.fstat(f.fileno()).st_size
            report.starts_like_warc = starts_like_warc(f)
            if not report.starts_like_warc:
                report.fault(0, "not a WARC file: it does not start with a WARC record")
            f.seek(0)
            if report.size and report.path.name.endswith((".gz", ".gz.open")) and f.read(2) != b"\x1f\x8b":
                report.fault(0, "file is named .gz but is not gzip-compressed")
        if plan is None:
            plan = Plan(path, _verify_window, None)
        for part in plan.results():
            report.faults.extend(part.faults)
            if part.valid_end:
                report.valid_end = part.valid_end
                report.valid_records = report.records + part.valid_records
            if part.members_end:
                report.members_end = part.members_end
            report.records += part.records
            report.confirms += part.confirms
    except OSError as exc:
        report.fault(0, f"cannot read file: {exc}")
    return report


def _verify_window(path: Path, start: int, end: int | None, gzip: bool) -> tuple[FileReport, int]:
    """Faults and counts of the records from ``start`` to ``end`` (``valid_records`` counted from ``start``)."""
    part = FileReport(path)
    with path.open("rb") as f:
        window = Window(f, start, end, gzip=gzip)
        for item in window:
            if isinstance(item, Damage):
                part.fault(item.offset, item.message + (_REPAIR_HINT if item.truncated else ""))
                continue
            # "complete" is about extent only: a record whose digest is wrong is still a whole
            # record, and repair must keep it (it is evidence), so only parse failures count.
            count, complete = 0, True
            pos = 0
            while pos < len(item.data):
                try:
                    parsed, pos = parse_record(item.data, pos)
                except RecordFormatError as exc:
                    part.fault(item.offset, exc.message)
                    complete = False
                    break
                count += 1
                for problem in [*parsed.problems, *_digest_faults(parsed), *_ledger_faults(parsed, item.offset, part)]:
                    part.fault(item.offset, problem)
            part.records += count
            part.members_end = item.offset + item.length
            if item.compressed and count > 1:
                part.fault(item.offset, f"gzip member holds {count} records: the file is not record-chunked "
                           "(one gzip member per record), so its records cannot be read by offset")
            if complete and count:
                part.valid_end = item.offset + item.length
                part.valid_records = part.records
    return part, window.stop


def _ledger_faults(parsed: ParsedRecord, offset: int, part: FileReport) -> list[str]:
    """A ledger record whose lines are not re-checks; else its re-checks go to ``part.confirms``."""
    if parsed.first.get("warc-type") != "metadata" or parsed.first.get("content-type") != LEDGER_CONTENT_TYPE:
        return []
    try:
        entries = ledger_entries(bytes(parsed.block))
    except ArchiveError as exc:
        return [f"re-check ledger: {exc}"]
    part.confirms += [(offset, entry["id"], entry["refers_to"]) for entry in entries]
    return []


def check_ledgers(reports: list[FileReport]) -> None:
    """Add a fault to each ledger record with a re-check whose capture (the response it confirms) is in none
    of the files verified nor beside its own file.  Reads those files once more, only when there are ledgers."""
    wanted = {capture for report in reports for _, _, capture in report.confirms}
    if not wanted:
        return
    files = {report.path for report in reports}
    files |= {p for report in reports if report.confirms for p in warc_files([report.path.parent])}
    found: set[str] = set()
    for path in sorted(files):
        try:
            for record in iter_records(path, skip_damage=True):
                if record.record_id in wanted and record.rec_type in ("response", "resource"):
                    found.add(record.record_id)
        except (OSError, ArchiveError):
            continue  # the file's own report says what is wrong with it
    for report in reports:
        for offset, recheck, capture in report.confirms:
            if capture not in found:
                report.fault(offset, f"re-check {recheck} confirms {capture}, which is not a response in the "
                                     "files verified nor beside this one")


def _digest_faults(parsed: ParsedRecord) -> list[str]:
    """The block's and the payload's digest faults, as a list: most records have none, and a list
    is cheaper to make and to test than a generator."""
    first, faults = parsed.first, []
    declared = first.get("warc-block-digest")
    if declared is not None and (fault := _digest_fault("block", declared, parsed.block)):
        faults.append(fault)
    declared = first.get("warc-payload-digest")
    # A revisit's payload digest names the original's payload, which is not in this record.
    if declared is not None and first.get("warc-type") != "revisit":
        payload = memoryview(parsed.block)  # a view, not a copy of every body
        if first.get("content-type", "").startswith("application/http"):
            payload = payload[http_head_end(parsed.block)[1]:]
        if fault := _digest_fault("payload", declared, payload):
            faults.append(fault)
    return faults


def _digest_fault(what: str, declared: str, data: bytes | memoryview) -> str | None:
    try:
        computed, ok = digest_of(declared, [data])
    except ArchiveError as exc:
        return f"{what} digest cannot be checked: {exc}"
    if ok:
        return None
    shown = declared if declared.isprintable() else repr(declared)  # no terminal escapes from a hostile file
    return f"{what} digest mismatch: header {shown}, computed {computed}"


def repair(path: Path | str, *, save_tail: bool = True) -> RepairReport:
    """Cut a file after its last complete valid record and drop an ``.open`` suffix.

    Only a tail that is not whole gzip members (or raw records) is cut: what a killed writer
    leaves.  A file that does not start with a WARC record, or whose last whole member does not
    parse (a wrong Content-Length in a complete record), is refused with ArchiveError: a fault
    to inspect, not a tail to cut.

    The removed bytes are kept next to the file as ``<name>.tail`` (unless
    ``save_tail`` is False), because an archive should not lose bytes silently even
    when they are a half-written record.  Refuses a file a live writer holds.
    """
    path = Path(path)
    with path.open("r+b") as f:
        if not lock_file(f.fileno()):
            raise ArchiveError(f"{path} is being written by a running crawl; stop the crawl before repairing")
        report = verify(path)
        if not report.starts_like_warc:
            raise ArchiveError(f"{path.name} does not start with a WARC record: not a WARC file, left untouched")
        if report.valid_end < report.members_end:
            # A whole gzip member (or raw record) that does not parse is not what a kill leaves: cutting
            # it would destroy evidence, and everything after it.
            first = next((x for x in report.faults if x.offset >= report.valid_end), None)
            raise ArchiveError(f"{path.name}: a complete record does not parse ({first or 'see archive verify'}); "
                               "not an incomplete tail, nothing cut: inspect it with `speechcrawl archive verify`")
        cut = report.valid_end
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        if final != path and final.exists():
            raise ArchiveError(f"cannot rename {path}: {final} already exists")
        tail_path = None
        if cut < report.size:
            if save_tail:
                tail_path = _free_name(final.with_name(final.name + ".tail"))
                f.seek(cut)
                tail_path.write_bytes(f.read())
            f.truncate(cut)
            f.flush()
            os.fsync(f.fileno())
            logger.warning("cut %d bytes from %s after offset %d (kept %d records)", report.size - cut, path, cut,
                           report.valid_records)
    if final != path:
        os.rename(path, final)
    return RepairReport(final, report.valid_records, report.size - cut, tail_path, path if final != path else None,
                        [fault for fault in report.faults if fault.offset < cut])


def repair_paths(paths: Iterable[Path | str]) -> Iterator[tuple[str, bool]]:
    """Repair every file under ``paths`` that needs it; yield (line for people, clean afterwards).

    Files that verify clean and are closed are left untouched (so a read-only archive
    can be checked with the same command); one file that cannot be repaired does not
    stop the others.
    """
    for path in warc_files(paths, include_open=True):
        report = verify(path)
        if not report.needs_repair:
            yield report.summary() + ("" if report.ok else "; not repairable: repair only cuts an incomplete "
                                      "tail"), report.ok
            continue
        try:
            result = repair(path)
        except (ArchiveError, OSError) as exc:
            yield f"{path.name}: cannot repair: {exc}", False
            continue
        yield result.summary(), not result.remaining_faults


def _free_name(path: Path) -> Path:
    n = 1
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{n}")
        n += 1
    return candidate
