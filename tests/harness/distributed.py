"""Running distributed crawls as a user does: ``crawl --redis`` seeds, ``worker`` processes, ``ingest``.

Every process is a real ``speechcrawl`` child started here and stopped by its PID; Redis is the real
server of tests/harness/redis.py.  Used by tests/test_distributed.py.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import redis

from archive.reader import read_record_at
from corpus.catalog import Catalog
from crawler.distributed.crawls import seed_crawl
from crawler.distributed.keys import connect
from crawler.options import CrawlOptions, parse_overrides
from crawler.runner import resolve_targets
from tests import CLI, run_cli
from tests.harness.crawls import exported

exported_records = exported
"""Every record of a data dir's catalog, as ``speechcrawl export --dedup none`` writes them."""

__all__ = ["seed", "seed_cli", "wait_for_workers", "crawl_over", "wait_until_over", "stop", "start_worker", "start_ingest", "finish", "merge_warcs", "unresolved_pointers", "exported_records",
           "leases_of"]


def seed(redis_url: str, crawl_id: str, targets: Sequence[str], origins: Mapping[str, str], data: Path,
         *settings: str) -> None:
    """What ``speechcrawl crawl TARGETS --sandbox --redis URL -s …`` does, in this process (no start-up cost)."""
    options = CrawlOptions(data_dir=data, crawl_id=crawl_id, sandbox=True, origins=dict(origins),
                           overrides=parse_overrides(settings))
    profiles = resolve_targets(targets, origins=origins)
    client = connect(redis_url)
    try:
        assert seed_crawl(client, crawl_id, options, targets, profiles) == len(profiles)
    finally:
        client.close()


def seed_cli(redis_url: str, crawl_id: str, targets: Sequence[str], origins: Mapping[str, str], data: Path,
             *settings: str) -> str:
    """``speechcrawl crawl TARGETS --sandbox --redis URL``, as a user runs it; its stdout."""
    args = [a for s in settings for a in ("-s", s)]
    proc = run_cli("crawl", *targets, "--sandbox", "--no-progress", "--data", str(data), "--crawl-id", crawl_id,
                   "--redis", redis_url, *(f"--origin={site}={url}" for site, url in origins.items()), *args,
                   timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def start_worker(redis_url: str, data: Path, worker_id: str, *, idle: float = 3.0) -> subprocess.Popen[str]:
    log = open(data.parent / f"{data.name}-{worker_id}.log", "a")  # noqa: SIM115 - the child owns it
    return subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--data", str(data), "--id", worker_id,
                             "--allow-private", "--exit-when-idle", str(idle)], stdout=log, stderr=log, text=True)


def wait_for_workers(redis_url: str, worker_ids: Sequence[str], procs: Sequence[subprocess.Popen[str]],
                     timeout: float = 60.0) -> None:
    """Until every worker has looked for work once (so a crawl seeded now is shared from its start)."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while not set(worker_ids) <= {w.decode() for w in client.hkeys("speechcrawl:workers")}:
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a worker did not start"
            time.sleep(0.05)
    finally:
        client.close()


def start_ingest(redis_url: str, data: Path, crawl_id: str | None = None) -> subprocess.Popen[str]:
    """``speechcrawl ingest``: of one crawl until it is over, or (no crawl id) of every crawl until stopped."""
    log = open(data.parent / f"{data.name}-ingest.log", "a")  # noqa: SIM115 - the child owns it
    which = ["--crawl-id", crawl_id, "--until-over"] if crawl_id else []
    return subprocess.Popen([*CLI, "ingest", "--redis", redis_url, "--data", str(data), *which],
                            stdout=log, stderr=log, text=True)


def stop(procs: Sequence[subprocess.Popen[str]]) -> list[int]:
    """SIGTERM each (by PID) and wait: how a worker or writer is stopped; their exit codes."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    return finish(procs, timeout=60)


def finish(procs: Sequence[subprocess.Popen[str]], timeout: float = 120.0) -> list[int]:
    """Wait for every process (bounded); one still running then is killed and the test fails on its code."""
    deadline = time.monotonic() + timeout
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            codes.append(-9999)
    return codes


def merge_warcs(sources: Sequence[Path], target: Path) -> None:
    """Copy the workers' WARC directories into one data dir: their file names never collide (worker ids)."""
    for source in sources:
        if (source / "warc").is_dir():
            shutil.copytree(source / "warc", target / "warc", dirs_exist_ok=True)


def crawl_over(data: Path, crawl_id: str, sites: Sequence[str]) -> bool:
    """The writer closed the crawl's row of every site (Redis said it was over and every entry is written)."""
    path = data / "catalog.sqlite"
    if not path.exists():
        return False
    catalog = Catalog(path)
    try:
        rows = catalog.conn.execute("SELECT site FROM crawls WHERE id = ? AND status = 'finished'", (crawl_id,))
        return {r[0] for r in rows} >= set(sites)
    finally:
        catalog.close()


def wait_until_over(data: Path, crawl_id: str, sites: Sequence[str], procs: Sequence[subprocess.Popen[str]],
                    timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not crawl_over(data, crawl_id, sites):
        assert time.monotonic() < deadline, f"crawl {crawl_id} not over after {timeout}s"
        assert all(p.poll() is None for p in procs), "a worker or the writer exited before the crawl was over"
        time.sleep(0.1)


def unresolved_pointers(data: Path, records: Sequence[dict[str, Any]]) -> list[str]:
    """Provenance pointers of ``records`` that do not lead to the WARC record they name."""
    bad = []
    for record in records:
        for pointer in record["provenance"]:
            path = data / "warc" / record["site"] / pointer["warc_filename"]
            if not path.is_file():
                bad.append(f"{record['id']}: {pointer['warc_filename']} missing")
                continue
            found = read_record_at(path, pointer["warc_offset"])
            if dict(found.headers).get("WARC-Record-ID") != pointer["warc_record_id"]:
                bad.append(f"{record['id']}: {pointer['warc_filename']}@{pointer['warc_offset']} is another record")
    return bad


def leases_of(redis_url: str, crawl_id: str, site: str, worker_id: str) -> int:
    """How many leases ``worker_id`` holds now in ``site`` of the crawl."""
    client = redis.Redis.from_url(redis_url)
    try:
        infos = client.hvals(f"speechcrawl:{crawl_id}:{site}:lease-info")
    finally:
        client.close()
    return sum(1 for info in infos if info.decode().split(" ", 1)[-1].startswith(f"{worker_id}-"))
