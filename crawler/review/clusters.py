"""Near-duplicate clusters of the latest records, as ``speechcrawl export`` finds them (corpus.dedup).

Clustering looks at every record, so it runs once, on the first record page that asks, and is
kept for the app's lifetime (the app is read-only: the catalog it clusters does not change under
it; restart the app after a crawl).  A lock makes concurrent first requests wait for one run.
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
    def __init__(self, conn: sqlite3.Connection, options: DedupOptions | None = None) -> None:
        self.conn = conn
        self.options = options or DedupOptions()
        self._clusters: Clusters | None = None
        self._position: dict[int, int] = {}
        self._lock = threading.Lock()

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

    def _ready(self) -> Clusters:
        with self._lock:
            if self._clusters is None:
                self._clusters = find_clusters(self._rows(), self._text_of, self._ids_of, self.options)
                self._position = {int(r): p for p, r in enumerate(self._clusters.rowids)}
            return self._clusters

    def cluster_of(self, record_id: str) -> list[dict[str, Any]]:
        """The other records in this record's cluster, each with its similarity to the cluster's representative;
        the representative first.  Empty when the record has no near duplicate."""
        clusters = self._ready()
        row = self.conn.execute("SELECT rowid FROM records WHERE id = ? AND is_latest = 1", (record_id,)).fetchone()
        position = self._position.get(int(row[0])) if row else None
        if position is None or int(clusters.size[position]) < 2:
            return []
        rep = int(clusters.rep[position])
        members = [int(p) for p in (clusters.rep == rep).nonzero()[0]]
        by_rowid = {int(clusters.rowids[p]): p for p in members}
        out = []
        for rowid, rid, site, url, title in self.conn.execute(
                f"SELECT rowid, id, site, url, json_extract(record, '$.title') FROM records WHERE rowid IN"
                f" ({', '.join('?' * len(by_rowid))})", list(by_rowid)):
            p = by_rowid[rowid]
            out.append({"id": rid, "site": site, "url": url, "title": title, "representative": p == rep,
                        "similarity": 1.0 if p == rep else round(float(clusters.similarity[p]), 3),
                        "self": rid == record_id})
        return sorted(out, key=lambda m: (not m["representative"], -m["similarity"], m["id"]))
