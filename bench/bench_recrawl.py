"""Re-crawl cost: an unchanged site crawled a second time, as a ratio of the first crawl.

    python -m bench.bench_recrawl [--articles 2000]

One sandbox process serves ribao (answers conditional requests: ETag, Last-Modified, 304)
and fanwen (ignores them) with ``--articles`` articles each; nothing changes between the
two crawls. For each site: bytes received over HTTP (Scrapy's downloader/response_bytes),
bytes of the crawl's WARC files (every record, document metadata included), and wall time of the second crawl against the first. Prints a
markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.common import env_info, run_measured
from sandbox import SandboxProcess

SITES = ("ribao", "fanwen")


def _crawl(data: Path, site: str, origin: str) -> tuple[float, dict[str, int]]:
    run = run_measured([sys.executable, "-m", "crawler.cli", "crawl", site, "--sandbox", "--no-progress",
                        "--data", str(data), f"--origin={site}={origin}"])
    if run.returncode != 0:
        raise SystemExit(run.stdout + run.stderr)
    crawl_id = re.search(r"^crawl (\S+):", run.stdout, re.M).group(1)  # type: ignore[union-attr]
    conn = sqlite3.connect(data / "catalog.sqlite")
    stats = json.loads(conn.execute("SELECT stats FROM crawls WHERE id = ? AND site = ?", (crawl_id, site)).fetchone()[0])
    conn.close()
    keys = ("downloader/response_bytes", "speechcrawl/warc/bytes", "response_received_count",
            "speechcrawl/conditional/not_modified")
    out = {k: int(stats.get(k, 0) or 0) for k in keys}
    # The files themselves: the recorder's stat leaves out the document metadata records.
    out["warc file bytes"] = sum(p.stat().st_size for p in (data / "warc" / site).glob(f"*{crawl_id}*.warc.gz"))
    return run.seconds, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="articles per site (default 2000)")
    args = parser.parse_args(argv)
    rows = []
    with SandboxProcess(sites=list(SITES), articles=args.articles) as sandbox, tempfile.TemporaryDirectory() as tmp:
        for site in SITES:
            data = Path(tmp) / site
            first_s, first = _crawl(data, site, sandbox.urls[site])
            second_s, second = _crawl(data, site, sandbox.urls[site])
            rows.append((site, first_s, first, second_s, second))
    print(f"re-crawl benchmark ({env_info()}; sandbox: {args.articles} articles a site, nothing changed)\n")
    print("| site | conditional requests | responses | 304s | HTTP bytes 1st / 2nd | ratio | WARC bytes 1st / 2nd "
          "| ratio | seconds 1st / 2nd | ratio |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for site, first_s, first, second_s, second in rows:
        http = (first["downloader/response_bytes"], second["downloader/response_bytes"])
        warc = (first["warc file bytes"], second["warc file bytes"])
        print(f"| {site} | {'yes' if site == 'ribao' else 'no'} | {second['response_received_count']} | "
              f"{second['speechcrawl/conditional/not_modified']} | {http[0] / 1e6:.1f} MB / {http[1] / 1e6:.2f} MB | "
              f"**{http[1] / http[0]:.3f}** | {warc[0] / 1e6:.1f} MB / {warc[1] / 1e6:.2f} MB | {warc[1] / warc[0]:.3f} "
              f"| {first_s:.1f} / {second_s:.1f} | {second_s / first_s:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
