"""Shared fixtures: the sandbox sites, started as a real child process on random loopback ports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import SITES, SandboxProcess
from tests import ArchivedCrawl, crawl_and_export
from tests.harness.redis import RedisServer, redis_server_binary

# pywb lives in an environment of its own (see the Makefile); plain `pytest` finds it there too.
_REPLAY_PYTHON = Path(__file__).resolve().parents[1] / ".venv-replay" / "bin" / "python"
if _REPLAY_PYTHON.exists():
    os.environ.setdefault("SPEECHCRAWL_REPLAY_PYTHON", str(_REPLAY_PYTHON))


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    """All five sandbox sites (default article count), shared by the whole test session."""
    with SandboxProcess(port_base=0) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[SandboxProcess]:
    """A sandbox process of one's own (for tests that must not share state or that stop it)."""
    with SandboxProcess(port_base=0) as sb:
        yield sb


@pytest.fixture(scope="session")
def five_site_crawl(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> ArchivedCrawl:
    """One crawl of the five sandbox sites with no fault, exported without dedup: read-only for every test.

    The reference output of the fault tests, and the archive (replay, WACZ, reprocess, verify) and export
    tests' material: all prove things about the same crawl, so it is crawled once per session.
    """
    data = tmp_path_factory.mktemp("five-site-crawl")
    origins = [f"--origin={site}={url}" for site, url in sandbox.urls.items()]
    return ArchivedCrawl(data=data, records=crawl_and_export(data, list(SITES), *origins))


@pytest.fixture(scope="session")
def clean_crawl(five_site_crawl: ArchivedCrawl) -> dict[str, Any]:
    """The shared crawl as the fault tests read it."""
    return {"data": five_site_crawl.data, "records": five_site_crawl.records}


@pytest.fixture(scope="session")
def archived_crawl(five_site_crawl: ArchivedCrawl) -> ArchivedCrawl:
    return five_site_crawl


@pytest.fixture(scope="session")
def sandbox_crawl(five_site_crawl: ArchivedCrawl) -> tuple[Path, list[dict[str, Any]]]:
    """The shared crawl as the export and stats tests read it: DATA dir and all its records, undeduplicated."""
    return five_site_crawl.data, five_site_crawl.records


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright, one per session (tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (.ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server of the test's own on a free loopback port (tests/harness/redis.py), stopped by PID."""
    if redis_server_binary() is None:
        pytest.fail("redis-server missing: install Debian's redis-server (.ci/run does)")
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server
