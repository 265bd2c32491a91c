"""CDXJ index of WARC files, in the shape pywb and ``cdxj-indexer`` use.

One line per capture: ``<SURT key> <14-digit timestamp> <JSON>``, sorted, so pywb can
binary-search it to replay a page as archived.  The SURT key must be the same one
pywb computes for a lookup, so :func:`surt` follows the Internet Archive's default
canonicalisation (lower case, ``www`` and default port dropped, query sorted,
percent-escapes normalised); ``tests/test_archive_cdxj.py`` checks it against the
``surt`` package on the URLs this crawler meets.
"""

from __future__ import annotations

import heapq
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import IO
from urllib.parse import quote_from_bytes, unquote_to_bytes

from archive._format import sha1_digest
from archive._parallel import PIECE, Plan, Window, pool
from archive._scan import starts_like_warc
from archive.exceptions import ArchiveError
from archive.files import replaced_when_done
from archive.reader import ArchivedRecord, records_of
from archive.reader import logger as reader_logger

__all__ = ["surt", "cdxj_lines", "write_cdxj"]

logger = logging.getLogger(__name__)

INDEXED_TYPES = frozenset({"response", "revisit", "resource", "metadata"})
_SORT_CHUNK = 200_000  # lines held in memory before spilling a sorted run to disk
_URL = re.compile(r"^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$", re.S)
_WWW = re.compile(r"^www\d*\.")
_ESCAPE_SAFE = b"!\"$&'()*+,-./:;<=>?@[\\]^_`{|}~"
_QUERY_SESSION = [re.compile(p, re.I) for p in (
    r"^(.*)(?:jsessionid=[0-9a-z]{32})(?:&(.*))?$", r"^(.*)(?:phpsessid=[0-9a-z]{32})(?:&(.*))?$",
    r"^(.*)(?:sid=[0-9a-z]{32})(?:&(.*))?$", r"^(.*)(?:aspsessionid[a-z]{8}=[a-z]{24})(?:&(.*))?$")]
# The surt package's fifth pattern, r"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$" (re.I), takes time quadratic
# in a query of many "cfid=" and no "&" (16 s for 100 KB): _strip_cfid does what it does in one pass.
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# URLs whose key needs few of the general steps: no whitespace, percent-escape, fragment,
# userinfo, IPv6 literal or non-ASCII, so percent-normalising is the identity.  Most URLs a
# crawl meets; surt() checks the path and scheme further before it takes the shortcut.
_PLAIN = r"\x00-\x20%#\x7f-\U0010ffff"
_PLAIN_HTTP = re.compile(rf"(https?)://([^/?@\[{_PLAIN}]+)(/[^?{_PLAIN}]*)?(?:\?([^{_PLAIN}]*))?")
_PLAIN_OTHER = re.compile(rf"([a-zA-Z][a-zA-Z0-9+.-]*):([^?{_PLAIN}]*)(?:\?([^{_PLAIN}]*))?")
_NON_DIGIT = re.compile(r"\D")
_MIME_END = re.compile(r"[;\s]")


def _unescape(text: bytes) -> bytes:
    """Percent-decode until nothing changes, so %2541 and %41 and A give one key."""
    while (decoded := unquote_to_bytes(text)) != text:
        text = decoded
    return text


def _escape(text: bytes) -> str:
    return quote_from_bytes(text, safe=_ESCAPE_SAFE)


def _normalise_path(path: bytes) -> bytes:
    """Resolve ``.`` and ``..``, collapse empty segments, keep a trailing slash."""
    if not path:
        return b"/"
    kept: list[bytes] = []
    for segment in path.split(b"/")[1:]:
        if segment == b".":
            continue
        if segment == b".." and kept:
            kept.pop()
        else:
            kept.append(segment)
    return b"/" + b"".join(s + b"/" for s in kept[:-1] if s) + (kept[-1] if kept else b"")


