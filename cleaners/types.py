"""Types shared by every cleaning step and by the code that calls the cleaners.

They are plain frozen dataclasses so that a profile, a page or a result can be
hashed, compared in tests and passed between processes without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MaskMode = Literal["strip", "keep", "placeholder"]


@dataclass(frozen=True, kw_only=True)
class SiteRules:
    """Site-specific knowledge taken from a profile's ``[article]`` and ``[clean]`` tables.

    Every selector is a CSS selector; every pattern a Python regular expression.
    A missing value means "use the generic rule".  Generic knowledge (ad sentence
    shapes, mask shapes, comment widgets …) lives in :mod:`cleaners.patterns`, not here.
    """

    content: tuple[str, ...] = ()
    """Selectors of the element holding the speech text; the first that matches wins."""
    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    """Selectors of elements removed (with their text) before the text is read."""
    drop_lines: tuple[str, ...] = ()
    """Regexes: a whole line (paragraph) matching one of them is site chrome."""
    ads: tuple[str, ...] = ()
    """Regexes of sentences a site injects into paragraphs; cut out, the rest kept."""
    title_strip: tuple[str, ...] = ()
    """Regexes removed from the title, e.g. a pagination suffix ``(第2/3页)``."""
    compilation: bool | None = None
    """True: page holds several speeches; False: never split; None: detect."""
    date_from: Literal["speech", "page"] = "speech"
    """Which date a record carries when the page states two: the speech's own dateline ("speech": the day it
    was given) or the page's publication date ("page": the ``date`` selector, else a labelled posting date)."""


@dataclass(frozen=True, kw_only=True)
class Page:
    """One fetched page of an article, already decoded to text."""

    url: str
    html: str


@dataclass(frozen=True, kw_only=True)
class CleanOptions:
    """Switches for one cleaning run; defaults are what the crawler uses."""

    mask_mode: MaskMode = "strip"
    generic_fallback: bool = True
    """When a profile's content selector matches nothing, fall back to main-content detection."""
    min_chars: int = 30
    """A page whose cleaned text is shorter than this is not an article (list, error or index page)."""
    min_prose_chars: int = 80
    """Generic mode only: characters in lines that read as sentences (with ，。！？；) a page needs to be an
    article.  A list page's main block is titles and dates: long enough, but no sentence in it."""


@dataclass(frozen=True, kw_only=True)
class Mask:
    """A masked span as it appeared on the page (``******``, ``xx``, ``X``, ``20xx`` …)."""

    original: str
    offset: int
    """Character offset in the record's ``text`` (as rendered with the record's mask mode)."""
    kind: str


@dataclass(frozen=True, kw_only=True)
class Part:
    """Position of one speech inside a compilation page (篇一 … 篇十九)."""

    index: int
    count: int
    label: str


@dataclass(frozen=True, kw_only=True)
class CleanRecord:
    """One speech: clean text plus metadata.  A compilation yields one per 篇."""

    text: str
    title: str | None = None
    speaker: str | None = None
    speaker_title: str | None = None
    occasion: str | None = None
    date: str | None = None
    source: str | None = None
    part: Part | None = None
    masks: tuple[Mask, ...] = ()
    audit: dict[str, dict[str, int]] = field(default_factory=dict)
    """Removed material by kind: ``{"chrome": {"count": 3, "chars": 41}, ...}``."""


@dataclass(frozen=True, kw_only=True)
class CleanResult:
    """Everything the cleaners made of one article (one or several pages)."""

    records: tuple[CleanRecord, ...]
    mode: Literal["profile", "generic"]
    page_title: str | None = None
    skipped: str | None = None
    """Why no record came out (not an article, empty after cleaning …), else None."""
    unreadable: tuple[tuple[int, str], ...] = ()
    """Pages (index, why) whose markup held text that no parser could read: they gave nothing, not
    because they hold no speech (cleaners.parse.read_html)."""


@dataclass(frozen=True, kw_only=True)
class Decoded:
    """The text of an HTML body and how it was obtained.

    ``text`` is None when no encoding gives readable text; ``reason`` then says why,
    in words a maintainer can act on.  Otherwise ``reason`` records which evidence
    (BOM, header, meta, trial decoding) chose ``encoding``.
    """

    text: str | None
    encoding: str | None
    reason: str
    replaced: int = 0
    """Invalid byte sequences replaced by U+FFFD (a few stray bytes are tolerated)."""
