"""What a page said over time: record versions, gone pages, and what each crawl found.

Archivists re-crawl the same sites for years.  The catalog therefore keeps every version
of a record: ``(id, version)`` is the key and ``is_latest`` marks the current one.  A
crawl that cleans a document compares each record with its latest version:

- no earlier version → version 1, event ``new``;
- the same text and metadata → nothing written, event ``unchanged`` (the WARC holds the
  fetch, usually as a revisit record);
- different → version n+1 beside the old one, event ``changed``.

A known page that now answers 404 or 410 is marked ``gone`` with the date and status
(its records stay, and are exported, with ``gone`` set); if it comes back it is compared
like any other page.  One event per record and crawl goes to ``record_events``; the first
one a crawl records wins, so a resumed crawl that cleans a page again does not turn a
``changed`` into ``unchanged``.  ``speechcrawl crawls`` counts documents from these events.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["GONE_STATUSES", "Validator", "cleaning_key", "content_sha1", "profile_sha256", "store_record", "mark_gone", "crawl_counts",
           "known_urls", "seen_unchanged", "unchanged_records", "validators"]

GONE_STATUSES = frozenset({404, 410})
_CONTENT_FIELDS = ("title", "speaker", "speaker_title", "occasion", "date", "source")
_PRECEDENCE = ("gone", "changed", "new", "unchanged")
"""How a document's records add up to one event for the document (first that applies)."""


