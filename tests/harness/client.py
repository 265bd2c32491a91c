"""A tiny keep-alive HTTP client for checking and benchmarking the sandbox.

Stdlib only, on purpose: the sandbox's own tests and its throughput figure must not depend on the
crawler or the cleaners they are meant to exercise.  ``page_text`` is a crude tag stripper, good
enough for substring checks, and nothing like a cleaner.
"""

from __future__ import annotations

import html
import http.client
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

logger = logging.getLogger(__name__)

__all__ = ["Client", "Page", "page_text", "path_query", "throughput"]

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"']+)["']""", re.I)
_CHARSET = re.compile(r"charset=([\w-]+)", re.I)


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def charset(self) -> str:
        m = _CHARSET.search(self.headers.get("content-type", ""))
        return m.group(1).lower() if m else "utf-8"

    @property
    def html(self) -> str:
        return self.body.decode(self.charset)

    @property
    def text(self) -> str:
        return page_text(self.html)

    def links(self) -> list[str]:
        """Absolute URLs of every <a href> (javascript: and fragments skipped)."""
        out = []
        for href in _HREF.findall(self.html):
            href = html.unescape(href).strip()
            if href.startswith(("javascript:", "#", "mailto:")):
                continue
            out.append(urljoin(self.url, href))
        return out


def page_text(markup: str) -> str:
    """Visible text with tags removed and whitespace collapsed (enough for substring checks)."""
    return " ".join(html.unescape(_TAG.sub("", _SCRIPT.sub(" ", markup))).split())


def path_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class Client:
    """One keep-alive connection per origin; follows redirects only when asked."""

    def __init__(self) -> None:
        self._conns: dict[str, http.client.HTTPConnection] = {}

    def get(self, url: str, *, follow: bool = True, hops: int = 5) -> Page:
        parts = urlsplit(url)
        conn = self._conns.get(parts.netloc)
        if conn is None:
            conn = self._conns[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=10)
        conn.request("GET", path_query(url))
        resp = conn.getresponse()
        page = Page(url, resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        if follow and resp.status in (301, 302) and hops > 0:
            return self.get(urljoin(url, page.headers["location"]), follow=True, hops=hops - 1)
        return page

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()


def throughput(urls: Sequence[str], threads: int = 2) -> tuple[int, float]:
    """Fetch every URL once (keep-alive, ``threads`` clients); returns (pages, seconds)."""
    done: list[int] = []
    errors: list[str] = []

    def work(chunk: Sequence[str]) -> None:
        client = Client()
        try:
            for url in chunk:
                page = client.get(url, follow=False)
                if page.status >= 400:
                    errors.append(f"{url}: {page.status}")
            done.append(len(chunk))
        finally:
            client.close()

    workers = [threading.Thread(target=work, args=(urls[k::threads],)) for k in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed fetches, e.g. {errors[0]}")
    return sum(done), elapsed
