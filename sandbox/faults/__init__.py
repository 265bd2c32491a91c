"""Switchable fault modes: real sandbox pages served the way broken servers serve them.

A real crawl meets slow hosts, connections reset mid-body, truncated gzip, bursts of 500/503/429
with Retry-After, redirect loops, infinite calendars, 200 MB bodies, binary junk labelled text/html
and mislabelled charsets.  A :class:`FaultRule` says which mode hits which pages of which site; a
:class:`FaultHook` applies the rules in front of one site.  Rules come from the server command line
(``--fault MODE[@SITE][:key=value,...]``), so the normal pages stay exactly as they are unless a test
asks for trouble.  Selection is deterministic (a CRC of the target), so a test computes with
:meth:`FaultRule.hits` which pages were hit, and therefore what the crawl must export and what it
must record as failed.

``crawl-delay`` is no fault but a robots.txt with ``Crawl-delay: seconds``.

Keys: ``kind`` (article | list | any: which pages; default article, list for ``calendar``, any for
``session-id``), ``path`` (a regex on path+query instead), ``every`` (hit one target in N), ``times``
(fail only the first N requests of a target, then serve it normally: a transient fault; 0 = always),
``status``, ``retry_after`` (seconds, or ``@N`` for an HTTP-date N seconds ahead), ``seconds``,
``as`` (charset variant or ``mixed``), ``mb`` (body size), ``length`` (1: announce Content-Length),
``param`` (session-id parameter name).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence

from sandbox.endpoints import endpoint
from sandbox.faults.modes import BUILDERS, calendar_page, strip_param
from sandbox.faults.rule import MODES, FaultRule, parse_fault
from sandbox.hooks import Hook, Request, Response
from sandbox.sites.base import Site

logger = logging.getLogger(__name__)

__all__ = ["MODES", "FaultRule", "FaultHook", "parse_fault", "install"]


class FaultHook:
    """The hook that applies fault rules in front of one site (see :mod:`sandbox.hooks`)."""

    def __init__(self, site: Site, rules: Sequence[FaultRule]) -> None:
        self.site = site
        self.rules = [r for r in rules if r.site in (None, site.name)]
        self._seen: Counter[tuple[int, str]] = Counter()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FaultHook({self.site.name}, {[r.mode for r in self.rules]})"

    def _due(self, index: int, rule: FaultRule, target: str) -> bool:
        """A transient rule breaks only the first ``times`` requests of each target."""
        if not rule.times:
            return True
        with self._lock:
            self._seen[index, target] += 1
            return self._seen[index, target] <= rule.times

    def __call__(self, request: Request) -> Response | None:
        for index, rule in enumerate(self.rules):
            own = self._own_page(rule, request)
            if own is not None:
                return own
            if rule.hits(self.site, request.target) and self._due(index, rule, request.target):
                return BUILDERS[rule.mode](rule, self.site, request)
        return None

    def _own_page(self, rule: FaultRule, request: Request) -> Response | None:
        """Pages that exist only because of a fault: calendar pages, loop hops, session-id URLs."""
        if rule.mode == "calendar" and request.path.startswith("/calendar/"):
            return calendar_page(self.site, request.target)
        if rule.mode == "redirect-loop" and "loop=1" in request.query.split("&"):
            query = strip_param(request.query, "loop")
            base = request.path + (f"?{query}" if query else "")
            if rule.hits(self.site, base):
                return BUILDERS[rule.mode](rule, self.site, request)
        if rule.mode == "session-id" and any(p.split("=", 1)[0] == rule.param for p in request.query.split("&")):
            return BUILDERS[rule.mode](rule, self.site, request)
        return None


def install(site: Site, rules: Sequence[FaultRule]) -> Site:
    """Put the Scrapy-vocabulary endpoints and, when there are rules for it, a FaultHook in front of ``site``."""
    hooks: list[Hook] = [*site.hooks, endpoint]
    hook = FaultHook(site, rules)
    if hook.rules:
        hooks.append(hook)
        logger.warning("sandbox %s: fault modes on: %s", site.name, ", ".join(r.mode for r in hook.rules))
    site.hooks = tuple(hooks)
    return site
