"""Running real crawls against a (broken) sandbox and measuring what came out: tests and the report.

Crawls run as ``speechcrawl crawl`` child processes (Scrapy's reactor starts once per process, and
the soak must be able to kill -9 them); exports, failures and archive checks are read back with
the library.  Every figure in docs/reliability.md comes from here, through bench/reliability.py.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.verify import verify_paths
from corpus.catalog import Catalog
from corpus.dedup import DedupOptions
from corpus.export import ExportOptions, export
from sandbox import SandboxProcess
from spiders.profiles import generic_profile
from tests.harness.scenarios import Batch, Expected, Key, Scenario, duplicates, expected, key_of, path_of

logger = logging.getLogger(__name__)

__all__ = ["Result", "SoakResult", "crawl", "exported", "archive_problems", "run_batch", "soak", "texts_of"]

_CLI = [sys.executable, "-m", "crawler.cli"]


def crawl(data: Path, targets: Sequence[str], origins: Mapping[str, str], *args: str,
          timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``speechcrawl crawl TARGETS --sandbox`` into ``data``, profiles served from ``origins``.

    The faults are injected on purpose, so the health monitor's error-rate warning (which makes a
    crawl exit 1) is lifted; its other checks stay on.
    """
    cmd = [*_CLI, "crawl", *targets, "--sandbox", "--no-progress", "--data", str(data),
           *(f"--origin={site}={url}" for site, url in origins.items()), "-s", "SPEECHCRAWL_HEALTH_MAX_ERRORS=1.0",
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def exported(data: Path) -> list[dict[str, Any]]:
    """Every record of the catalog, as ``speechcrawl export --dedup none`` writes them."""
    out = data / "export.jsonl"
    export(data / "catalog.sqlite", out, ExportOptions(dedup=DedupOptions(mode="none")))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def archive_problems(data: Path) -> list[str]:
    """Faults archive.verify finds, files left unfinished, and what ``warcio check`` says; [] = clean."""
    problems = [str(f) for report in verify_paths([data / "warc"]) for f in report.faults]
    files = sorted((data / "warc").rglob("*.warc.gz*"))
    problems += [f"{p.name}: left unfinished" for p in files if p.name.endswith(".open")]
    closed = [str(p) for p in files if p.name.endswith(".warc.gz")]
    if not closed:
        return [*problems, "no WARC file written"]
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *closed], capture_output=True,
                           text=True, timeout=300)
    if check.returncode != 0:
        problems.append(f"warcio check: {(check.stdout + check.stderr).strip()[:500]}")
    return problems


def texts_of(records: Sequence[dict[str, Any]]) -> dict[tuple[str, Key], str]:
    return {(r["site"], key_of(r)): r["text"] for r in records}


def _catalog_rows(data: Path, sql: str) -> list[dict[str, Any]]:
    catalog = Catalog(data / "catalog.sqlite")
    try:
        return [dict(row) for row in catalog.conn.execute(sql)]
    finally:
        catalog.close()


@dataclass
class Result:
    """One scenario after its crawl: the numbers of the report and what was wrong, if anything."""

    scenario: Scenario
    expected: Expected
    exported: int = 0
    failed: int = 0
    """Pages listed as failed (in generic mode not counting the templates' dead links, see ``dead_links``)."""
    lost: int = 0
    duplicates: int = 0
    finish: str = ""
    fetched: int = 0
    dead_links: int = 0
    trap_pages: int = 0
    """Fetched pages that exist only because of a trap (calendar pages, session-id URLs)."""
    distinct_texts: int = 0
    """Of an endless trap's records, how many texts differ (``export --dedup exact`` keeps one of each)."""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _judge(scenario: Scenario, want: Expected, records: list[dict[str, Any]], failures: list[dict[str, Any]],
           clean: Mapping[tuple[str, Key], str], finish: str, generic: bool, fetched: list[str],
           site_url: str) -> Result:
    dead = [f for f in failures if generic and f["status"] == 404]
    result = Result(scenario, want, exported=len(records), failed=len(failures) - len(dead), finish=finish,
                    fetched=len(fetched), dead_links=len(dead),
                    trap_pages=sum("/calendar/" in url or "sid=" in url for url in fetched))
    offsite = {urlsplit(url).netloc for url in fetched} - {urlsplit(site_url).netloc}
    if offsite:
        result.problems.append(f"fetched from other hosts: {sorted(offsite)}")
    if scenario.outcome == "bounded":
        result.distinct_texts = len({r["text"] for r in records})
        if finish != "finished" and not finish.startswith("closespider"):
            result.problems.append(f"an endless trap must end by a limit, the crawl ended {finish!r}")
        return result
    got = {key_of(r): r["text"] for r in records}
    missing = (want.intact | want.partial) - set(got)
    result.lost, result.duplicates = len(missing), duplicates(records)
    wrong = [k for k in want.intact & set(got) if clean.get((scenario.site, k), got[k]) != got[k]]
    extra = set(got) - want.intact - want.partial
    recorded = {path_of(f["url"]): f["kind"] for f in failures if f not in dead}
    if missing:
        result.problems.append(f"{len(missing)} records lost, e.g. {sorted(missing)[0]}")
    if result.duplicates:
        result.problems.append(f"{result.duplicates} duplicate records")
    if extra:
        result.problems.append(f"{len(extra)} records exported that should have failed, e.g. {sorted(extra)[0]}")
    if wrong:
        result.problems.append(f"{len(wrong)} texts differ from the clean crawl, e.g. {sorted(wrong)[0]}")
    if recorded != want.failed:
        result.problems.append(f"failures {sorted(recorded.items())} != expected {sorted(want.failed.items())}")
    if scenario.outcome != "bounded" and finish != "finished":
        result.problems.append(f"crawl ended {finish!r}")
    return result


