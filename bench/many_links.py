"""Peak memory of a crawl whose first page holds 200,000 links (issue 23, item 10).

    python -m bench.many_links [--links 200000] [--limit 10000]

Serves one page with ``--links`` same-site links on 127.0.0.1 and crawls it in generic mode with
``--max-pages 3`` and SPEECHCRAWL_MAX_LINKS_PER_PAGE=``--limit`` (0: no limit), in a child process;
prints the child's peak RSS (``getrusage(RUSAGE_CHILDREN)``), the seconds, and how many links the
spider counted over the limit.  Figures go to docs/reliability.md, not into a timed test.
"""

from __future__ import annotations

import argparse
import http.server
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import env_info
from corpus.catalog import Catalog


def _handler(links: int) -> type[http.server.BaseHTTPRequestHandler]:
    page = (b"<html><body><p>" + "讲话".encode() * 100 + b"</p>"
            + b"".join(b'<a href="/p/%d.html">%d</a>' % (i, i) for i in range(links)) + b"</body></html>")

    class ManyLinks(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = page if self.path == "/" else b"<html><body>x</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return ManyLinks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--limit", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(env_info())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(args.links))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tempfile.TemporaryDirectory(prefix="many-links-") as tmp:
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl",
                                   f"http://127.0.0.1:{server.server_address[1]}/", "--sandbox", "--no-progress",
                                   "--data", tmp, "--max-pages", "3", "-s", f"SPEECHCRAWL_MAX_LINKS_PER_PAGE={args.limit}",
                                   "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0"], capture_output=True, text=True,
                                  timeout=1800)
            seconds = time.monotonic() - started
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            catalog = Catalog(Path(tmp) / "catalog.sqlite")
            stats = catalog.crawls()[0]["stats"]
            catalog.close()
            over = json.loads(stats).get("speechcrawl/spider/links_over_limit", 0) if stats else 0
    finally:
        server.shutdown()
    print(f"{args.links} links, limit {args.limit}: exit {proc.returncode}, peak RSS {peak_mb:.0f} MB, "
          f"{seconds:.1f} s, {over} links over the limit")
    return 0 if proc.returncode in (0, 1) else 1


if __name__ == "__main__":
    raise SystemExit(main())
