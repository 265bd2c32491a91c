"""A bench-only web site with the shape of issue 20's unseen site, for generic-mode crawl benchmarks.

    python -m bench.bench_site [--articles 2000] [--port 0] [--hosts 1] [--delay 0] [--lazy]

2,000 speech articles and their list pages, every page 25–40 KB with about 45 links (site
navigation, related articles, a print and a download view that robots.txt disallows), half
of the pages in GBK (declared in the Content-Type header and a ``<meta charset>``), the
other half in UTF-8.  It is not part of the product sandbox on purpose: the sandbox's sites
have hand-written profiles, and the point here is a site nobody wrote a profile for.

The padding is inline ad scripts and a footer (as on the real 范文 templates), not text.
Every page is rendered once at start-up and served from memory by a threading server that
sets TCP_NODELAY on each connection (without it a stdlib server answers ~40 ms late:
Nagle's algorithm waits for the client's delayed ACK), with HTTP/1.1 keep-alive, so the
server costs the crawl as little CPU as it can.  ``--lazy`` renders each page when it is
asked for instead (~2 ms a page): a 100,000-page site would hold 3 GB in memory.  Like a
static CMS behind nginx, every page has an ETag and a Last-Modified date and a conditional
request for an unchanged page is answered 304.  Prints ``listening on URL`` when ready.

``--hosts N`` serves N such sites on N ports (the articles split between them, each site's text
its own), ``--delay S`` answers every request S seconds late, as a far-away server does: a
latency-bound crawl of many hosts (bench.bench_distributed).  ``GET /_bench/served`` tells how
many requests a host has answered, so a benchmark counts pages at the server, whatever crawled them.
"""

from __future__ import annotations

import argparse
import random
import re
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sandbox.seeds import pools

PER_LIST = 20
"""Articles a list page links to."""
_NAV = ["要闻", "讲话", "范文", "公文", "党建", "述职", "心得", "总结", "计划", "报告", "致辞", "演讲"]
ROBOTS = b"User-agent: *\nDisallow: /print/\nDisallow: /download/\n"
SERVED = "/_bench/served"
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
"""Every page's Last-Modified: the site does not change while it runs."""


def _charset(n: int) -> str:
    return "gbk" if n % 2 else "utf-8"


def _paragraphs(rng: random.Random, chars: int) -> list[str]:
    """Coherent paragraphs from the sandbox's speech sentences, about ``chars`` characters in all."""
    runs = pools().runs
    out: list[str] = []
    total = 0
    while total < chars:
        run = runs[rng.randrange(len(runs))]
        start = rng.randrange(len(run))
        text = "".join(run[start:start + rng.randint(3, 6)])
        out.append(text)
        total += len(text)
    return out


def _nav(articles: int) -> str:
    lists = (articles + PER_LIST - 1) // PER_LIST
    links = [f'<li><a href="/list/{1 + i * lists // len(_NAV)}.html">{name}</a></li>' for i, name in enumerate(_NAV)]
    return f'<div class="nav"><ul><li><a href="/">首页</a></li>{"".join(links)}</ul></div>'


def _chrome(rng: random.Random, size: int) -> str:
    """Site furniture to bring a page to its size, as on the real templates: mostly ad and statistics
    scripts (inline JavaScript), then a short footer of links and notices."""
    lines = []
    while sum(len(n) for n in lines) < size * 0.85:
        n = rng.randrange(1_000_000)
        lines.append(f"var ad_{n}={{slot:'s{n % 97}',w:{300 + n % 400},h:{90 + n % 160},"
                     f"src:'//ads.example.com/show?id={n}&t='+new Date().getTime()}};loadAd(ad_{n});\n")
    notes = "".join(f"<li>友情链接{i} 网站地图 广告服务 联系我们 备案号{rng.randrange(10**6)}</li>" for i in range(8))
    return f'<script type="text/javascript">{"".join(lines)}</script><div class="footer"><ul>{notes}</ul></div>'


