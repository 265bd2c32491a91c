"""The speech data model shared by the page templates and the gold records.

A page is described as a sequence of :class:`Block` objects whose text may carry two inline
marks: ``⟦…⟧`` around a mask (``******``, ``X``, ``20xx`` …) and ``⟪…⟫`` around an injected ad
or chrome sentence.  Rendering shows both literally (like the real sites do); the gold text drops
both.  Keeping the marks explicit in the data is what lets the gold be computed without any
cleaner code, so a cleaner bug can never leak into its own yardstick.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

__all__ = ["Block", "Meta", "Article", "parse_seed", "shown", "gold_paragraph", "masks_of", "ads_of",
           "mask_leaks", "split_pages", "split_parts", "normalize_space"]

MASK_OPEN, MASK_CLOSE, AD_OPEN, AD_CLOSE = "⟦", "⟧", "⟪", "⟫"
_MARKS = re.compile(r"⟦([^⟧]*)⟧|⟪([^⟫]*)⟫")

# Block kinds.  Only "p" blocks are speech; the rest are what a page shows inside its content area.
SPEECH, SPEAKER, CHROME, FILLER, BLANK, PART, PAGE = "p", "speaker", "chrome", "filler", "blank", "part", "page"
_TAGS = {"!speaker": SPEAKER, "!chrome": CHROME, "!filler": FILLER}


@dataclass(frozen=True)
class Block:
    """One line of content: a speech paragraph, a non-speech line, a part heading or a page break."""

    kind: str
    text: str = ""
    label: str = ""
    """For PART blocks: the label shown after the heading title ("篇三", "篇3")."""

    @property
    def heading(self) -> str:
        """The text a PART block shows: title immediately followed by its label."""
        return self.text + self.label


@dataclass(frozen=True)
class Meta:
    """What the page shows about the article; ``None`` when the page does not show it."""

    title: str
    speaker: str | None = None
    speaker_title: str | None = None
    occasion: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    headline: str | None = None
    subtitle: str | None = None
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Article:
    """One article of one site: its stable key, metadata and content blocks (all pages, all parts)."""

    site: str
    index: int
    key: str
    meta: Meta
    blocks: tuple[Block, ...]
    compilation: bool = False
    seed: bool = False
    copy_of: int | None = None
    """Index of the article of the same site this one republishes (machine-spun), if any."""


def normalize_space(text: str) -> str:
    """Strip and collapse whitespace runs (also NBSP and ideographic space) to one space."""
    return " ".join(text.split())


def shown(text: str) -> str:
    """The text as the page shows it: marks removed, masks and ads kept."""
    if MASK_OPEN not in text and AD_OPEN not in text:
        return text
    return text.replace(MASK_OPEN, "").replace(MASK_CLOSE, "").replace(AD_OPEN, "").replace(AD_CLOSE, "")


def gold_paragraph(text: str) -> str:
    """The gold form of a paragraph: masks and ads dropped, whitespace normalized."""
    return normalize_space(_MARKS.sub("", text))


def masks_of(text: str) -> list[str]:
    """Mask strings of a paragraph, in text order."""
    return [m.group(1) for m in _MARKS.finditer(text) if m.group(1) is not None]


def ads_of(text: str) -> list[str]:
    """Injected ad/chrome sentences of a paragraph, in text order."""
    return [m.group(2) for m in _MARKS.finditer(text) if m.group(2) is not None]


def mask_leaks(text: str, context: int = 2) -> list[str]:
    """Each mask with a little shown context: a string that only occurs if the mask was kept."""
    out: list[str] = []
    pos, plain, spans = 0, [], []
    for m in _MARKS.finditer(text):
        plain.append(text[pos:m.start()])
        start = sum(len(p) for p in plain)
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        plain.append(inner)
        if m.group(1) is not None:
            spans.append((start, start + len(inner)))
        pos = m.end()
    plain.append(text[pos:])
    flat = "".join(plain)
    for start, end in spans:
        leak = normalize_space(flat[max(0, start - context):end + context])
        if leak:
            out.append(leak)
    return out


def parse_seed(text: str) -> tuple[dict[str, str], list[Block]]:
    """Parse an annotated seed file (format described in its header) into metadata and blocks."""
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            meta[key] = value
        elif line == "!blank":
            blocks.append(Block(BLANK))
        elif line == "!page":
            blocks.append(Block(PAGE))
        elif line.startswith("!part "):
            title, _, label = line[len("!part "):].partition("|")
            blocks.append(Block(PART, title, label))
        elif line.startswith("!"):
            tag, _, rest = line.partition(" ")
            if tag not in _TAGS:
                raise ValueError(f"seed line {lineno}: unknown tag {tag!r}")
            blocks.append(Block(_TAGS[tag], rest))
        else:
            blocks.append(Block(SPEECH, line))
    return meta, blocks


def split_pages(blocks: tuple[Block, ...] | list[Block]) -> list[list[Block]]:
    """Blocks grouped by page (PAGE blocks separate pages and are dropped)."""
    pages: list[list[Block]] = [[]]
    for block in blocks:
        if block.kind == PAGE:
            pages.append([])
        else:
            pages[-1].append(block)
    return pages


def split_parts(blocks: tuple[Block, ...] | list[Block]) -> tuple[list[Block], list[tuple[Block, list[Block]]]]:
    """Blocks before the first PART heading, then (heading, blocks) for each part."""
    head: list[Block] = []
    parts: list[tuple[Block, list[Block]]] = []
    for block in blocks:
        if block.kind == PART:
            parts.append((block, []))
        elif parts:
            parts[-1][1].append(block)
        else:
            head.append(block)
    return head, parts
