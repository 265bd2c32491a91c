"""SSRF guard: non-public addresses are refused before any connection, also after redirects."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from corpus.catalog import Catalog
from crawler.downloadermiddlewares.ssrf import (
    PrivateAddressError,
    PrivateAddressGuardMiddleware,
    is_private_host,
)
from tests import run_cli


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "::1", "192.168.1.5",
                                  "172.16.0.1", "0.0.0.0", "::ffff:127.0.0.1", "localhost", "100.64.0.1"])
def test_private_hosts_are_detected(host: str) -> None:
    assert is_private_host(host) is not None


@pytest.mark.parametrize("host", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"])
def test_public_addresses_pass(host: str) -> None:
    assert is_private_host(host) is None


def test_the_middleware_never_resolves_names_on_the_reactor_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names are left to the resolver (async, cached, and the answers the connection uses)."""
    def no_lookups(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"blocking DNS lookup {args}")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    mw = build_from_crawler(PrivateAddressGuardMiddleware, get_crawler())
    assert mw.process_request(Request("http://news.example.cn/a.html")) is None
    with pytest.raises(PrivateAddressError):
        mw.process_request(Request("http://app.localhost:8080/"))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8601/", "http://10.0.0.1/", "http://169.254.169.254/latest/",
                                 "http://[::1]:80/"])
def test_middleware_refuses(url: str) -> None:
    mw = build_from_crawler(PrivateAddressGuardMiddleware, get_crawler())
    with pytest.raises(PrivateAddressError, match="non-public address"):
        mw.process_request(Request(url))


def test_allow_private_disables_the_guard() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(PrivateAddressGuardMiddleware,
                           get_crawler(settings_dict={"SPEECHCRAWL_SSRF_ALLOW_PRIVATE": True}))


def test_an_allowed_origin_is_exact() -> None:
    mw = build_from_crawler(PrivateAddressGuardMiddleware, get_crawler(
        settings_dict={"SPEECHCRAWL_SSRF_ALLOW_ORIGINS": ["http://10.1.2.3:8080", "http://192.168.1.5"]}))
    assert mw.process_request(Request("http://10.1.2.3:8080/list.html")) is None
    assert mw.process_request(Request("http://192.168.1.5:80/a.html")) is None
    for url in ("http://10.1.2.3:8081/", "https://10.1.2.3:8080/", "http://10.1.2.4:8080/", "http://127.0.0.1/"):
        with pytest.raises(PrivateAddressError):
            mw.process_request(Request(url))
    assert PrivateAddressError.kind == "private_address"


class CountingServer:
    """A loopback TCP server that only counts the connections it accepts (it never answers)."""

    def __init__(self, family: socket.AddressFamily, host: str) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def counters() -> Iterator[tuple[CountingServer, CountingServer]]:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine: [::1] cannot be served")
    v4, v6 = CountingServer(socket.AF_INET, "127.0.0.1"), CountingServer(socket.AF_INET6, "::1")
    yield v4, v6
    v4.close()
    v6.close()


def _refused(data: Path) -> dict[str, str]:
    catalog = Catalog(data / "catalog.sqlite")
    rows = {f["url"]: f["kind"] for f in catalog.failures()}
    catalog.close()
    return rows


_CRAWL_AS_A_LIBRARY = """
import logging, sys
from pathlib import Path
from crawler.options import CrawlOptions, crawl_settings
from crawler.runner import resolve_targets, run_crawl
logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
data, urls = Path(sys.argv[1]), sys.argv[2:]
run_crawl(resolve_targets(urls), crawl_settings(CrawlOptions(data_dir=data, overrides={"RETRY_ENABLED": False})))
"""


