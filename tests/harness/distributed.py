"""Running distributed crawls as a user does: ``crawl --redis`` seeds, ``worker`` processes, ``ingest``.

Every process is a real ``speechcrawl`` child started here and stopped by its PID; Redis is the real
server of tests/harness/redis.py.  Used by tests/test_distributed.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import redis

from archive.reader import read_record_at
from tests import CLI, run_cli

__all__ = ["seed", "start_worker", "start_ingest", "finish", "merge_warcs", "unresolved_pointers", "exported_records",
           "leases_of"]


def seed(redis_url: str, crawl_id: str, targets: Sequence[str], origins: Mapping[str, str], data: Path,
         *settings: str) -> None:
    """``speechcrawl crawl TARGETS --sandbox --redis URL``: store the options, queue the start pages."""
    args = [a for s in settings for a in ("-s", s)]
    proc = run_cli("crawl", *targets, "--sandbox", "--no-progress", "--data", str(data), "--crawl-id", crawl_id,
                   "--redis", redis_url, *(f"--origin={site}={url}" for site, url in origins.items()), *args,
                   timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def start_worker(redis_url: str, data: Path, worker_id: str, *, idle: float = 3.0) -> subprocess.Popen[str]:
    log = open(data.parent / f"{data.name}-{worker_id}.log", "a")  # noqa: SIM115 - the child owns it
    return subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--data", str(data), "--id", worker_id,
                             "--allow-private", "--exit-when-idle", str(idle)], stdout=log, stderr=log, text=True)


def start_ingest(redis_url: str, data: Path, crawl_id: str) -> subprocess.Popen[str]:
    log = open(data.parent / f"{data.name}-ingest.log", "a")  # noqa: SIM115 - the child owns it
    return subprocess.Popen([*CLI, "ingest", "--redis", redis_url, "--data", str(data), "--crawl-id", crawl_id,
                             "--until-over"], stdout=log, stderr=log, text=True)


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


def exported_records(data: Path) -> list[dict[str, Any]]:
    out = data / "export.jsonl"
    proc = run_cli("export", "--data", str(data), "--out", str(out), "--dedup", "none", timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


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
