"""Which catalog records an export takes: filters, their SQL, and reads in one snapshot.

Filters run inside SQLite (``json_extract`` over the stored record, helped by the
expression indexes of migration ``002_exports_filter_indexes``) so that records a
researcher did not ask for are never parsed in Python.  An export reads the selection
twice, once for duplicate detection and once to write, and both reads must see the
same rows in the same order: :meth:`Selection.snapshot` holds one read transaction
(SQLite's WAL mode gives it a stable view even while a crawl keeps writing), and the
order is total (``site, url, part_index, id``).
"""

from __future__ import annotations

import calendar
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from corpus.catalog import Catalog

__all__ = ["ExportFilter", "Selection", "SelectionError", "parse_day"]

DateField = Literal["date", "fetched"]
Versions = Literal["latest", "all"]
_DAY = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_TEXT = "json_extract(record, '$.text')"
_ORDER = " ORDER BY site, url, part_index, id, version"


class SelectionError(ValueError):
    """A filter that cannot match as meant (a site the catalog does not have): a usage error."""


def parse_day(value: str, *, end: bool = False) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a day; the first day of the span, or its last with ``end``.

    ``--until 2023`` means up to 2023-12-31, as a researcher reads it.
    """
    m = _DAY.match(value.strip())
    if not m or (m.group(3) and not m.group(2)):
        raise ValueError(f"bad date {value!r}: use YYYY-MM-DD (or YYYY-MM, YYYY)")
    year, month, day = int(m.group(1)), int(m.group(2) or (12 if end else 1)), m.group(3)
    if not 1 <= month <= 12:
        raise ValueError(f"bad date {value!r}: month {month} does not exist")
    last = calendar.monthrange(year, month)[1]
    if day is not None and not 1 <= int(day) <= last:
        raise ValueError(f"bad date {value!r}: {year}-{month:02d} has {last} days")
    return f"{year:04d}-{month:02d}-{int(day) if day else (last if end else 1):02d}"


@dataclass(frozen=True, kw_only=True)
class ExportFilter:
    """What a researcher asked for; every field unset means "all records"."""

    sites: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    by: DateField = "date"
    speaker: str | None = None
    contains: str | None = None
    min_chars: int = 0
    versions: Versions = "latest"
    """``latest``: each record as it reads now; ``all``: every version the catalog kept (corpus.history)."""

    def __post_init__(self) -> None:
        if self.by not in ("date", "fetched"):
            raise ValueError(f"bad --by {self.by!r}: date or fetched")
        if self.since is not None:
            object.__setattr__(self, "since", parse_day(self.since))
        if self.until is not None:
            object.__setattr__(self, "until", parse_day(self.until, end=True))
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"--since {self.since} is after --until {self.until}")
        if self.min_chars < 0:
            raise ValueError(f"--min-chars must be 0 or more, not {self.min_chars}")
        if self.versions not in ("latest", "all"):
            raise ValueError(f"bad --versions {self.versions!r}: latest or all")

    def where(self) -> tuple[str, list[object]]:
        """The SQL condition (``" WHERE …"`` or ``""``) and its parameters."""
        clauses: list[str] = ["is_latest = 1"] if self.versions == "latest" else []
        params: list[object] = []
        if self.sites:
            clauses.append(f"site IN ({', '.join('?' * len(self.sites))})")
            params += self.sites
        # fetched_at is an ISO timestamp: its first 10 characters are the day
        day = "json_extract(record, '$.date')" if self.by == "date" else "substr(fetched_at, 1, 10)"
        for sql, value in ((f"{day} >= ?", self.since), (f"{day} <= ?", self.until),
                           ("json_extract(record, '$.speaker') = ?", self.speaker),
                           (f"instr({_TEXT}, ?) > 0", self.contains), (f"length({_TEXT}) >= ?", self.min_chars)):
            if value:
                clauses.append(sql)
                params.append(value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class Selection:
    """The records of ``catalog`` that ``filters`` keep, read in export order."""

    def __init__(self, catalog: Catalog, filters: ExportFilter | None = None) -> None:
        self.conn = catalog.conn
        self.filters = filters or ExportFilter()
        self._where, self._params = self.filters.where()

    def check_sites(self) -> None:
        """SelectionError for a ``--site`` the catalog has no record of (most often a typo)."""
        known = {site for (site,) in self.conn.execute("SELECT DISTINCT site FROM records")}
        missing = [site for site in self.filters.sites if site not in known]
        if missing:
            raise SelectionError(f"no records of site {', '.join(missing)} in the catalog "
                                 f"(sites: {', '.join(sorted(known)) or 'none'})")

    def snapshot(self) -> _Snapshot:
        """``with selection.snapshot():`` — every read inside sees the same catalog state."""
        return _Snapshot(self.conn)

    def total(self) -> int:
        """Records in the catalog, selected or not."""
        return int(self.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM records" + self._where, self._params).fetchone()[0])

    def texts(self) -> Iterator[tuple[int, str]]:
        """``(rowid, text)`` of each selected record, in export order (what duplicate detection reads)."""
        sql = f"SELECT rowid, {_TEXT} FROM records{self._where}{_ORDER}"
        for rowid, text in self.conn.execute(sql, self._params):
            yield rowid, text or ""

    def records(self) -> Iterator[tuple[int, str]]:
        """``(rowid, record JSON)`` of each selected record, in export order."""
        yield from self.conn.execute(f"SELECT rowid, record FROM records{self._where}{_ORDER}", self._params)

    def sites(self) -> Iterator[str]:
        """The site of each selected record, in export order."""
        for (site,) in self.conn.execute(f"SELECT site FROM records{self._where}{_ORDER}", self._params):
            yield site

    def text_of(self, rowid: int) -> str:
        row = self.conn.execute(f"SELECT {_TEXT} FROM records WHERE rowid = ?", (rowid,)).fetchone()
        return (row[0] or "") if row else ""

    def ids_of(self, rowids: list[int]) -> dict[int, str]:
        """Record id by rowid (in chunks: SQLite caps the number of parameters)."""
        out: dict[int, str] = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start:start + 500]
            sql = f"SELECT rowid, id FROM records WHERE rowid IN ({', '.join('?' * len(chunk))})"
            out.update(self.conn.execute(sql, chunk).fetchall())
        return out


class _Snapshot:
    """One read transaction (BEGIN … COMMIT), so that repeated reads agree."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN")

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("COMMIT")
