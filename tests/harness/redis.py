"""A real ``redis-server`` on a free loopback port, for the tests and benchmarks of distributed crawls.

Started like the sandbox (a child process we own, stopped by its PID), never a fake: leases,
outages and politeness across workers are only worth testing against the real server.
Persistence is an append-only file fsynced on every write, in the server's own directory, so
:meth:`RedisServer.restart` models what an operator's Redis does when it is restarted: it
comes back with the frontier it had.  ``.ci/run`` installs the Debian package; without it the
fixtures skip (locally) or fail (when SPEECHCRAWL_REQUIRE_REDIS is set, as in CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["RedisServer", "redis_server_binary", "free_port"]


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server child process on 127.0.0.1:``port`` with its data under ``directory``."""

    def __init__(self, directory: Path, port: int | None = None, *, binary: str | None = None) -> None:
        found = binary or redis_server_binary()
        if found is None:
            raise FileNotFoundError("redis-server not found (Debian: apt-get install -y redis-server)")
        self.binary = found
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        if self.proc is not None and self.proc.poll() is None:
            return self
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--protected-mode", "yes",
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while not _ping(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}; see {self.directory}/redis.log")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"redis-server did not answer on port {self.port} within {timeout}s")
            time.sleep(0.02)
        return self

    def stop(self, *, kill: bool = False, timeout: float = 10.0) -> None:
        """SIGTERM (Redis finishes its append-only file) or SIGKILL; wait for the process to end."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def restart(self, down_for: float = 0.0) -> None:
        """Stop, stay down ``down_for`` seconds, start again on the same port with the same data."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