def _host_key(netloc: str, scheme: str) -> str:
    hostport = netloc.rpartition("@")[2]
    host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    raw = _unescape(host.encode("utf-8"))
    try:
        host = raw.decode("ascii")
    except UnicodeDecodeError:
        name = raw.decode("utf-8", "ignore")
        try:
            host = name.encode("idna").decode("ascii")
        except UnicodeError:  # a label IDNA refuses (too long, a control character): its UTF-8, escaped
            return _reversed_host(_escape(_tidy_host(name).encode("utf-8")).lower(), port, scheme)
    return _reversed_host(_escape(_tidy_host(host).encode("ascii")), port, scheme)


def _tidy_host(host: str) -> str:
    """Empty labels folded, the dots at either end dropped, lower case: how pywb's keys spell a host."""
    return host.replace("..", ".").strip(".").lower()


def _reversed_host(host: str, port: str, scheme: str) -> str:
    """``com,example:8080)`` from a canonical host name and the port as written."""
    key = ",".join(reversed(_WWW.sub("", host).split(".")))
    # ASCII digits only ("²" is a digit to str), leading zeros dropped as int() would, without int(): it
    # refuses a port of 4300 digits.
    if port and port.isascii() and port.isdigit() and (number := port.lstrip("0") or "0") != _DEFAULT_PORTS.get(
            scheme, ""):
        key += f":{number}"
    return key + ")"


def surt(url: str) -> str:
    """Sort-friendly URI Reordering Transform key of ``url``, as pywb computes it."""
    if (m := _PLAIN_HTTP.fullmatch(url)) is not None:
        scheme, netloc, path, query = m.groups()
        # Without "//" (an empty segment, or "http://http://" to fold) or a "." or ".." segment, the path is normal.
        if path is None or ("//" not in path and "/." not in path):
            host, _, port = netloc.partition(":")
            return _key(_reversed_host(_tidy_host(host), port, scheme), path or "/",
                        query, True)
    elif (m := _PLAIN_OTHER.fullmatch(url)) is not None:
        scheme, path, query = m.groups()
        # No host ("//"), no "http:host/path" to read as one, no filedesc line, which is its own key.
        if not path.startswith("//") and not scheme.lower().startswith("http") and not url.startswith("filedesc"):
            return _key(f"{scheme.lower()}:", path, query, False)
    return _general_surt(url)


def _general_surt(url: str) -> str:
    """:func:`surt` of any URL; the plain ones take the shortcut of :data:`_PLAIN_HTTP` and :data:`_PLAIN_OTHER`."""
    url = re.sub(r"[\n\r\t]", "", url.strip())
    if not url:
        return "-"
    if url.startswith("filedesc"):
        return url
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        url = "http://" + url
    url = re.sub(r"^(https?://)+", lambda m: m.group(1), url)
    m = _URL.match(url)
    if m is None:  # pragma: no cover - the pattern matches any string
        return url
    scheme, netloc, path, query = (m.group(1) or "").lower(), m.group(2), m.group(3), m.group(4)
    if netloc is None and scheme.startswith("http"):
        netloc, _, rest = path.lstrip("/").partition("/")
        path = "/" + rest
    raw_path = _unescape(path.encode("utf-8"))
    head = _host_key(netloc, scheme) if netloc else f"{scheme}:"
    return _key(head, _escape(_normalise_path(raw_path) if netloc else raw_path),
                _escape(_unescape(query.encode("utf-8"))) if query else None, bool(netloc))


def _key(head: str, path: str, query: str | None, netloc: bool) -> str:
    """The key from the host part (or scheme), and the path and query already percent-normalised."""
    key_path = path.lower()
    if len(key_path) > 1 and key_path.endswith("/"):
        key_path = key_path[:-1]
    key_query = _query_key(query) if query else ""
    if not key_path and (key_query or netloc):
        key_path = "/"
    return head + key_path + (f"?{key_query}" if key_query else "")


