"""Run the sandbox server in a child process (for the demo, the tests and benchmarks).

A child process keeps the server's threads off the crawler's interpreter (it gets the second core)
and makes shutdown unambiguous: we terminate exactly the process we started, by its PID, and wait
for it.  The server announces its base URLs as one JSON line on stdout; nothing else is read.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

logger = logging.getLogger(__name__)

__all__ = ["SandboxProcess", "SandboxError"]

_SOURCE_ROOT = Path(__file__).resolve().parents[1]
"""The directory holding the ``sandbox`` package: the child finds it there whether installed or not."""


class SandboxError(RuntimeError):
    """The sandbox server did not start (it died, or printed no URLs in time)."""


class SandboxProcess:
    """Context manager: start ``python -m sandbox.server``, expose its URLs, stop it on exit.

    >>> with SandboxProcess(sites=["wenmi"]) as sb:       # doctest: +SKIP
    ...     sb.url("wenmi", "/robots.txt")
    'http://127.0.0.1:40123/robots.txt'
    """

    def __init__(self, sites: list[str] | tuple[str, ...] | None = None, articles: int | None = None,
                 port_base: int | None = 0, *, host: str = "127.0.0.1", timeout: float = 30.0,
                 redesign: list[str] | tuple[str, ...] = (), faults: Sequence[str] = ()) -> None:
        self.sites = list(sites) if sites else None
        self.redesign = list(redesign)
        self.faults = list(faults)
        """Fault specs (``MODE[@SITE][:key=value,...]``, see sandbox.faults) passed as --fault."""
        self.articles = articles
        self.port_base = port_base
        self.host = host
        self.timeout = timeout
        self.urls: dict[str, str] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "sandbox.server", "--host", self.host]
        if self.port_base is not None:
            cmd += ["--port-base", str(self.port_base)]
        if self.sites:
            cmd += ["--sites", ",".join(self.sites)]
        if self.articles is not None:
            cmd += ["--articles", str(self.articles)]
        if self.redesign:
            cmd += ["--redesign", ",".join(self.redesign)]
        for spec in self.faults:
            cmd += ["--fault", spec]
        return cmd

    def start(self) -> SandboxProcess:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_SOURCE_ROOT), env.get("PYTHONPATH")]))
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, env=env)
        try:
            line = self._read_line()
            self.urls = json.loads(line)
        except (SandboxError, ValueError) as exc:
            self._terminate()
            detail = self._stderr_text()
            self.stop()
            raise SandboxError(f"{exc}\n--- sandbox stderr ---\n{detail}") from exc
        logger.info("sandbox pid %d serving %s", self.proc.pid, self.urls)
        return self

    def _read_line(self) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + self.timeout
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SandboxError(f"sandbox printed no URLs within {self.timeout:.0f}s")
                if not sel.select(left):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    code = self.proc.wait(timeout=5)
                    raise SandboxError(f"sandbox exited with code {code} before printing its URLs")
                buf += chunk
        return buf.split(b"\n", 1)[0].decode("utf-8")

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")[-4000:]

    def set_epoch(self, epoch: int) -> None:
        """Move every site of the running server to ``epoch`` (sandbox.epochs)."""
        for site in self.urls:
            with urllib.request.urlopen(self.url(site, f"/_sandbox/epoch?set={epoch}"), timeout=self.timeout) as r:
                if r.read().strip() != str(epoch).encode():
                    raise SandboxError(f"{site} did not move to epoch {epoch}")

    def url(self, site: str, path: str = "/") -> str:
        """Absolute URL of ``path`` on ``site``."""
        if site not in self.urls:
            raise KeyError(f"sandbox is not serving {site!r} (serving: {', '.join(self.urls)})")
        return self.urls[site] + (path if path.startswith("/") else "/" + path)

    def _terminate(self) -> None:
        """Terminate the process we started (by PID), wait for it, collect its pipes."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # the server ignores SIGTERM only when wedged: no mercy then
            proc.kill()
            proc.communicate()

    def stop(self) -> None:
        """Stop the server (if running) and release the captured stderr."""
        self._terminate()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> SandboxProcess:
        """Start the server, unless :meth:`start` already did (``with SandboxProcess(...).start():``)."""
        return self if self.proc is not None and self.proc.poll() is None else self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
