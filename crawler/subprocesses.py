"""Stopping the child processes speechcrawl starts (sandbox, pywb), one way for all of them.

We only ever stop a process we started, by its PID, and always reap it, so no test or
command leaves a server behind or kills someone else's.
"""

from __future__ import annotations

import logging
import subprocess
from typing import Any

__all__ = ["stop_child"]

logger = logging.getLogger(__name__)


def stop_child(proc: subprocess.Popen[Any], what: str, *, timeout: float = 10.0) -> None:
    """SIGTERM ``proc`` if it still runs, wait and collect its pipes; SIGKILL it if it ignores SIGTERM."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        logger.warning("%s (pid %d) ignored SIGTERM; killing it", what, proc.pid)
        proc.kill()
        proc.communicate()
