"""The review app's pages: each a function of the app, the route's groups and the query, returning a Response.

Queries are in :mod:`crawler.review.queries`; these functions choose what a page shows and
which template draws it.  Everything a template prints is autoescaped.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import crawler.review.queries as queries
from archive.exceptions import ArchiveError
from cleaners.types import Page
from crawler.review.archived import archived_pages, inert_html, raw_record
from crawler.review.fields import FIELDS, field_sources
from crawler.review.spans import KINDS, annotate
from crawler.review.web import ARCHIVED_CSP, App, Response
from spiders.profiles import SiteProfile, load_profiles

__all__ = ["sites", "crawls", "records", "record", "archived", "warc"]

_DAY = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_PROFILES: dict[str, SiteProfile] | None = None


def _profile(site: str) -> SiteProfile | None:
    global _PROFILES
    if _PROFILES is None:
        _PROFILES = load_profiles()
    return _PROFILES.get(site)


def sites(app: App, *, query: dict[str, str]) -> Response:
    return app.html("sites.html.j2", sites=queries.sites(app.conn, app.data))


def crawls(app: App, *, query: dict[str, str]) -> Response:
    return app.html("crawls.html.j2", crawls=queries.crawls(app.conn))


def records(app: App, *, query: dict[str, str]) -> Response:
    page = query.get("page", "1")
    s = queries.Search(text=query.get("q", "").strip()[:200], speaker=query.get("speaker", "").strip()[:100],
                       site=query.get("site", "").strip()[:100],
                       since=query.get("since", "") if _DAY.fullmatch(query.get("since", "")) else "",
                       until=query.get("until", "") if _DAY.fullmatch(query.get("until", "")) else "",
                       page=int(page) if page.isdigit() and len(page) < 6 else 1)
    rows, more = queries.search(app.conn, s)
    params = {"q": s.text, "speaker": s.speaker, "site": s.site, "since": s.since, "until": s.until}
    return app.html("records.html.j2", rows=rows, more=more, s=s, params=params,
                    site_names=queries.site_names(app.conn), first=(s.page - 1) * queries.PAGE_SIZE + 1)


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """Paragraph diff of two versions: ("same" | "del" | "ins", paragraph)."""
    a, b = old.split("\n"), new.split("\n")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(("same", p) for p in a[i1:i2])
        else:
            out.extend(("del", p) for p in a[i1:i2])
            out.extend(("ins", p) for p in b[j1:j2])
    return out


def record(app: App, record_id: str, *, query: dict[str, str]) -> Response:
    v = query.get("v", "")
    rec = queries.record(app.conn, record_id, int(v) if v.isdigit() and len(v) < 6 else None)
    if rec is None:
        return app.not_found(f"No record {record_id}.")
    profile = _profile(str(rec["site"]))
    rules = None if rec.get("mode") == "generic" or profile is None else profile.rules
    encoding = profile.encoding if profile is not None and profile.encoding != "auto" else None
    try:
        archived, archive_error = archived_pages(app.conn, app.data, rec, encoding), ""
    except (ArchiveError, OSError, ValueError) as exc:  # the text and history still show without the archive
        archived, archive_error = [], str(exc)
    readable = [Page(url=p.url, html=p.html) for p in archived if p.html is not None]
    blocks = annotate(readable, rules, (rec.get("part") or {}).get("index")) if readable else []
    removed: dict[str, int] = {}
    for block in blocks:
        for seg in block.segments:
            if seg.kind is not None:
                removed[seg.kind] = removed.get(seg.kind, 0) + 1
    history = queries.versions(app.conn, record_id)
    diffs = [(prev, cur, _diff(prev["text"] or "", cur["text"] or "")) for prev, cur in zip(history, history[1:],
                                                                                              strict=False)]
    return app.html("record.html.j2", rec=rec, blocks=blocks, kinds=KINDS, removed=removed, archived=archived,
                    archive_error=archive_error,
                    sources=field_sources(readable[0].html if readable else None, rec, rules), fields=FIELDS,
                    versions=history, diffs=diffs, events=queries.events(app.conn, record_id),
                    cluster=app.near.cluster_of(app.conn, record_id), cluster_error=app.near.error)


def _page_of(app: App, record_id: str, index: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    rec = queries.record(app.conn, record_id)
    provenance = (rec or {}).get("provenance") or []
    if rec is None or int(index) >= len(provenance):
        return None
    return rec, provenance[int(index)]


def archived(app: App, record_id: str, index: str, *, query: dict[str, str]) -> Response:
    """The archived page's text and structure, made inert, under a sandbox CSP: an opaque origin, scripts off."""
    found = _page_of(app, record_id, index)
    if found is None:
        return app.not_found(f"No page {index} of record {record_id}.")
    rec, _ = found
    profile = _profile(str(rec["site"]))
    encoding = profile.encoding if profile is not None and profile.encoding != "auto" else None
    page = archived_pages(app.conn, app.data, {**rec, "provenance": [found[1]]}, encoding)[0]
    body = inert_html(page.html or "<p>No charset reads this page.</p>").encode("utf-8")
    return Response(200, body, "text/html; charset=utf-8", ARCHIVED_CSP)


def warc(app: App, record_id: str, index: str, *, query: dict[str, str]) -> Response:
    """The WARC record of one page, as stored (one gzip member): "download this record"."""
    found = _page_of(app, record_id, index)
    if found is None:
        return app.not_found(f"No page {index} of record {record_id}.")
    rec, entry = found
    body = raw_record(app.data, str(rec["site"]), str(entry["warc_filename"]), int(entry["warc_offset"]),
                      int(entry["warc_length"]))
    name = f"{record_id}-{index}.warc.gz"
    return Response(200, body, "application/warc", "default-src 'none'; sandbox",
                    (("Content-Disposition", f'attachment; filename="{name}"'),))
