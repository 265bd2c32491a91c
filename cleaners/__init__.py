"""Cleaners: HTML of speech pages in, clean speech text with metadata out.

Pure functions only — no network, no file I/O, no Scrapy — so that archived
WARC records can be re-cleaned years later with nothing but this package.
Entry points: :func:`clean` for the pages of one article, :func:`decode_html`
for raw bodies, :func:`render_masks` to show a record under another mask mode.
"""

from __future__ import annotations

from cleaners.encoding import decode_html
from cleaners.pipeline import clean
from cleaners.render import PLACEHOLDER, render_masks
from cleaners.types import (
    CleanOptions,
    CleanRecord,
    CleanResult,
    Decoded,
    Mask,
    MaskMode,
    Page,
    Part,
    SiteRules,
)

__all__ = [
    "CLEANER_VERSION",
    "PLACEHOLDER",
    "CleanOptions",
    "CleanRecord",
    "CleanResult",
    "Decoded",
    "Mask",
    "MaskMode",
    "Page",
    "Part",
    "SiteRules",
    "clean",
    "decode_html",
    "render_masks",
]

CLEANER_VERSION = "0.4.1"
"""Bumped whenever the cleaners' output for the same input changes."""
