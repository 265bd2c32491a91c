"""Near-duplicate clusters of the latest records, as ``speechcrawl export`` finds them (corpus.dedup).

Clustering looks at every record (about 30 s for 100,000 on two cores, docs/report.md), so it runs
once, in a background thread started with the app, on a connection of its own, and is kept for
the app's lifetime (restart the app after a crawl).  Until it is done a record page says so
instead of waiting.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from corpus.dedup import Clusters, DedupOptions, find_clusters

__all__ = ["NearDuplicates"]

_TEXT = "json_extract(record, '$.text')"


class NearDuplicates:
    """``conn`` is used by the clustering thread only; pages pass their own connection to :meth:`cluster_of`."""

    def __init__(self, conn: sqlite3.Connection, options: DedupOptions | None = None) -> None:
        self.conn = conn
        self.options = options or DedupOptions()
        self._clusters: Clusters | None = None
        self._position: dict[int, int] = {}
        self._done = threading.Event()
        self.error = ""
        self._thread = threading.Thread(target=self._run, name="near-duplicates", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float) -> bool:
        """True once the clusters are there (or failed), waiting at most ``timeout`` seconds."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            clusters = find_clusters(self._rows(), self._text_of, self._ids_of, self.options)
            self._position = {int(r): p for p, r in enumerate(clusters.rowids)}
            self._clusters = clusters
        except (sqlite3.Error, OSError, ValueError) as exc:
            self.error = f"near duplicates could not be found: {exc}"
        finally:
            self.conn.close()
            self._done.set()

    def _rows(self) -> Iterator[tuple[int, str]]:
        for rowid, text in self.conn.execute(f"SELECT rowid, {_TEXT} FROM records WHERE is_latest = 1"
                                             " ORDER BY site, url, part_index").fetchall():
            yield rowid, text or ""

    def _text_of(self, rowid: int) -> str:
        row = self.conn.execute(f"SELECT {_TEXT} FROM records WHERE rowid = ?", (rowid,)).fetchone()
        return (row[0] or "") if row else ""

    def _ids_of(self, rowids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start:start + 500]
            out.update(self.conn.execute(f"SELECT rowid, id FROM records WHERE rowid IN ({', '.join('?' * len(chunk))})",
                                         chunk).fetchall())
        return out

    def cluster_of(self, conn: sqlite3.Connection, record_id: str) -> list[dict[str, Any]] | None:
        """The records in this record's cluster, each with its similarity to the cluster's representative, the
        representative first; empty when the record has no near duplicate; None while still clustering."""
        clusters = self._clusters if self._done.is_set() else None
        if clusters is None:
            return None
        row = conn.execute("SELECT rowid FROM records WHERE id = ? AND is_latest = 1", (record_id,)).fetchone()
        position = self._position.get(int(row[0])) if row else None
        if position is None or int(clusters.size[position]) < 2:
            return []
        rep = int(clusters.rep[position])
        members = [int(p) for p in (clusters.rep == rep).nonzero()[0]]
        by_rowid = {int(clusters.rowids[p]): p for p in members}
        out = []
        for rowid, rid, site, url, title in conn.execute(
                f"SELECT rowid, id, site, url, json_extract(record, '$.title') FROM records WHERE rowid IN"
                f" ({', '.join('?' * len(by_rowid))})", list(by_rowid)):
            p = by_rowid[rowid]
            out.append({"id": rid, "site": site, "url": url, "title": title, "representative": p == rep,
                        "similarity": 1.0 if p == rep else round(float(clusters.similarity[p]), 3),
                        "self": rid == record_id})
        return sorted(out, key=lambda m: (not m["representative"], -m["similarity"], m["id"]))
