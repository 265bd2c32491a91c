"""Crawl throughput: speechcrawl (WARC + cleaning on) vs a bare Scrapy CrawlSpider, same sandbox, same run.

    python -m bench.bench_crawl [--articles 400]

Both run as child processes against one sandbox process (5 sites x --articles
article pages, ~45 links a page).  Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from bench.common import env_info, run_measured
from crawler.runner import resolve_targets
from sandbox import SITES, SandboxProcess


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400, help="articles per sandbox site (default 400)")
    args = parser.parse_args(argv)
    with SandboxProcess(articles=args.articles) as sandbox, tempfile.TemporaryDirectory() as tmp:
        starts = [url for p in resolve_targets(list(SITES), origins=sandbox.urls) for url in p.start_urls]
        bare = run_measured([sys.executable, "-m", "bench.bare_scrapy", *starts])
        if bare.returncode != 0:
            sys.stderr.write(bare.stderr)
            return 1
        bare_pages = int(re.search(r"responses=(\d+)", bare.stdout).group(1))  # type: ignore[union-attr]
        origins = [f"--origin={site}={url}" for site, url in sandbox.urls.items()]
        ours = run_measured([sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--sandbox", "--no-progress",
                             "--data", str(Path(tmp) / "data"), *origins])
        if ours.returncode != 0:
            sys.stderr.write(ours.stdout + ours.stderr)
            return 1
        m = re.search(r": (\d+) pages, (\d+) records, (\d+) WARC files \((\d+) bytes\)", ours.stdout)
        assert m, ours.stdout
        our_pages, records, warc_bytes = int(m.group(1)), int(m.group(2)), int(m.group(4))
    bare_rate, our_rate = bare_pages / bare.seconds, our_pages / ours.seconds
    print(f"crawl benchmark ({env_info()}; sandbox: {len(SITES)} sites x {args.articles} articles)\n")
    print("| run | pages | seconds | pages/s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| bare Scrapy CrawlSpider, all links, no WARC/cleaning | {bare_pages} | {bare.seconds:.1f} | "
          f"{bare_rate:.0f} | {bare.peak_rss_mb:.0f} |")
    print(f"| speechcrawl crawl (profiles, WARC + cleaning + catalog) | {our_pages} | {ours.seconds:.1f} | "
          f"{our_rate:.0f} | {ours.peak_rss_mb:.0f} |")
    print(f"\nratio (speechcrawl pages/s / bare pages/s): **{our_rate / bare_rate:.2f}**; "
          f"records {records}, WARC {warc_bytes / 1e6:.1f} MB")
    print(f"time ratio for the whole job (bare seconds / speechcrawl seconds): {bare.seconds / ours.seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
