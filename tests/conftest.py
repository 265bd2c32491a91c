"""Shared fixtures: the sandbox sites, started as a real child process on random loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.sandbox import SITES, SandboxProcess
from tests import crawl_and_export


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
def sandbox_crawl(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """One crawl of the five sandbox sites (DATA dir with catalog + WARC) and all its records, undeduplicated.

    Shared by the export and stats tests, which only read it (their outputs go to their own tmp_path).
    """
    data = tmp_path_factory.mktemp("sandbox-crawl")
    records = crawl_and_export(data, list(SITES), *(f"--origin={site}={url}" for site, url in sandbox.urls.items()))
    (data / "export.jsonl").unlink()
    return data, records