def content_sha1(record: Mapping[str, Any]) -> str:
    """What makes two versions different: text and metadata, not fetch times, provenance or dedup marks."""
    part = record.get("part") or {}
    key = [" ".join(str(record.get("text") or "").split()), *(record.get(f) for f in _CONTENT_FIELDS),
           part.get("index"), part.get("label")]
    return hashlib.sha1(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def _event(conn: sqlite3.Connection, crawl_id: str, record: Mapping[str, Any], version: int, event: str,
           at: str) -> None:
    conn.execute("INSERT OR IGNORE INTO record_events (crawl_id, site, url, id, version, event, at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (crawl_id, record["site"], record["url"], record["id"], version, event, at))


def cleaning_key(cleaner_version: str, profile_sha256: str | None) -> str:
    """What the records of a page depend on besides its bytes: the cleaners and the site's profile."""
    return f"{cleaner_version}/{profile_sha256 or 'generic'}"


def profile_sha256(profile: Any) -> str | None:
    """The hash of the profile file a spider cleans with (None in generic mode)."""
    if profile is None or getattr(profile, "generic", False):
        return None
    return str(getattr(profile, "sha256", "")) or None


def store_record(conn: sqlite3.Connection, record: Mapping[str, Any], *, crawl_id: str, text_sha1: str,
                 cleaned_with: str = "") -> str:
    """Store ``record`` as a new version if it differs from the latest one; returns the event.

    ``cleaned_with`` (:func:`cleaning_key`) is kept with the version, so a re-crawl knows whether
    cleaning the same bytes again would give the same records.
    """
    digest = content_sha1(record)
    at = str(record.get("fetched_at") or "")
    latest = conn.execute("SELECT version, crawl_id, content_sha1, record FROM records WHERE id = ? AND is_latest = 1",
                          (record["id"],)).fetchone()
    if latest is not None:
        known = latest["content_sha1"] or content_sha1(json.loads(latest["record"]))
        if known == digest:
            conn.execute("UPDATE records SET cleaned_with = ? WHERE id = ? AND is_latest = 1",
                         (cleaned_with, record["id"]))
            if json.loads(latest["record"]).get("gone"):  # back after being gone, and unchanged
                conn.execute("UPDATE records SET record = json_set(record, '$.gone', json('null')) WHERE id = ?"
                             " AND is_latest = 1", (record["id"],))
            _event(conn, crawl_id, record, latest["version"], "unchanged", at)
            return "unchanged"
        if latest["crawl_id"] == crawl_id:
            # Cleaned again within one crawl (a resume, a cleaner fix in between): one crawl, one version.
            version, event = int(latest["version"]), "changed" if latest["version"] > 1 else "new"
            conn.execute("DELETE FROM records WHERE id = ? AND version = ?", (record["id"], version))
        else:
            version, event = int(latest["version"]) + 1, "changed"
            conn.execute("UPDATE records SET is_latest = 0 WHERE id = ? AND is_latest = 1", (record["id"],))
    else:
        version, event = 1, "new"
    stored: dict[str, Any] = {}
    for name, value in record.items():  # the schema's field order: version and gone follow fetched_at
        stored[name] = value
        if name == "fetched_at":
            stored.update(version=version, gone=None)
    stored.setdefault("version", version)
    stored.setdefault("gone", None)
    part = record.get("part")
    conn.execute(
        "INSERT INTO records (id, version, is_latest, site, url, part_index, crawl_id, fetched_at, text_sha1,"
        " content_sha1, cleaned_with, record) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (record["id"], version, record["site"], record["url"], part["index"] if part else None, crawl_id, at,
         text_sha1, digest, cleaned_with, json.dumps(stored, ensure_ascii=False)))
    _event(conn, crawl_id, record, version, event, at)
    return event


def mark_gone(conn: sqlite3.Connection, url: str, *, crawl_id: str, status: int, at: str) -> int:
    """Mark the latest records of ``url`` gone (never deleted); returns how many records that concerns."""
    rows = conn.execute("SELECT id, site, url, version, record FROM records WHERE url = ? AND is_latest = 1",
                        (url,)).fetchall()
    for row in rows:
        if not json.loads(row["record"]).get("gone"):
            gone = json.dumps({"at": at, "status": status, "crawl_id": crawl_id})
            conn.execute("UPDATE records SET record = json_set(record, '$.gone', json(?)) WHERE id = ? AND version = ?",
                         (gone, row["id"], row["version"]))
        _event(conn, crawl_id, {"site": row["site"], "url": row["url"], "id": row["id"]}, row["version"], "gone", at)
    return len(rows)


def seen_unchanged(conn: sqlite3.Connection, url: str, crawl_id: str, earlier: set[str]) -> int:
    """Record that ``crawl_id`` found document ``url`` unchanged: an ``unchanged`` event for each of its
    records, at the newest version made by a crawl in ``earlier`` (the crawls before it, itself included).

    A re-crawl writes no metadata record for a document whose pages all came back as revisits of the
    payloads its records were cleaned from; rebuilding the catalog from the WARC files calls this for
    such a fetch so the history still says the crawl saw the document.  Returns the events written.
    """
    latest: dict[str, sqlite3.Row] = {}
    for row in conn.execute("SELECT id, site, url, version, crawl_id, fetched_at FROM records WHERE url = ?"
                            " ORDER BY version", (url,)):
        if row["crawl_id"] in earlier:
            latest[row["id"]] = row
    for row in latest.values():
        _event(conn, crawl_id, {"site": row["site"], "url": row["url"], "id": row["id"]}, row["version"],
               "unchanged", row["fetched_at"])
    return len(latest)


def crawl_counts(conn: sqlite3.Connection, crawl_id: str) -> dict[str, dict[str, int]]:
    """Per site, documents (URLs) new, changed, unchanged and gone in ``crawl_id``."""
    by_url: dict[tuple[str, str], set[str]] = {}
    for site, url, event in conn.execute("SELECT site, url, event FROM record_events WHERE crawl_id = ?", (crawl_id,)):
        by_url.setdefault((site, url), set()).add(event)
    out: dict[str, dict[str, int]] = {}
    for (site, _), events in by_url.items():
        counts = out.setdefault(site, dict.fromkeys(_PRECEDENCE, 0))
        counts[next(e for e in _PRECEDENCE if e in events)] += 1
    return out


def unchanged_records(conn: sqlite3.Connection, url: str, digests: list[str], cleaned_with: str
                      ) -> list[dict[str, Any]] | None:
    """The latest records of document ``url`` if they were cleaned with ``cleaned_with`` (same cleaners,
    same profile) from exactly these page payloads (by digest, in order); else None.  Cleaning the same
    bytes the same way again would give them back.
    """
    rows = conn.execute("SELECT cleaned_with, record FROM records WHERE url = ? AND is_latest = 1"
                        " ORDER BY part_index", (url,)).fetchall()
    if not rows or any(row["cleaned_with"] != cleaned_with for row in rows):
        return None
    records = [json.loads(row["record"]) for row in rows]
    for record in records:
        stored = [str(p.get("payload_digest")) for p in record.get("provenance") or []]
        if stored != digests or record.get("gone"):
            return None
    return records


def known_urls(conn: sqlite3.Connection, site: str) -> list[str]:
    """Every document URL of ``site`` that has records, gone ones included (they may come back)."""
    return [url for (url,) in conn.execute("SELECT DISTINCT url FROM records WHERE site = ? AND is_latest = 1"
                                           " ORDER BY url", (site,))]


@dataclass(frozen=True)
class Validator:
    """What a conditional request needs about a URL's last full fetch, and where its payload lies."""

    etag: str | None
    last_modified: str | None
    warc_filename: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_digest: str
    warc_date: str


def validators(conn: sqlite3.Connection, site: str) -> dict[str, Validator]:
    """Per URL of ``site``: the newest 200 fetch that sent ETag or Last-Modified, pointing at a full payload.

    A fetch stored as a revisit points at its original record, whose row gives the payload's place.
    """
    out: dict[str, Validator] = {}
    rows = conn.execute(
        "SELECT f.url, f.etag, f.last_modified, f.warc_record_id, f.revisit_of, f.payload_digest, f.warc_date,"
        " f.warc_filename, f.warc_offset, f.warc_length FROM fetches f WHERE f.site = ? AND f.status = 200"
        " AND (f.etag IS NOT NULL OR f.last_modified IS NOT NULL) AND f.warc_record_id IS NOT NULL ORDER BY f.id",
        (site,))
    originals = {r["warc_record_id"]: r for r in conn.execute(
        "SELECT warc_record_id, warc_filename, warc_offset, warc_length, warc_date, payload_digest FROM fetches"
        " WHERE site = ? AND revisit_of IS NULL AND warc_record_id IS NOT NULL", (site,))}
    for row in rows:
        full = originals.get(row["revisit_of"] or row["warc_record_id"])
        if full is None or full["warc_filename"] is None:
            continue
        out[row["url"]] = Validator(row["etag"], row["last_modified"], full["warc_filename"], full["warc_offset"],
                                    full["warc_length"], full["warc_record_id"], full["payload_digest"],
                                    full["warc_date"])
    return out
