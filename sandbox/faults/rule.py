"""A fault rule: which fault mode breaks which pages of which site, chosen deterministically.

Kept apart from the builders (:mod:`sandbox.faults.modes`) and the hook that applies them
(:mod:`sandbox.faults`), so that the tests' expectations (:meth:`FaultRule.hits`) and the
server's answers share one definition of "this page is broken".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.sites.base import Site

__all__ = ["MODES", "CHARSET_VARIANTS", "FaultRule", "crc", "parse_fault"]

MODES: tuple[str, ...] = (
    "slow",
    "reset",
    "burst",
    "redirect-loop",
    "gzip-truncated",
    "gzip-bomb",
    "big-body",
    "binary",
    "non-html",
    "charset",
    "nul",
    "broken-html",
    "offsite",
    "calendar",
    "session-id",
    "crawl-delay",
)
"""Every fault mode; :data:`sandbox.faults.modes.BUILDERS` has one builder per name."""
_DEFAULT_KIND = {"calendar": "list", "session-id": "any"}
_KINDS = {"article": ("article",), "list": ("list", "home"), "any": ("article", "list", "home", "trap", "redirect")}
_SPEC = re.compile(r"^(?P<mode>[a-z0-9-]+)(?:@(?P<site>[a-z][a-z0-9_-]*))?(?::(?P<opts>.*))?$")
_KEYS = {"as": "charset"}

CHARSET_VARIANTS: dict[str, tuple[str, str | None, str | None, bytes]] = {
    # name: (codec of the bytes, charset in the header, charset in <meta>, prefix)
    "gbk-as-utf8": ("gbk", "utf-8", "utf-8", b""),
    "gb18030": ("gb18030", "gb2312", "gb2312", b""),
    "big5": ("big5", "big5", "big5", b""),
    "bom": ("utf-8", "gbk", "gbk", b"\xef\xbb\xbf"),
    "meta-conflict": ("gbk", "gbk", "utf-8", b""),
    "undeclared": ("gbk", None, None, b""),
}
"""Mislabelled charsets met on Chinese sites: bytes in one codec, declarations saying another."""


def crc(text: str) -> int:
    """A stable, well-spread hash of a target, so "one page in N" is the same set in server and tests.

    (CRC-32 is linear: targets that differ in one digit land in few residues, hence SHA-1.)
    """
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "big")


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
        if self.mode not in MODES:
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