def _page(title: str, body: str, charset: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}_范文网</title>'
            f'<link rel="stylesheet" href="/static/site.css"></head><body>{body}</body></html>')


def _finish(html: str, rng: random.Random, charset: str) -> bytes:
    """Encode and pad with furniture up to a size drawn from 25–40 KB."""
    target = rng.randint(26_000, 40_000)
    body = html.encode(charset, "replace")
    if len(body) < target:
        pad = _chrome(rng, target - len(body))
        body = html.replace("</body>", pad + "</body>").encode(charset, "replace")
    return body


def article(n: int, articles: int, salt: str = "") -> bytes:
    rng = random.Random(f"article-{salt}{n}")
    charset = _charset(n)
    paras = _paragraphs(rng, rng.randint(1800, 3500))
    title = f"在全市{_NAV[n % len(_NAV)]}工作会议上的讲话（第{n}号）"
    related = [rng.randrange(articles) for _ in range(29)]
    related_html = "".join(f'<li><a href="/a/{r}.html">相关讲话第{r}号</a></li>' for r in related)
    body = (f'{_nav(articles)}<div class="main"><h1>{title}</h1>'
            f'<div class="info">发布时间：2024-{1 + n % 12:02d}-{1 + n % 28:02d} 来源：市委办公室</div>'
            f'<div class="content">{"".join(f"<p>{p}</p>" for p in paras)}</div>'
            f'<div class="tools"><a href="/print/{n}.html">打印本文</a> <a href="/download/{n}.html">下载</a>'
            f' <a href="/list/{n // PER_LIST + 1}.html">返回列表</a></div></div>'
            f'<div class="side"><h3>相关文章</h3><ul>{related_html}</ul></div>')
    return _finish(_page(title, body, charset), rng, charset)


def list_page(k: int, articles: int, salt: str = "") -> bytes:
    rng = random.Random(f"list-{salt}{k}")
    charset = _charset(k)
    lists = (articles + PER_LIST - 1) // PER_LIST
    first = (k - 1) * PER_LIST
    items = "".join(f'<li><a href="/a/{i}.html">在全市{_NAV[i % len(_NAV)]}工作会议上的讲话（第{i}号）</a>'
                    f'<span>{"".join(_paragraphs(rng, 80))[:80]}</span></li>'
                    for i in range(first, min(first + PER_LIST, articles)))
    pager = "".join(f'<a href="/list/{p}.html">{p}</a>' for p in range(max(1, k - 3), min(lists, k + 3) + 1))
    hot = "".join(f'<li><a href="/a/{rng.randrange(articles)}.html">热门讲话</a></li>' for _ in range(6))
    body = (f'{_nav(articles)}<div class="list"><ul>{items}</ul><div class="pager">{pager}</div></div>'
            f'<div class="side"><h3>热门</h3><ul>{hot}</ul></div>')
    return _finish(_page(f"文章列表第{k}页", body, charset), rng, charset)


def home(articles: int) -> bytes:
    lists = (articles + PER_LIST - 1) // PER_LIST
    links = "".join(f'<li><a href="/list/{k}.html">列表第{k}页</a></li>' for k in range(1, lists + 1))
    return _finish(_page("首页", f"{_nav(articles)}<ul>{links}</ul>", "utf-8"), random.Random("home"), "utf-8")


def build(articles: int, salt: str = "") -> dict[str, tuple[bytes, str]]:
    """Every path the site serves: body and charset (``salt``: another site's text, same shape)."""
    found = (render(path, articles, salt) for path in paths(articles))
    return {path: page for path, page in zip(paths(articles), found, strict=True) if page is not None}


def paths(articles: int) -> list[str]:
    """Every path the site serves."""
    lists = (articles + PER_LIST - 1) // PER_LIST
    return (["/", "/robots.txt"] + [f"/a/{n}.html" for n in range(articles)]
            + [f"/list/{k}.html" for k in range(1, lists + 1)])


