"""URL canonicalisation: one spelling per page, so a page is fetched once and keeps one record id.

The same article is linked as ``HTTP://Example.cn:80/a/%7euser/./x.html?utm_source=wx#top``,
``http://example.cn/a/~user/x.html`` and ``http://example.cn/a/%7Euser/x.html?spm=1.2``.  Record ids
are a hash of the canonical URL (corpus.records), so every spelling must map to one string, and
the mapping must be idempotent.  What changes (RFC 3986 §6.2.2-6.2.3, plus crawler practice):

* scheme and host lower-cased, IDNA host punycoded, default port (80/443) and empty port dropped;
* dot segments removed, an empty path becomes ``/``;
* percent-encoding normalised: hex upper-cased, unreserved characters (``A-Za-z0-9-._~``) decoded,
  characters that may not appear raw (spaces, non-ASCII as UTF-8, a stray ``%``) encoded;
* the fragment dropped; tracking parameters (``utm_*``, ``gclid``, ``spm`` …) and session ids
  (``jsessionid``, ``PHPSESSID`` …) removed from the query, whose other parameters keep their order
  (order can matter to a CMS, so it is not sorted).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

__all__ = ["canonical_url", "document_base", "TRACKING_PARAMS", "SESSION_PARAMS"]

TRACKING_PARAMS = frozenset({
    "gclid", "fbclid", "msclkid", "yclid", "dclid", "gbraid", "wbraid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
    "spm", "scm", "isappinstalled", "share_token", "igshid",
})
"""Analytics parameters that never change what a page shows (plus every ``utm_*``)."""
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sessionid", "session_id", "cfid", "cftoken"})
"""Session identifiers: a new value per visitor for the same page (``aspsessionid*`` too)."""

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")
_HEX = frozenset("0123456789abcdefABCDEF")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_PATH_SESSION = re.compile(r";jsessionid=[^/?#;]*", re.I)


def _encode(text: str, safe: frozenset[str]) -> str:
    """Percent-encode what may not stand raw, normalise existing escapes, never double-encode."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%" and i + 2 < len(text) and text[i + 1] in _HEX and text[i + 2] in _HEX:
            decoded = chr(int(text[i + 1:i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1:i + 3].upper())
            i += 3
            continue
        if char in safe:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, on ``/``-separated segments."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for k, segment in enumerate(segments):
        last = k == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _host(hostname: str) -> str:
    if hostname.isascii():
        return hostname.lower()
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid IDN: keep it, escaped, rather than guess
        return _encode(hostname.lower(), _UNRESERVED)


def _netloc(scheme: str, netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal
        host, _, rest = hostport.partition("]")
        host, port = host + "]", rest.removeprefix(":")
        host = host.lower()
    else:
        host, _, port = hostport.partition(":")
        host = _host(host).rstrip(".") or host
    if port == _DEFAULT_PORTS.get(scheme) or not port:
        return f"{userinfo}{at}{host}"
    return f"{userinfo}{at}{host}:{port}"


def _keep_param(pair: str) -> bool:
    name = pair.split("=", 1)[0].lower()
    return not (name in TRACKING_PARAMS or name in SESSION_PARAMS or name.startswith(("utm_", "aspsessionid")))


def canonical_url(url: str) -> str:
    """The canonical spelling of ``url`` (see the module docstring); idempotent.

    Raises ValueError for what cannot be a URL at all (``http://[not-ipv6/``), as urlsplit does.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    path = _PATH_SESSION.sub("", parts.path)
    path = _remove_dot_segments(_encode(path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    # Parameters are judged after decoding, so "%75tm_source" goes like "utm_source".
    params = (_encode(p, _QUERY_SAFE) for p in parts.query.split("&") if p)
    query = "&".join(p for p in params if _keep_param(p))
    return urlunsplit((scheme, _netloc(scheme, parts.netloc), path, query, ""))


_BASE_HREF = etree.XPath("(//base[@href])[1]/@href", smart_strings=False)


def document_base(root: Any, page_url: str) -> str:
    """The address a page's relative links resolve against: its first ``<base href>`` (itself resolved
    against ``page_url``), else ``page_url``.

    JSP and TRS portals write ``<base href="/">`` (or the column's address) and every link relative to
    it: ``info/1023/5678.htm`` on ``/jyzx/ldjh/list_2.html`` is ``/info/1023/5678.htm``, not a page under
    the column.  ``root`` is any element of the parsed page (the whole document is searched)."""
    found = _BASE_HREF(root)
    href = str(found[0]).strip() if found else ""
    if not href:
        return page_url
    try:
        base = urljoin(page_url, href)
    except ValueError:  # a broken IPv6 literal in the base: the page's own address stands
        return page_url
    return base if urlsplit(base).scheme in ("http", "https") else page_url
