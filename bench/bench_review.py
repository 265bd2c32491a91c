"""The review app on a large catalog: how long each page takes over 100,000 records.

    python -m bench.bench_review [--records 100000] [--workdir DIR]

Builds a synthetic catalog (bench.synthetic: 20 sites, planted duplicates; no WARC, so a record
page shows no archived page and no removed spans), serves it with the review app in a thread on
127.0.0.1, and times each request with urllib: the median of five, after one warm-up (the first
record page also clusters near duplicates, timed apart).  Results in docs/report.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import env_info
from bench.synthetic import generate
from tests.review_server import serving


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as r:
        r.read()
        assert r.status == 200, url
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--workdir", type=Path, default=None)
    args = p.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="speechcrawl-bench-review-"))
    data = work / "data"
    catalog = data / "catalog.sqlite"
    if not catalog.exists():
        data.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generate(catalog, args.records)
        print(f"generated {args.records:,} records in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    with sqlite3.connect(catalog) as conn:
        conn.execute("INSERT OR IGNORE INTO crawls (id, site, started_at, finished_at, status) SELECT DISTINCT"
                     " crawl_id, site, MIN(fetched_at), MAX(fetched_at), 'finished' FROM records GROUP BY crawl_id, site")
        rid, word, speaker = conn.execute("SELECT id, substr(json_extract(record, '$.text'), 11, 4),"
                                          " json_extract(record, '$.speaker') FROM records LIMIT 1 OFFSET 5000").fetchone()
        total = conn.execute("SELECT COUNT(*) FROM records WHERE is_latest = 1").fetchone()[0]
    pages = {
        "sites": "/",
        "crawls": "/crawls",
        "records, page 1": "/records",
        f"records, page {total // 100} (middle)": f"/records?page={total // 100}",
        "records, one site": "/records?site=site07",
        "records, by speaker": "/records?" + urllib.parse.urlencode({"speaker": speaker}),
        "records, date range": "/records?since=2019-01-01&until=2019-03-31",
        "records, text search (4 characters)": "/records?" + urllib.parse.urlencode({"q": word}),
        "records, text search, no match": "/records?" + urllib.parse.urlencode({"q": "不存在的词语组合"}),
        "one record": f"/records/{rid}",
    }
    started = time.perf_counter()
    with serving(data) as url:
        clustering = time.perf_counter() - started
        rows = []
        for name, path in pages.items():
            _get(url + path)
            rows.append((name, statistics.median(_get(url + path) for _ in range(5))))
    print(f"review app ({env_info()}; {total:,} synthetic records, catalog {catalog.stat().st_size / 1e9:.2f} GB)\n")
    print("| page | median ms |\n| --- | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.0f} |")
    print(f"\nnear-duplicate clustering of every record, in the background from the app's start: {clustering:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
