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
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

from crawler.sandbox.endpoints import endpoint
from crawler.sandbox.fault_modes import BUILDERS, CHARSET_VARIANTS, calendar_page, crc, strip_param
from crawler.sandbox.hooks import Hook, Request, Response
from crawler.sandbox.sites.base import Site

logger = logging.getLogger(__name__)

__all__ = ["MODES", "FaultRule", "FaultHook", "parse_fault", "install"]

MODES: tuple[str, ...] = tuple(BUILDERS)
_DEFAULT_KIND = {"calendar": "list", "session-id": "any"}
_KINDS = {"article": ("article",), "list": ("list", "home"), "any": ("article", "list", "home", "trap", "redirect")}
_SPEC = re.compile(r"^(?P<mode>[a-z0-9-]+)(?:@(?P<site>[a-z][a-z0-9_-]*))?(?::(?P<opts>.*))?$")
_KEYS = {"as": "charset"}


@dataclass(frozen=True)
class FaultRule:
    """One fault mode applied to a deterministic subset of one site's pages (or every site's)."""

    mode: str
    site: str | None = None
    kind: str = ""
    path: str = ""
    every: int = 1
    times: int = 0
    status: int = 503
    retry_after: str = ""
    seconds: float = 3.0
    charset: str = "mixed"
    mb: int = 200
    length: int = 1
    param: str = "sid"

    def __post_init__(self) -> None:
        if self.mode not in BUILDERS:
            raise ValueError(f"unknown fault mode {self.mode!r} (known: {', '.join(MODES)})")
        if not self.kind:
            object.__setattr__(self, "kind", _DEFAULT_KIND.get(self.mode, "article"))
        if self.kind not in _KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(_KINDS)}, got {self.kind!r}")
        if self.every < 1 or self.times < 0 or self.mb < 1 or not 0 <= self.seconds <= 120:
            raise ValueError("fault needs every >= 1, times >= 0, mb >= 1, 0 <= seconds <= 120")
        if self.charset != "mixed" and self.charset not in CHARSET_VARIANTS:
            raise ValueError(f"charset variant must be mixed or one of {', '.join(CHARSET_VARIANTS)}")
        if self.path:
            re.compile(self.path)

    def hits(self, site: Site, target: str) -> bool:
        """Whether this rule breaks ``target`` on ``site`` (robots.txt only when ``path`` names it)."""
        if self.site not in (None, site.name):
            return False
        if self.mode == "crawl-delay":
            matched = target == "/robots.txt"
        elif self.path:
            matched = re.search(self.path, target) is not None
        else:
            matched = target != "/robots.txt" and site.route_kind(target) in _KINDS[self.kind]
        return matched and crc(target) % self.every == 0


def parse_fault(spec: str) -> FaultRule:
    """``MODE[@SITE][:key=value,...]`` -> FaultRule; ValueError names the bad part."""
    m = _SPEC.match(spec.strip())
    if m is None:
        raise ValueError(f"bad fault spec {spec!r}: expected MODE[@SITE][:key=value,...]")
    types = {f.name: f.type for f in fields(FaultRule)}
    values: dict[str, object] = {"mode": m["mode"], "site": m["site"]}
    for item in filter(None, (m["opts"] or "").split(",")):
        key, sep, value = item.partition("=")
        name = _KEYS.get(key, key)
        if not sep or name not in types or name in ("mode", "site"):
            keys = sorted({*types, *_KEYS} - {"mode", "site", "charset"})
            raise ValueError(f"bad fault option {item!r} in {spec!r} (keys: {', '.join(keys)})")
        kind = types[name]
        try:
            values[name] = int(value) if kind == "int" else float(value) if kind == "float" else value
        except ValueError:
            raise ValueError(f"fault option {key} must be a number, got {value!r}") from None
    return FaultRule(**values)  # type: ignore[arg-type]


class FaultHook:
    """The hook that applies fault rules in front of one site (see :mod:`crawler.sandbox.hooks`)."""

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
