"""The archived pages of a record, read back from the WARC files by the pointers its provenance holds.

Only files under ``DATA/warc/<site>/`` named by the catalog are opened (never a path from a
request).  A revisit record's original is found through the catalog (the fetch whose record id it
refers to) rather than by indexing the whole directory, so one record costs a few seeks.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.exceptions import ArchiveError
from archive.reader import ArchivedRecord, read_record_at
from archive.warc import WARC_DIRNAME
from cleaners import decode_html

__all__ = ["ArchivedPage", "archived_pages", "warc_path", "raw_record", "inert_html"]

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)


@dataclass(frozen=True)
class ArchivedPage:
    url: str
    status: int
    body: bytes
    html: str | None
    """Decoded text, or None when no charset reads it."""
    content_type: str
    warc_filename: str
    warc_offset: int


def warc_path(data: Path, site: str, filename: str) -> Path:
    """``DATA/warc/<site>/<filename>``; ValueError for a name that would leave that directory."""
    if not filename or "/" in filename or "\\" in filename or filename.startswith(".") or "/" in site or \
            site.startswith("."):
        raise ValueError(f"not a WARC file name: {filename!r}")
    return data / WARC_DIRNAME / site / filename


def _original(conn: sqlite3.Connection, data: Path, site: str, revisit_of: str) -> ArchivedRecord:
    row = conn.execute("SELECT site, warc_filename, warc_offset FROM fetches WHERE warc_record_id = ?"
                       " AND revisit_of IS NULL LIMIT 1", (revisit_of,)).fetchone()
    if row is None:
        raise ArchiveError(f"the original of revisit {revisit_of} is not in the catalog")
    return read_record_at(warc_path(data, row[0], row[1]), int(row[2]), decode_content=True)


def archived_pages(conn: sqlite3.Connection, data: Path, record: dict[str, Any], encoding: str | None = None
                   ) -> list[ArchivedPage]:
    """Each page of ``record`` as archived (revisits resolved); ArchiveError/OSError if a file is missing."""
    out = []
    for entry in record.get("provenance") or []:
        if not entry.get("warc_filename") or entry.get("warc_offset") is None:
            continue
        archived = read_record_at(warc_path(data, str(record["site"]), entry["warc_filename"]),
                                  int(entry["warc_offset"]), decode_content=True)
        if archived.rec_type == "revisit":
            archived = _original(conn, data, str(record["site"]), entry.get("revisit_of") or
                                 archived.header("WARC-Refers-To") or "")
        content_type = archived.http_header("Content-Type") or ""
        declared = _CHARSET.search(content_type)
        decoded = decode_html(archived.payload, encoding or (declared.group(1) if declared else None))
        out.append(ArchivedPage(url=str(entry.get("url") or archived.target_uri), status=int(entry.get("status") or 0),
                                body=archived.payload, html=decoded.text, content_type=content_type,
                                warc_filename=entry["warc_filename"], warc_offset=int(entry["warc_offset"])))
    return out


def raw_record(data: Path, site: str, filename: str, offset: int, length: int) -> bytes:
    """The stored bytes of one WARC record (one gzip member): what "download this record" gives."""
    with warc_path(data, site, filename).open("rb") as f:
        f.seek(offset)
        return f.read(length)


_DROP_TAGS = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link",
              "meta", "form", "video", "audio", "source", "track", "portal")
_URL_ATTRS = ("src", "srcset", "href", "action", "formaction", "background", "poster", "data", "ping", "style")


def inert_html(html: str) -> str:
    """The archived page made inert for display: scripts, frames, forms and every subresource reference gone.

    The archive holds the pages, not their stylesheets or images; left in, each reference would
    be a request to the review app (or, with an absolute URL, to the live site).  The text and
    structure stay as archived.  Defence in depth: the page is also served with a ``sandbox`` CSP
    and framed in ``<iframe sandbox>``, so scripts would not run even if one slipped through.
    """
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return "<p>This page could not be parsed for display.</p>"
    for el in list(tree.iter(*_DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for name in list(el.attrib):
            if name.lower().startswith("on") or name.lower() in _URL_ATTRS:
                del el.attrib[name]
    return str(lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>"))