@pytest.mark.slow
def test_private_start_urls_are_refused_before_any_connection(counters: tuple[CountingServer, CountingServer],
                                                              tmp_path: Path) -> None:
    v4, v6 = counters
    starts = [f"http://127.0.0.1:{v4.port}/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
              f"http://[::1]:{v6.port}/"]
    # The command refuses them up front (usage error), creating nothing ...
    proc = run_cli("crawl", *starts, "--no-progress", "--data", str(tmp_path / "cli"), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"http://127.0.0.1:{v4.port}/ is a non-public address (127.0.0.1); pass --allow-private" in proc.stderr
    assert not (tmp_path / "cli").exists()
    # ... and a crawl started as a library meets the guard, which refuses every one of them.
    proc = subprocess.run([sys.executable, "-c", _CRAWL_AS_A_LIBRARY, str(tmp_path / "lib"), *starts],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (v4.connections, v6.connections) == (0, 0)
    assert _refused(tmp_path / "lib") == {url: "private_address" for url in starts}
    assert "pass --allow-private only for sandboxes you run yourself" in proc.stderr


@pytest.mark.slow
def test_redirects_to_private_addresses_are_refused_before_any_connection(
        sandbox: Any, counters: tuple[CountingServer, CountingServer], tmp_path: Path) -> None:
    v4, v6 = counters
    targets = [f"http://127.0.0.1:{v4.port}/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
               f"http://[::1]:{v6.port}/"]
    origins = list(sandbox.urls.values())[:4]  # four sites: four distinct hosts, one redirect each
    starts = [f"{origin}/redirect?to={quote(target, safe='')}" for origin, target in zip(origins, targets, strict=True)]
    proc = run_cli("crawl", *starts, "--no-progress", "--data", str(tmp_path),
                   "-s", f"SPEECHCRAWL_SSRF_ALLOW_ORIGINS={','.join(origins)}", timeout=120)
    # Every seed failed (its redirect refused): the crawl failed, and says so seed by seed.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (v4.connections, v6.connections) == (0, 0)
    refused = _refused(tmp_path)
    assert sorted(refused) == sorted(starts) and set(refused.values()) == {"private_address"}
    assert sorted(line.split(": ")[1] for line in proc.stdout.splitlines() if line.startswith("seed failed: ")) == \
        sorted(starts)
    assert "4 pages failed: see `speechcrawl crawls show " in proc.stdout
    assert "no --contact given: site owners cannot reach you" in proc.stderr


_CRAWL_BEHIND_REBINDING_DNS = """
import logging, sys
from pathlib import Path
from crawler.options import CrawlOptions, crawl_settings
from crawler.runner import resolve_targets, run_crawl
import crawler.downloadermiddlewares.ssrf as ssrf
logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
url, data, allow = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "allow"
# DNS rebinding, as far as it can be played without a DNS server: the request-time lookup
# answers "public", the lookup the connection makes answers 127.0.0.1.
ssrf.is_private_host = lambda host: None
settings = crawl_settings(CrawlOptions(data_dir=data, allow_private=allow,
                                       overrides={"RETRY_ENABLED": False, "DOWNLOAD_TIMEOUT": 5}))
run_crawl(resolve_targets([url]), settings)
"""


@pytest.mark.slow
@pytest.mark.parametrize("allow", ["refuse", "allow"])
def test_the_resolver_refuses_private_answers_at_connection_time(tmp_path: Path, allow: str) -> None:
    """A name that resolves to loopback when the connection is made is not connected to.

    The request-time check is made to answer "public", as a rebinding DNS server would get past
    it; the resolver Scrapy installs still drops the private answer.  With --allow-private the same
    crawl does connect, so the zero is the resolver's doing.
    """
    server = CountingServer(socket.AF_INET, "127.0.0.1")
    try:
        proc = subprocess.run([sys.executable, "-c", _CRAWL_BEHIND_REBINDING_DNS, f"http://localhost:{server.port}/",
                               str(tmp_path), allow], capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr
    if allow == "allow":
        assert server.connections > 0
        assert "refused to connect" not in proc.stderr
    else:
        assert server.connections == 0
        assert f"refused to connect to localhost:{server.port}: it resolved to non-public address 127.0.0.1" \
            in proc.stderr
        assert _refused(tmp_path) == {f"http://localhost:{server.port}/": "private_address"}
