"""PrivateAddressGuardMiddleware: refuse requests to private, loopback, link-local or reserved hosts.

A crawler fed URLs from the web must not be turned against the machine it runs
on or its network (cloud metadata at 169.254.169.254, admin panels on 10.x).  Two checks,
each where it costs nothing:

- here, in ``process_request``, before any connection and again for every redirect hop
  (RedirectMiddleware schedules hops as new requests): hosts that *are* non-public
  addresses (IP literals, ``localhost``);
- for every other host name, the DNS answers themselves, in :mod:`crawler.resolver`, which
  Scrapy's reactor uses for the connection (asynchronously, with its cache): a non-public
  answer is dropped there, and ``process_exception`` below reports the request as refused.

Resolving names here as well would block the reactor thread on ``getaddrinfo`` and see
answers the connection may not use.  Only the sandbox, the demo and tests pass ``--allow-private``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError, IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

__all__ = ["PrivateAddressGuardMiddleware", "is_private_ip", "is_private_host", "PrivateAddressError",
           "note_refused_at_connection", "origin_endpoint"]


class PrivateAddressError(IgnoreRequest):
    """The request's host resolves to an address a public crawl must not reach."""

    kind = "private_address"


def _is_private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def is_private_ip(text: str) -> bool | None:
    """Whether the IP address ``text`` (brackets and zone index allowed) is one a public crawl must not
    reach (private, loopback, link-local, reserved, multicast…); None when ``text`` is no IP address."""
    try:
        ip = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    return _is_private(ip)


def is_private_host(host: str) -> str | None:
    """The offending address when ``host`` is itself a non-public address (an IP literal, or a name
    that means this machine by definition), else None: names are judged by the resolver."""
    host = host.strip("[]").lower().rstrip(".")
    literal = is_private_ip(host)
    if literal is not None:
        return host if literal else None
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        return "127.0.0.1"
    return None


_REFUSED_AT_CONNECTION: dict[str, str] = {}
"""host -> the non-public address the resolver (crawler.resolver) refused to connect to."""
_REFUSED_LIMIT = 10_000


def note_refused_at_connection(host: str, address: str) -> None:
    """Called by the resolver, so the failed request is reported as refused, not as a DNS failure."""
    if len(_REFUSED_AT_CONNECTION) >= _REFUSED_LIMIT:
        _REFUSED_AT_CONNECTION.clear()
    _REFUSED_AT_CONNECTION[host.strip("[]").lower()] = address


def origin_endpoint(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``, host lower-cased, the default port spelled out."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)


def _origin(url: str) -> str:
    """``scheme://host:port``, so "http://h" and "http://h:80" compare equal."""
    return "{}://{}:{}".format(*origin_endpoint(url))


class PrivateAddressGuardMiddleware:
    """Raises :class:`PrivateAddressError` for non-public targets.

    Settings
    --------
    SPEECHCRAWL_SSRF_ALLOW_PRIVATE: when true the middleware is not installed.
    SPEECHCRAWL_SSRF_ALLOW_ORIGINS: exact origins (``http://10.1.2.3:8080``) let through although private,
    e.g. an internal mirror; every other private target, redirect hops included, is still refused.
    """

    def __init__(self, crawler: Crawler | None = None, allow_origins: Iterable[str] = ()) -> None:
        self.crawler = crawler
        self.allow_origins = frozenset(_origin(url) for url in allow_origins)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.settings.getbool("SPEECHCRAWL_SSRF_ALLOW_PRIVATE"):
            # A bare NotConfigured keeps Scrapy from logging a WARNING per crawler: this is the
            # intended state of sandbox, demo and test crawls, so it is said once, at INFO.
            logger.info("private-address guard off: SPEECHCRAWL_SSRF_ALLOW_PRIVATE is on (sandbox/test crawl)")
            raise NotConfigured
        origins = crawler.settings.getlist("SPEECHCRAWL_SSRF_ALLOW_ORIGINS")
        if origins:
            logger.info("private-address guard: allowing only these private origins: %s", ", ".join(origins))
        return cls(crawler, origins)

    def process_request(self, request: Request) -> None:
        if self.allow_origins and _origin(request.url) in self.allow_origins:
            return None
        host = urlsplit(request.url).hostname or ""
        address = is_private_host(host)
        if address is None:
            return None
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("speechcrawl/ssrf/refused")
        logger.error("refused %s: host %s is non-public address %s (pass --allow-private only for "
                     "sandboxes you run yourself)", request.url, host, address)
        raise PrivateAddressError(f"refused {request.url}: {host} is a non-public address ({address})")

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A host name whose DNS answers were all non-public: the resolver refused to connect to them."""
        if not isinstance(exception, CannotResolveHostError):
            return None
        host = (urlsplit(request.url).hostname or "").lower()
        address = _REFUSED_AT_CONNECTION.get(host)
        if address is None:
            return None
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("speechcrawl/ssrf/refused_at_connection")
        raise PrivateAddressError(f"refused {request.url}: {host} resolved to non-public address {address}")