_ARTICLE = re.compile(r"/a/(\d+)\.html")
_LIST = re.compile(r"/list/(\d+)\.html")


def render(path: str, articles: int, salt: str = "") -> tuple[bytes, str] | None:
    """The body and charset of one path, or None when the site has no such page."""
    if path == "/":
        return home(articles), "utf-8"
    if path == "/robots.txt":
        return ROBOTS, ""
    if (match := _ARTICLE.fullmatch(path)) and int(match.group(1)) < articles:
        n = int(match.group(1))
        return article(n, articles, salt), _charset(n)
    if (match := _LIST.fullmatch(path)) and 1 <= int(match.group(1)) <= (articles + PER_LIST - 1) // PER_LIST:
        k = int(match.group(1))
        return list_page(k, articles, salt), _charset(k)
    return None


def etag(body: bytes) -> str:
    return f'"{zlib.crc32(body):08x}-{len(body):x}"'


def not_modified(headers: Any, tag: str) -> bool:
    """True when a conditional request names this page's ETag or a date at or after LAST_MODIFIED."""
    if (match := headers.get("If-None-Match")) is not None:
        return tag in [t.strip() for t in match.split(",")] or match.strip() == "*"
    since = headers.get("If-Modified-Since")
    if since is None:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
    except (TypeError, ValueError):
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == SERVED:
            self._send(200, str(self.server.served).encode(), [("Content-Type", "text/plain")])
            return
        if self.server.delay:
            time.sleep(self.server.delay)
        with self.server.lock:
            self.server.served += 1
        found = self.server.page(self.path)
        if found is None:
            self._send(404, b"not found", [("Content-Type", "text/plain")])
            return
        body, charset = found
        tag = etag(body)
        validators = [("ETag", tag), ("Last-Modified", LAST_MODIFIED)]
        if not_modified(self.headers, tag):
            self._send(304, b"", validators)
            return
        ctype = f"text/html; charset={charset}" if charset else "text/plain"
        self._send(200, body, [("Content-Type", ctype), *validators])

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (signature of the base class)
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    """socketserver's listen backlog is 5: a crawl opening tens of connections at once overflowed it, and every
    dropped SYN came back 1, 3, 7 s later (4,537 overflows, 1,333 SYN retransmits in one 20-host crawl)."""

    def __init__(self, port: int, page: Callable[[str], tuple[bytes, str] | None], delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.page = page
        self.delay = delay
        self.served = 0
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A crawler that exits with keep-alive connections open resets them: not an error of the site."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def running(articles: int, *, hosts: int = 1, delay: float = 0.0, lazy: bool = False) -> Iterator[list[str]]:
    """Run this site in a child process; yield its hosts' URLs; stop that child (by its PID) after."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.bench_site", "--articles", str(articles),
                             "--hosts", str(hosts), "--delay", str(delay), *(["--lazy"] if lazy else [])],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit(f"bench site did not start: {line!r}")
        yield re.findall(r"\S+", line.removeprefix("listening on "))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0, help="port of the first host (0: any free ports)")
    parser.add_argument("--hosts", type=int, default=1, help="sites on as many ports, the articles split between them")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer (default 0)")
    parser.add_argument("--lazy", action="store_true", help="render each page when asked, not all at start-up")
    args = parser.parse_args(argv)
    servers = []
    for i in range(args.hosts):
        articles, salt = args.articles // args.hosts + (i < args.articles % args.hosts), f"h{i}-" if i else ""
        page = ((lambda path, a=articles, s=salt: render(path, a, s)) if args.lazy  # type: ignore[misc]
                else build(articles, salt).get)
        servers.append(_Server(args.port + i if args.port else 0, page, args.delay))
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("listening on " + " ".join(f"http://127.0.0.1:{s.server_address[1]}/" for s in servers), flush=True)
    servers[0].serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
