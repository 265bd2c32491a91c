"""PublicAddressResolver: the SSRF guard on the DNS answers a connection uses.

``PrivateAddressGuardMiddleware`` refuses hosts that are non-public addresses themselves; every
host name is judged here.  This resolver is the one Scrapy installs on the reactor, so it sees
the very answers the connection is made to (a DNS server that answers a public address to one
lookup and a private one to the next, DNS rebinding, gains nothing), asynchronously and through
Scrapy's cache: it drops the non-public ones.  A host left with no address fails to resolve; the
middleware turns that failure into a ``private_address`` refusal, and the refusal is logged as an
error naming the host and the address.

It allows what the middleware allows: everything with ``SPEECHCRAWL_SSRF_ALLOW_PRIVATE``
(sandbox, demo, tests), and the host and port of each ``SPEECHCRAWL_SSRF_ALLOW_ORIGINS`` entry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Self

from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from zope.interface import implementer, provider

from crawler.downloadermiddlewares.ssrf import is_private_ip, note_refused_at_connection, origin_endpoint

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.base import ReactorBase
    from twisted.internet.interfaces import IAddress, IHostResolution

logger = logging.getLogger(__name__)

__all__ = ["PublicAddressResolver", "allowed_endpoints"]


def allowed_endpoints(origins: Iterable[str]) -> frozenset[tuple[str, int]]:
    """(host, port) of each allowed origin, as the middleware compares origins."""
    return frozenset(origin_endpoint(origin)[1:] for origin in origins)


@provider(IResolutionReceiver)
class _PublicOnly:
    """Passes the public addresses of one resolution on to the connection, drops the others."""

    def __init__(self, receiver: IResolutionReceiver, host: str, port: int) -> None:
        self.receiver = receiver
        self.host = host
        self.port = port
        self.refused: list[str] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802 (Twisted's interface)
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802
        host = str(getattr(address, "host", ""))
        if is_private_ip(host):  # None for what is no IP address (a UNIX socket?): nothing to judge
            self.refused.append(host.split("%", 1)[0])
            return
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        if self.refused:
            note_refused_at_connection(self.host, self.refused[0])
            logger.error("refused to connect to %s:%d: it resolved to non-public address %s (pass "
                         "--allow-private only for sandboxes you run yourself)", self.host, self.port,
                         ", ".join(self.refused))
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class PublicAddressResolver(CachingHostnameResolver):
    """Scrapy's caching IPv4/IPv6 resolver, minus the non-public answers a crawl may not use."""

    def __init__(self, reactor: ReactorBase, cache_size: int, *, allow_private: bool = False,
                 allowed: frozenset[tuple[str, int]] = frozenset()) -> None:
        super().__init__(reactor, cache_size)
        self.allow_private = allow_private
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, allow_private=settings.getbool("SPEECHCRAWL_SSRF_ALLOW_PRIVATE"),
                   allowed=allowed_endpoints(settings.getlist("SPEECHCRAWL_SSRF_ALLOW_ORIGINS")))

    def resolveHostName(self, resolutionReceiver: IResolutionReceiver, hostName: str,  # noqa: N802,N803
                        portNumber: int = 0, addressTypes: Sequence[Any] | None = None,  # noqa: N803
                        transportSemantics: str = "TCP") -> IHostResolution:  # noqa: N803
        if not self.allow_private and (hostName.strip("[]").lower(), portNumber) not in self.allowed:
            resolutionReceiver = _PublicOnly(resolutionReceiver, hostName, portNumber)
        return super().resolveHostName(resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics)