def run_batch(batch: Batch, workdir: Path, clean: Mapping[tuple[str, Key], str]) -> tuple[list[Result], list[str]]:
    """Crawl a sandbox with the batch's faults; each scenario's Result, and the archive's problems."""
    data = workdir / batch.name.replace(" ", "-").replace("(", "").replace(")", "")
    sites = [s.site for s in batch.scenarios]
    with SandboxProcess(sites=sites, faults=[s.spec for s in batch.scenarios]) as sandbox:
        targets = [sandbox.urls[site] + "/" for site in sites] if batch.generic else sites
        proc = crawl(data, targets, {} if batch.generic else sandbox.urls, *batch.args)
        wants = {s.site: expected(s, sandbox.urls[s.site]) for s in batch.scenarios}
    if proc.returncode != 0:
        raise RuntimeError(f"crawl of batch {batch.name!r} failed: {proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    records = exported(data)
    failures = _catalog_rows(data, "SELECT * FROM failures")
    finishes = {row["site"]: row["status"] for row in _catalog_rows(data, "SELECT site, status FROM crawls")}
    fetches = _catalog_rows(data, "SELECT site, url FROM fetches")
    results = []
    for scenario, target in zip(batch.scenarios, targets, strict=True):
        # Generic mode extracts differently from a profile: its texts are not compared with the clean crawl's.
        name = generic_profile(target).name if batch.generic else scenario.site
        mine = [dict(r, site=scenario.site) for r in records if r["site"] == name]
        results.append(_judge(scenario, wants[scenario.site], mine, [f for f in failures if f["site"] == name],
                              {} if batch.generic else clean, finishes.get(name, "not run"), batch.generic,
                              [f["url"] for f in fetches if f["site"] == name], sandbox.urls[scenario.site]))
    return results, archive_problems(data)


@dataclass
class SoakResult:
    kills: int
    runs: int
    records: list[dict[str, Any]]
    archive: list[str]
    kill_times: list[float] = field(default_factory=list)
    """Seconds after launch of each kill."""


def _open_files(data: Path) -> set[str]:
    return {p.name for p in (data / "warc").rglob("*.open")} if (data / "warc").exists() else set()


def _wait_for_writing(proc: subprocess.Popen[bytes], data: Path, before: set[str], limit: float) -> bool:
    """Until the crawl writes a WARC file of its own (it is crawling), or exits: False if it exited."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if _open_files(data) - before:
            return True
        time.sleep(0.02)
    return proc.poll() is None


def soak(sandbox: SandboxProcess, data: Path, sites: Sequence[str], *, kills: int, seed: int,
         window: float = 1.0, early: float = 0.2, max_runs: int = 40, generic: bool = False) -> SoakResult:
    """Run ``speechcrawl crawl --resume`` and kill -9 it at random moments until ``kills`` kills have hit a
    live process (at most ``max_runs`` starts), then let one run finish.

    A share ``early`` of the kills fall in the first second (start-up, robots.txt, WARC repair); the
    others come a random 0..``window`` s after the run started writing WARC, i.e. mid-crawl.
    ``generic`` crawls the sites by URL, without their profiles.
    """
    rng = random.Random(seed)
    targets = ([sandbox.urls[site] + "/" for site in sites] if generic
               else [*sites, *(f"--origin={site}={sandbox.urls[site]}" for site in sites)])
    args = [*_CLI, "crawl", *targets, "--sandbox", "--no-progress", "--data", str(data), "--crawl-id", "soak",
            "--resume"]
    done, runs, times = 0, 0, []
    while done < kills and runs < max_runs:
        runs += 1
        before = _open_files(data)
        launched = time.monotonic()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < early:
            delay = rng.uniform(0.0, 1.0)
        elif _wait_for_writing(proc, data, before, limit=60):
            delay = time.monotonic() - launched + rng.uniform(0.0, window)
        else:
            continue  # finished before it wrote anything new: nothing left to interrupt
        try:
            proc.wait(timeout=max(0.0, launched + delay - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)  # the process we started, by its pid
            proc.wait(timeout=60)
            done += 1
            times.append(round(delay, 2))
    final = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if final.returncode != 0:
        raise RuntimeError(f"final resumed crawl failed: {final.stdout[-2000:]}{final.stderr[-3000:]}")
    return SoakResult(kills=done, runs=runs + 1, records=exported(data), archive=archive_problems(data),
                      kill_times=times)
