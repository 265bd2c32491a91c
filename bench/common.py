"""Helpers shared by benchmarks: run a child process and measure its wall time and peak RSS."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0
    """User + system CPU time of the child (all its threads)."""


def run_measured(argv: list[str], *, cwd: Path | None = None, timeout: float = 3600,
                 env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` to completion; ``os.wait4`` gives that one child's own peak RSS."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, text=True, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read(),
                        usage.ru_utime + usage.ru_stime)


def env_info() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"
