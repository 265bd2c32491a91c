"""Peak memory of a crawl whose first page holds 200,000 links (issue 23, item 10).

    python -m bench.many_links [--links 200000] [--limit 10000] [--trials 1] [--baseline DIR]

Serves one page with ``--links`` same-site links on 127.0.0.1 and crawls it in generic mode with
``--max-pages 3`` and SPEECHCRAWL_MAX_LINKS_PER_PAGE=``--limit`` (0: no limit), in a child process;
prints the child's own peak RSS (``wait4``), the seconds, how many links the spider counted over the
limit, the pages archived and listed as failed, and the exit status.  ``--baseline DIR`` (a checkout
of other code, e.g. ``git worktree add /tmp/base main``) runs that code too, interleaved trial by
trial, so both figures come from the same session; medians are printed at the end.  Figures go to
docs/reliability.md, not into a timed test.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import env_info, run_measured
from corpus.catalog import Catalog

HERE = Path(__file__).resolve().parent.parent


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


@dataclass
class Runs:
    """The trials of one checkout."""

    code: Path
    peak_mb: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    archived: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


def _trial(runs: Runs, url: str, limit: int) -> str:
    with tempfile.TemporaryDirectory(prefix="many-links-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(runs.code)}
        run = run_measured([sys.executable, "-m", "crawler.cli", "crawl", url, "--sandbox", "--no-progress",
                            "--data", tmp, "--max-pages", "3", "-s", f"SPEECHCRAWL_MAX_LINKS_PER_PAGE={limit}",
                            "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0"], cwd=runs.code, env=env, timeout=1800)
        catalog = Catalog(Path(tmp) / "catalog.sqlite")
        try:
            stats = catalog.crawls()[0]["stats"]
            archived = len(set(catalog.fetched_urls()))
            failed = len(catalog.failures())
        finally:
            catalog.close()
    over = json.loads(stats).get("speechcrawl/spider/links_over_limit", 0) if stats else 0
    runs.peak_mb.append(run.peak_rss_mb)
    runs.seconds.append(run.seconds)
    runs.archived.append(archived)
    runs.failed.append(failed)
    runs.statuses.append(run.returncode)
    return (f"{runs.code}: exit {run.returncode}, peak RSS {run.peak_rss_mb:.0f} MB, {run.seconds:.1f} s, "
            f"{over} links over the limit, {archived} pages archived, {failed} listed as failed")


def _span(values: list[int]) -> str:
    return f"{min(values)}–{max(values)}" if min(values) != max(values) else str(values[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument("--baseline", type=Path, help="another checkout, run interleaved with this one")
    args = parser.parse_args(argv)
    print(env_info())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(args.links))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    checkouts = [Runs(HERE)] + ([Runs(args.baseline.resolve())] if args.baseline else [])
    try:
        for trial in range(args.trials):
            for runs in checkouts if trial % 2 == 0 else reversed(checkouts):
                print(f"trial {trial}, {_trial(runs, url, args.limit)}", flush=True)
    finally:
        server.shutdown()
    for runs in checkouts:
        print(f"{runs.code}: {args.links} links, limit {args.limit}, median of {args.trials}: peak RSS "
              f"{statistics.median(runs.peak_mb):.0f} MB, {statistics.median(runs.seconds):.1f} s")
    mine = checkouts[0]
    print(f"| a page of {args.links:,} links (limit {args.limit:,}, `--max-pages 3`) | {args.trials} | "
          f"≤ {args.limit + 1:,} | {_span(mine.archived)} | {_span(mine.failed)} | – (no speech to lose) | "
          f"{', '.join(map(str, sorted(set(mine.statuses))))} |")
    return 0 if all(s in (0, 1) for runs in checkouts for s in runs.statuses) else 1


if __name__ == "__main__":
    raise SystemExit(main())
