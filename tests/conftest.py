"""Shared fixtures: the sandbox sites, started as a real child process on random loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.sandbox import SandboxProcess


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
