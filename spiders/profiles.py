"""Site profiles: one small TOML file per site, validated on load.

A profile is data, not code: maintainers add a site by writing TOML, and a typo
must fail loudly at load time with the file, the line and the key — not silently
crawl nothing at 3 a.m.  Every regex and CSS selector is compiled here once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cssselect import GenericTranslator
from cssselect.parser import SelectorError

from cleaners.types import SiteRules
from spiders.profile_lines import KeyLines

__all__ = ["ProfileError", "SiteProfile", "LinkRules", "ProfileSet", "load_profile", "load_profiles", "load_profile_set",
           "profile_dirs", "fixture_dir", "generic_profile", "PROFILES_DIR", "USER_PROFILES_DIR"]

logger = logging.getLogger(__name__)

PROFILES_DIR = Path(__file__).parent / "profiles"
"""The profiles bundled with speechcrawl (package data; the sandbox sites' profiles and their fixtures)."""
USER_PROFILES_DIR = Path("profiles")
"""Where your own profiles live unless you say otherwise (``--profiles DIR``): relative to the working
directory, read when it exists, written by ``speechcrawl site new``."""

_TOP_KEYS = {"name", "description", "start_urls", "encoding", "allowed_hosts", "links", "article", "clean"}
_LINK_KEYS = {"list", "article", "restrict"}
_ARTICLE_KEYS = {"content", "title", "date", "source", "author", "drop", "next_page", "title_strip"}
_CLEAN_KEYS = {"drop_lines", "ads", "compilation", "date_from"}
_REQUIRED = {("name",), ("start_urls",), ("links", "article"), ("article", "content")}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_TOML_AT = re.compile(r"\(at line (\d+)")
_css = GenericTranslator()


class ProfileError(ValueError):
    """A profile file is invalid; the message names the file, the line and the key."""


@dataclass(frozen=True, kw_only=True)
class LinkRules:
    """Which links a spider follows: only these, which keeps link extraction cheap."""

    list: tuple[re.Pattern[str], ...] = ()
    article: tuple[re.Pattern[str], ...] = ()
    restrict: tuple[str, ...] = ()

    def is_article(self, path_query: str) -> bool:
        return any(p.search(path_query) for p in self.article)

    def is_list(self, path_query: str) -> bool:
        return any(p.search(path_query) for p in self.list)


@dataclass(frozen=True, kw_only=True)
class SiteProfile:
    """A validated site profile.  ``generic`` profiles have no selectors and use main-content detection."""

    name: str
    description: str = ""
    start_urls: tuple[str, ...]
    encoding: str = "auto"
    allowed_hosts: tuple[str, ...] = ()
    links: LinkRules = field(default_factory=LinkRules)
    rules: SiteRules | None = None
    next_page: tuple[str, ...] = ()
    path: Path | Traversable | None = None
    sha256: str = ""
    generic: bool = False

    @property
    def hosts(self) -> tuple[str, ...]:
        """Host[:port] values the spider stays on."""
        if self.allowed_hosts:
            return self.allowed_hosts
        return tuple(dict.fromkeys(urlsplit(u).netloc for u in self.start_urls))

    def rebased(self, origin: str) -> SiteProfile:
        """The same profile served from another origin (a sandbox on a random port, a mirror)."""
        parts = urlsplit(origin)
        if not parts.scheme or not parts.netloc:
            raise ProfileError(f"origin must look like http://host:port, got {origin!r}")
        urls = tuple(urlunsplit((parts.scheme, parts.netloc, *urlsplit(u)[2:])) for u in self.start_urls)
        return replace(self, start_urls=urls, allowed_hosts=(parts.netloc,))


class _Validator:
    """Collects the context (file, key lines) needed to name the line of a bad key or value."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = KeyLines(text)
        self.text_lines = len(text.splitlines())

    def where(self, line: int) -> str:
        return f"{self.path}:{line}" if line else str(self.path)

    def fail(self, key: str, table: str | None, why: str, index: int | None = None) -> ProfileError:
        """An error at the key's line, or at the line of its ``index``-th value in a long list."""
        dotted = (table, key) if table else (key,)
        line = self.lines.key(dotted) if index is None else self.lines.element(dotted, index)
        return ProfileError(f"{self.where(line)}: key {'.'.join(dotted)!r}: {why}")

    def missing(self, keys: tuple[str, ...]) -> ProfileError:
        """A required key is absent: point at its table's header, or at the end when the table is absent too."""
        table = keys[:-1]
        line, hint = 1, ""
        if table:
            name = ".".join(table)
            line = self.lines.table(table)
            hint = f" (add it under [{name}])"
            if not line:
                line, hint = max(1, self.text_lines), f" (add a [{name}] table with it)"
        return ProfileError(f"{self.where(line)}: missing required key {'.'.join(keys)!r}{hint}")

    def strings(self, data: Mapping[str, Any], key: str, table: str | None) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, table, "must be a string or a list of strings")
        return tuple(value)

    def regexes(self, data: Mapping[str, Any], key: str, table: str | None) -> tuple[re.Pattern[str], ...]:
        out = []
        for index, pattern in enumerate(self.strings(data, key, table)):
            try:
                out.append(re.compile(pattern))
            except re.error as exc:
                raise self.fail(key, table, f"bad regex {pattern!r}: {exc}", index) from exc
        return tuple(out)

    def selectors(self, data: Mapping[str, Any], key: str, table: str | None) -> tuple[str, ...]:
        values = self.strings(data, key, table)
        for index, css in enumerate(values):
            try:
                _css.css_to_xpath(css)
            except SelectorError as exc:
                raise self.fail(key, table, f"bad CSS selector {css!r}: {exc}", index) from exc
        return values

    def unknown(self, data: Mapping[str, Any], allowed: set[str], table: str | None) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(key, table, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def load_profile(path: str | Path | Traversable) -> SiteProfile:
    """Parse and validate one profile file (a path, or a resource inside a zipped egg)."""
    path = Path(path) if isinstance(path, str) else path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ProfileError(f"{path}:{line}: not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                           "save the profile as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        line = int(at.group(1)) if at else len(text.rstrip("\n").split("\n"))  # "at end of document"
        raise ProfileError(f"{path}:{line}: not valid TOML: {exc}") from exc
    v = _Validator(path, text)
    v.unknown(data, _TOP_KEYS, None)
    for table in ("links", "article", "clean"):
        if table in data and not isinstance(data[table], dict):
            raise v.fail(table, None, "must be a table")
    links, article, clean = data.get("links", {}), data.get("article", {}), data.get("clean", {})
    # Unknown keys first: a misspelt required key ("contnet") is reported as the typo it is.
    v.unknown(links, _LINK_KEYS, "links")
    v.unknown(article, _ARTICLE_KEYS, "article")
    v.unknown(clean, _CLEAN_KEYS, "clean")
    for keys in sorted(_REQUIRED):
        node: Any = data
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                raise v.missing(keys)
            node = node[k]

    name = data["name"]
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise v.fail("name", None, "must be lower-case letters, digits, '-' or '_', starting with a letter")
    start_urls = v.strings(data, "start_urls", None)
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise v.fail("start_urls", None, f"{url!r} is not an absolute http(s) URL")
    compilation = clean.get("compilation")
    if compilation is not None and not isinstance(compilation, bool):
        raise v.fail("compilation", "clean", "must be true or false (omit it to auto-detect)")
    date_from = clean.get("date_from", "speech")
    if date_from not in ("speech", "page"):
        raise v.fail("date_from", "clean", 'must be "speech" (the dateline under the speaker) or "page" '
                                           "(the page's publication date)")
    encoding = data.get("encoding", "auto")
    if not isinstance(encoding, str):
        raise v.fail("encoding", None, "must be a string")
    if encoding != "auto":
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise v.fail("encoding", None, f"unknown codec {encoding!r}") from exc
    # Regexes in [clean] are validated here so the error names the file; cleaners recompile them.
    v.regexes(clean, "drop_lines", "clean")
    v.regexes(clean, "ads", "clean")
    v.regexes(article, "title_strip", "article")
    rules = SiteRules(
        content=v.selectors(article, "content", "article"),
        title=v.selectors(article, "title", "article"),
        date=v.selectors(article, "date", "article"),
        source=v.selectors(article, "source", "article"),
        author=v.selectors(article, "author", "article"),
        drop=v.selectors(article, "drop", "article"),
        drop_lines=v.strings(clean, "drop_lines", "clean"),
        ads=v.strings(clean, "ads", "clean"),
        title_strip=v.strings(article, "title_strip", "article"),
        compilation=compilation,
        date_from=date_from,
    )
    if not rules.content:
        raise v.fail("content", "article", "needs at least one selector")
    link_rules = LinkRules(
        list=v.regexes(links, "list", "links"),
        article=v.regexes(links, "article", "links"),
        restrict=v.selectors(links, "restrict", "links"),
    )
    if not link_rules.article:
        raise v.fail("article", "links", "needs at least one regex")
    return SiteProfile(
        name=name,
        description=str(data.get("description", "")),
        start_urls=start_urls,
        encoding=encoding,
        allowed_hosts=v.strings(data, "allowed_hosts", None),
        links=link_rules,
        rules=rules,
        next_page=v.selectors(article, "next_page", "article"),
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def _profile_files(directory: Path | Traversable) -> list[Path | Traversable]:
    """The ``*.toml`` files of ``directory`` (the bundled one may be a resource inside a zipped egg:
    Scrapyd runs a deployed project from one)."""
    if isinstance(directory, Path):
        return sorted(directory.glob("*.toml"))
    return sorted((f for f in directory.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def profile_dirs(user_dir: str | Path | None = None) -> list[Path | Traversable]:
    """Where profiles are read from: the bundled ones, then the user's (``user_dir``, else ``./profiles``
    when it exists).  A user profile with a bundled profile's name replaces it."""
    bundled: Path | Traversable = PROFILES_DIR if PROFILES_DIR.is_dir() else resources.files("spiders") / "profiles"
    dirs = [bundled]
    if user_dir is not None:
        user = Path(user_dir)
        if not user.is_dir():
            raise ProfileError(f"profile directory {user} does not exist (or is not a directory)")
        dirs.append(user)
    elif USER_PROFILES_DIR.is_dir():
        dirs.append(USER_PROFILES_DIR)
    unique: list[Path | Traversable] = []
    for d in dirs:
        if not any(isinstance(d, Path) and isinstance(u, Path) and d.resolve() == u.resolve() for u in unique):
            unique.append(d)
    return unique


@dataclass
class ProfileSet:
    """The profiles that loaded, and the files that did not (by profile file stem), with why."""

    profiles: dict[str, SiteProfile] = field(default_factory=dict)
    errors: dict[str, ProfileError] = field(default_factory=dict)


def load_profile_set(user_dir: str | Path | None = None) -> ProfileSet:
    """Every profile of :func:`profile_dirs`; a bad file is set aside, so it blocks no other site."""
    found = ProfileSet()
    for directory in profile_dirs(user_dir):
        seen: dict[str, Path | Traversable] = {}
        for path in _profile_files(directory):
            stem = path.name.removesuffix(".toml")
            try:
                profile = load_profile(path)
            except ProfileError as exc:
                found.errors[stem] = exc
                found.profiles.pop(stem, None)
                continue
            if profile.name in seen:
                found.errors[stem] = ProfileError(f"{path}: profile name {profile.name!r} already used by "
                                                  f"{seen[profile.name]}")
                continue
            seen[profile.name] = path
            found.errors.pop(profile.name, None)
            found.profiles[profile.name] = profile
    return found


def load_profiles(user_dir: str | Path | None = None, *, strict: bool = False) -> dict[str, SiteProfile]:
    """All profiles by name (bundled, then the user's).  Bad files are logged and skipped, or with
    ``strict`` the first one raises its ProfileError."""
    found = load_profile_set(user_dir)
    for stem, error in sorted(found.errors.items()):
        if strict:
            raise error
        logger.warning("profile %s skipped: %s", stem, error)
    return found.profiles


def generic_profile(url: str) -> SiteProfile:
    """A profile for a site nobody described yet: stay on the host, detect articles by their content."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"not an absolute http(s) URL: {url!r}")
    name = re.sub(r"[^a-z0-9]+", "-", parts.netloc.lower()).strip("-") or "generic"
    return SiteProfile(
        name=f"generic-{name}",
        description=f"generic mode for {parts.netloc}",
        start_urls=(url,),
        allowed_hosts=(parts.netloc,),
        links=LinkRules(list=(re.compile(""),)),
        rules=None,
        generic=True,
    )


def fixture_dir(profile: SiteProfile, root: Path | None = None) -> Path:
    """Where a profile's recorded fixture lives: ``ROOT/<name>/``, by default ``fixtures/<name>/`` beside
    the profile file (bundled fixtures ship with the bundled profiles)."""
    if root is not None:
        return root / profile.name
    if profile.path is None:
        raise ProfileError(f"profile {profile.name!r} has no file, hence no fixture")
    return Path(str(profile.path)).parent / "fixtures" / profile.name