def _query_key(text: str) -> str:
    """Session ids dropped, lower case, arguments sorted; ``text`` is ASCII (percent-normalised)."""
    lowered = text.lower()
    if "sid=" in lowered or "sessionid" in lowered or "cfid=" in lowered:  # a literal each pattern needs
        for pattern in _QUERY_SESSION:
            if m := pattern.match(text):
                text = m.group(1) + (m.group(2) or "")
        text = _strip_cfid(text)
        lowered = text.lower()
    if len(lowered) > 1:
        pairs = sorted(tuple(arg.split("=", 1)) for arg in lowered.split("&"))
        lowered = "&".join("=".join(pair) for pair in pairs)
    return lowered


def _strip_cfid(text: str) -> str:
    """``text`` without its last ``cfid=X&cftoken=Y`` (X, Y: no "&"; any case), as the surt package's pattern
    drops it: where that pattern's greedy ``(.*)`` stops, the last "cfid=" with a character after it in its
    "&"-separated argument, the next argument being "cftoken=" and a character."""
    lowered = text.lower()  # ASCII: the same offsets
    arguments = lowered.split("&")
    ends, end = [], -1
    for argument in arguments:
        end += len(argument) + 1
        ends.append(end)  # where the "&" after it is (len(text) after the last)
    for n in range(len(arguments) - 2, -1, -1):
        token, argument = arguments[n + 1], arguments[n]
        if not (token.startswith("cftoken=") and len(token) > 8):
            continue
        if (at := argument.rfind("cfid=", 0, len(argument) - 1)) >= 0:
            return text[:ends[n] - len(argument) + at] + text[ends[n + 1] + 1:]
    return text


def _timestamp(date: str) -> str:
    """The first 14 digits of ``date``, zero-padded; a WARC-Date's ``YYYY-MM-DDTHH:MM:SS`` without a regex.

    With "--T::" at places 4, 7, ..., 16 and 14 ASCII digits left when those go, the
    digits are the other 14 of the first 19 characters: what the regex keeps.
    """
    if date[4:17:3] == "--T::":
        digits = date[:19].replace("-", "").replace("T", "").replace(":", "")
        if len(digits) == 14 and digits.isascii() and digits.isdigit():
            return digits
    return _NON_DIGIT.sub("", date)[:14].ljust(14, "0")


def _line(record: ArchivedRecord, filename: str, keys: dict[str, str]) -> str | None:
    """The index line of ``record``, or None for a type not indexed; ``keys`` holds the SURT keys already made."""
    first: dict[str, str] = {}  # the first value of each header, as record.header() gives it, in one pass
    for name, value in record.headers:
        first.setdefault(name.lower(), value)
    kind = first.get("warc-type", "")
    content_type = first.get("content-type", "")
    if kind not in INDEXED_TYPES or (kind != "revisit" and content_type == "application/warc-fields"):
        return None
    uri = first.get("warc-target-uri", "")
    is_http = kind in ("response", "revisit") and record.http_start_line is not None
    if kind == "revisit":
        mime: str | None = "warc/revisit"
    else:
        raw_mime = record.http_header("Content-Type") if kind == "response" else content_type
        mime = _MIME_END.split(raw_mime, maxsplit=1)[0].strip() if raw_mime else None
    # The JSON as json.dumps writes this dict of strings: its own string encoder, ", " and ": ".
    fields = [f'"url": {_json_string(uri)}'] if uri else []
    if mime:
        fields.append(f'"mime": {_json_string(mime)}')
    if is_http and (status := record.http_status) is not None:
        fields.append(f'"status": "{status}"')
    digest = first.get("warc-payload-digest") or sha1_digest(record.payload)
    fields.append(f'"digest": {_json_string(digest)}, "length": "{record.length}", "offset": "{record.offset}", '
                  f'"filename": {_json_string(filename)}')
    key = keys.get(uri)
    if key is None:
        key = keys[uri] = surt(uri)
    return f"{key} {_timestamp(first.get('warc-date', ''))} {{{', '.join(fields)}}}"


