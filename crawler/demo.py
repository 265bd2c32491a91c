"""The demo: start the sandbox, crawl its five sites, export, summarise, stop the sandbox.

Everything a new user needs to see the product work end to end, in one command,
on a machine with no network: the sandbox runs in a child process on loopback
(so it uses the second core), the crawl in this one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from corpus.export import ExportSummary, export
from crawler.options import CrawlOptions, crawl_settings
from crawler.runner import CrawlSummary, resolve_targets, run_crawl
from sandbox import DEFAULT_PORT_BASE, SITES, SandboxError, SandboxProcess

logger = logging.getLogger(__name__)

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    crawl: CrawlSummary
    export: ExportSummary


def run_demo(out: Path, *, articles: int | None = None, progress: bool = True,
             stream: TextIO | None = None, overrides: Mapping[str, Any] | None = None) -> DemoResult:
    """Crawl the bundled sandbox into ``out`` and export ``out/export.jsonl`` (``overrides``: ``-s`` settings)."""
    stream = stream or sys.stderr
    out.mkdir(parents=True, exist_ok=True)
    with _start_sandbox(articles, stream) as sandbox:
        stream.write(f"sandbox: {len(sandbox.urls)} sites on loopback ({', '.join(sandbox.urls.values())})\n")
        profiles = resolve_targets(list(SITES), origins=sandbox.urls)
        settings = crawl_settings(CrawlOptions(data_dir=out, sandbox=True, overrides=dict(overrides or {})))
        crawl = run_crawl(profiles, settings, progress=progress, stream=stream)
    exported = export(out / "catalog.sqlite", out / "export.jsonl")
    return DemoResult(crawl=crawl, export=exported)


def _start_sandbox(articles: int | None, stream: TextIO) -> SandboxProcess:
    """The sandbox on its default ports, or on random ones when those are taken.

    Record ids hash the URL, port included: on the same ports a second demo into the
    same directory is a re-crawl of the same pages (unchanged records, revisits),
    not a second corpus beside the first.
    """
    try:
        return SandboxProcess(articles=articles, port_base=DEFAULT_PORT_BASE).start()
    except SandboxError as exc:
        first = str(exc).splitlines()[0]
        stream.write(f"sandbox: default ports {DEFAULT_PORT_BASE}+ unavailable ({first}); using random ports\n")
        return SandboxProcess(articles=articles).start()


def format_summary(result: DemoResult) -> str:
    crawl = result.crawl
    lines = [f"crawl {crawl.crawl_id} finished in {crawl.seconds:.1f}s", ""]
    lines.append(f"{'site':<10} {'pages':>6} {'records':>8} {'errors':>7}  finish")
    for site in crawl.sites:
        lines.append(f"{site.site:<10} {site.pages:>6} {site.records:>8} {site.errors:>7}  {site.finish_reason}")
    lines.append(f"{'total':<10} {crawl.pages:>6} {crawl.records:>8}")
    lines += [f"warning: {site.site}: {w}" for site in crawl.sites for w in site.warnings]
    lines.append("")
    lines.append(f"WARC files: {crawl.warc_files} ({crawl.warc_bytes / 1e6:.1f} MB) in {crawl.data_dir / 'warc'}")
    lines.append(f"catalog:    {crawl.data_dir / 'catalog.sqlite'}")
    lines.append(f"export:     {result.export.path} ({result.export.written} records, "
                 f"{result.export.removed_as_duplicates} near duplicates removed)")
    return "\n".join(lines)
