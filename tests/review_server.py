"""The review app served in a thread of the test process, on a free loopback port; stopped by the test."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.review import make_server


@contextmanager
def serving(data: Path) -> Iterator[str]:
    """The app over ``data`` at the yielded base URL (no trailing slash) until the block ends."""
    server = make_server(data, "127.0.0.1", 0)
    assert server.app.near.wait(120), "near-duplicate clustering did not finish"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body, whatever the status (an error status is an answer here, not an exception)."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
