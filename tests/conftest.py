"""Shared fixtures: the sandbox sites, started as a real child process on random loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.sandbox import SITES, SandboxProcess
from tests import ArchivedCrawl, crawl_and_export


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
def clean_crawl(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One crawl of the five sandbox sites with no fault, exported (no dedup): the reference output."""
    data: Path = tmp_path_factory.mktemp("clean-crawl")
    origins = [f"--origin={site}={url}" for site, url in sandbox.urls.items()]
    return {"data": data, "records": crawl_and_export(data, list(SITES), *origins)}


@pytest.fixture(scope="session")
def archived_crawl(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> ArchivedCrawl:
    """One crawl of the five sandbox sites, exported without dedup; read-only for the tests that share it.

    The archive tests (replay, WACZ, reprocess, verify) all prove things about the same
    archive, so it is crawled once per session.
    """
    data = tmp_path_factory.mktemp("archived-crawl")
    origins = [f"--origin={site}={url}" for site, url in sandbox.urls.items()]
    records = crawl_and_export(data, list(SITES), *origins)
    return ArchivedCrawl(data=data, records=records)
