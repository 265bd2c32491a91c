"""How a distributed crawl ends: its limits, its health verdict and its report are the crawl's, not each worker's.

Real redis-server, real sandbox, real ``speechcrawl crawl --workers N`` processes; pages are counted in
the catalog the crawl-starting process writes (crawler.distributed.limits, crawler.distributed.ingest).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from sandbox import SandboxProcess
from tests import run_cli
from tests.harness.redis import RedisServer

ONE_PER_HOST = "CONCURRENT_REQUESTS_PER_DOMAIN=1"
"""One request in flight to the site for the whole crawl: what can pass the limit is one page per worker."""


@pytest.fixture(scope="module")
def wenmi() -> Iterator[SandboxProcess]:
    with SandboxProcess(sites=["wenmi"], articles=60, port_base=0) as sb:
        yield sb


def _crawl(sb: SandboxProcess, redis: RedisServer, data: Path, *args: str) -> int:
    """Pages the crawl fetched, as its catalog lists them."""
    proc = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(data), "--crawl-id", "lim",
                   "--redis", redis.url, "--workers", "3", f"--origin=wenmi={sb.urls['wenmi']}", "-s", ONE_PER_HOST,
                   *args, timeout=240)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    with sqlite3.connect(data / "catalog.sqlite") as conn:
        return int(conn.execute("SELECT count(*) FROM fetches WHERE crawl_id = 'lim'").fetchone()[0])


def test_max_pages_counts_every_workers_pages(wenmi: SandboxProcess, redis_server: RedisServer,
                                              tmp_path: Path) -> None:
    """Three workers, --max-pages 12: about 12 pages in all, not 3 × 12 (the whole 69-page site, before).

    What may pass the limit, per worker: the response in flight when the count is reached, and one request
    started before the count's answer came back (the count is kept in Redis, asked without blocking)."""
    pages = _crawl(wenmi, redis_server, tmp_path / "d", "--max-pages", "12")
    assert 12 <= pages <= 12 + 2 * 3, pages
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.get("speechcrawl:lim:wenmi:stopped") == b"closespider_pagecount"
        assert client.exists("speechcrawl:lim:wenmi:done")  # over for every worker (and for `crawls`)
    finally:
        client.close()


def test_a_distributed_crawl_is_judged_and_reported_as_one_crawl(wenmi: SandboxProcess, redis_server: RedisServer,
                                                                  tmp_path: Path) -> None:
    """The writer sums the workers' health counters, judges them as the monitor judges a local crawl, and writes
    the JSON verdict and the HTML report a local crawl of the same site leaves."""
    origin = f"--origin=wenmi={wenmi.urls['wenmi']}"
    local = run_cli("crawl", "wenmi", "--sandbox", "--no-progress", "--data", str(tmp_path / "local"), "--crawl-id",
                    "one", origin, timeout=240)
    assert local.returncode == 0, local.stdout + local.stderr
    _crawl(wenmi, redis_server, tmp_path / "dist")
    verdicts = {}
    for name, crawl_id in (("local", "one"), ("dist", "lim")):
        reports = tmp_path / name / "reports"
        verdicts[name] = json.loads((reports / f"wenmi-{crawl_id}.json").read_text(encoding="utf-8"))
        html = (reports / f"wenmi-{crawl_id}.html").read_text(encoding="utf-8")
        assert "wenmi" in html and crawl_id in html
    dist, one = verdicts["dist"], verdicts["local"]
    assert dist["finish_reason"] == "finished" and dist["warnings"] == one["warnings"] == []
    for counter in ("documents", "records", "chars", "filled/title", "filled/source", "filled/speaker"):
        name = f"speechcrawl/health/{counter}"
        assert dist["counters"][name] == one["counters"][name] > 0, name
    with sqlite3.connect(tmp_path / "dist" / "catalog.sqlite") as conn:
        stats = json.loads(conn.execute("SELECT stats FROM crawls WHERE id = 'lim'").fetchone()[0])
    assert stats["speechcrawl/health/records"] == one["counters"]["speechcrawl/health/records"]
    assert stats["speechcrawl/health/warnings"] == [] and len(stats["workers"]) == 3
