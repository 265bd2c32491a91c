"""SSRF guard: non-public addresses are refused before any connection."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.downloadermiddlewares.ssrf import (
    PrivateAddressError,
    PrivateAddressGuardMiddleware,
    is_private_host,
)


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "::1", "192.168.1.5",
                                  "172.16.0.1", "0.0.0.0", "::ffff:127.0.0.1", "localhost", "100.64.0.1"])
def test_private_hosts_are_detected(host: str) -> None:
    assert is_private_host(host) is not None


@pytest.mark.parametrize("host", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"])
def test_public_addresses_pass(host: str) -> None:
    assert is_private_host(host) is None


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