def cdxj_lines(path: Path | str, *, filename: str | None = None) -> Iterator[str]:
    """Unsorted index lines of one file; damaged records are skipped with a warning."""
    path = Path(path)
    for lines in Plan(path, partial(_index_window, name=filename or path.name), None).results():
        yield from _lines_of(path, lines)


def _lines_of(path: Path, indexed: _Indexed) -> list[str]:
    """A window's lines, after logging its warnings; raises the error that stopped it."""
    for note in indexed.notes:
        reader_logger.warning("%s", note)
    if indexed.error is not None:
        raise ArchiveError(indexed.error)
    return indexed.lines


@dataclass
class _Indexed:
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def _index_window(path: Path, start: int, end: int | None, gzip: bool, *, name: str) -> tuple[_Indexed, int]:
    """Index lines of the records from ``start`` to ``end``; errors are returned, for a worker to hand back."""
    out = _Indexed()
    with path.open("rb") as f:
        if start == 0 and not starts_like_warc(f):
            out.error = f"{path} is not a WARC file: it does not start with a WARC record"
            return out, start
        window = Window(f, start, end, gzip=gzip)
        last_offset = -1
        keys: dict[str, str] = {}  # SURT key by URL: a page's response and its document's metadata share one
        for record in records_of(path, window, skip_damage=True, notes=out.notes):
            if record.offset == last_offset:
                out.error = (f"{path} is not record-chunked (several records in one gzip member), so it cannot "
                             f"be indexed; recompress it with `warcio recompress {path} NEW.warc.gz`")
                return out, record.offset
            last_offset = record.offset
            if (line := _line(record, name, keys)) is not None:
                out.lines.append(line)
    return out, window.stop


def write_cdxj(paths: Iterable[Path | str], out: Path | IO[str], *, dir_root: Path | str | None = None,
               tick: Callable[[], None] | None = None, workers: int = 1, piece: int = PIECE) -> int:
    """Write the sorted CDXJ index of ``paths`` (files or directories); return the line count.

    ``tick`` is called after each WARC file is read (a progress line for the CLI).

    ``filename`` in each line is relative to ``dir_root`` when given, else the bare file
    name (what pywb expects for a flat collection).  Large indexes are sorted in runs
    spilled to temporary files, so memory stays bounded for years of archives.  With
    ``workers`` > 1 the files, and large files in ranges of about ``piece`` bytes, are read
    by that many processes (:mod:`archive._parallel`); the index is the same.
    """
    from archive.verify import warc_files  # verify imports reader; keep the import graph acyclic

    files = list(warc_files(paths))
    runs: list[Path] = []
    chunk: list[str] = []
    count = 0
    with tempfile.TemporaryDirectory(prefix="cdxj-") as tmp, \
            pool(workers, sum(path.stat().st_size for path in files), piece) as executor:
        plans = [Plan(path, partial(_index_window, name=os.path.relpath(path, dir_root) if dir_root is not None
                                    else path.name), executor, piece) for path in files]
        for path, plan in zip(files, plans, strict=True):
            for indexed in plan.results():
                for line in _lines_of(path, indexed):
                    chunk.append(line)
                    count += 1
                    if len(chunk) >= _SORT_CHUNK:
                        runs.append(_spill(sorted(chunk), Path(tmp), len(runs)))
                        chunk = []
            if tick is not None:
                tick()
        chunk.sort()
        with ExitStack() as stack:
            sources: list[Iterable[str]] = [(x.rstrip("\n") for x in stack.enter_context(run.open(encoding="utf-8")))
                                            for run in runs]
            merged = heapq.merge(chunk, *sources) if runs else iter(chunk)
            _write_lines(merged, out)
    return count


def _spill(lines: list[str], directory: Path, n: int) -> Path:
    path = directory / f"run-{n:05d}.cdxj"
    with path.open("w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)
    return path


def _write_lines(lines: Iterable[str], out: Path | IO[str]) -> None:
    if not isinstance(out, Path):
        out.writelines(line + "\n" for line in lines)
        return
    # Write beside the target and rename, so pywb never sees a half-written index.
    with replaced_when_done(out) as part, part.open("w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)

