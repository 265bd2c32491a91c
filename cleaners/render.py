"""Rendering a record's paragraphs into ``text`` and ``masks`` under a mask mode.

The default form is "strip": mask characters removed, whitespace re-collapsed,
each mask's offset being where it was removed.  "keep" and "placeholder" show
the page's own text.  :func:`render_masks` turns a stored strip-mode record into
the other modes by inserting each original (or ``PLACEHOLDER``) at its offset —
what the exporter does; it equals a direct rendering except where a mask touched
a space or two masks touched each other.

Stripping can bring characters together that form a new mask (``_*_`` → ``__``);
the strip is repeated until nothing is found, which makes cleaning idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cleaners.blocks import Para, Span
from cleaners.masks import mask_spans
from cleaners.types import Mask, MaskMode

__all__ = ["PLACEHOLDER", "render_text", "render_masks"]

PLACEHOLDER = "□"
"""What each mask becomes under ``placeholder`` (one character, whatever the mask's length)."""
_MAX_PASSES = 4


def _strip_line(line: str, spans: Sequence[Span]) -> tuple[str, Callable[[int], int]]:
    """``line`` without the spans, whitespace re-collapsed; and old index -> new index."""
    pieces, pos = [], 0
    for span in spans:
        pieces.append(line[pos:span.start])
        pos = span.end
    pieces.append(line[pos:])
    joined = "".join(pieces)
    if "  " not in joined and not joined.startswith(" ") and not joined.endswith(" "):
        return joined, _mapper([(s.start, s.end) for s in spans])
    return _strip_slow(line, spans)


def _mapper(removed: Sequence[tuple[int, int]]) -> Callable[[int], int]:
    """Old index -> new index once the (sorted, disjoint) ``removed`` intervals are gone."""
    def new_index(pos: int) -> int:
        shift = 0
        for start, end in removed:
            if start >= pos:
                break
            shift += min(end, pos) - start
        return pos - shift
    return new_index


def _strip_slow(line: str, spans: Sequence[Span]) -> tuple[str, Callable[[int], int]]:
    """The general case: removing a mask left doubled, leading or trailing spaces."""
    masked = bytearray(len(line))
    for span in spans:
        masked[span.start:span.end] = b"\x01" * (span.end - span.start)
    spaces: list[int] = []
    prev_space, last_kept = True, -1
    for i, ch in enumerate(line):
        if masked[i]:
            continue
        if ch == " " and prev_space:
            spaces.append(i)
            continue
        prev_space = ch == " "
        last_kept = i
    if last_kept >= 0 and line[last_kept] == " ":
        spaces.append(last_kept)
    removed = sorted([(s.start, s.end) for s in spans] + [(i, i + 1) for i in spaces])
    drop = set(spaces)
    text = "".join(ch for i, ch in enumerate(line) if not masked[i] and i not in drop)
    return text, _mapper(removed)


def _strip_paragraph(text: str, spans: Sequence[Span], form: bool = False) -> tuple[str, list[tuple[int, str, str]]]:
    """Strip-mode text of one paragraph and its masks as (offset, original, kind)."""
    found: list[tuple[int, str, str]] = []
    for _ in range(_MAX_PASSES):
        if not spans:
            break
        new_text, index = _strip_line(text, spans)
        found = [(index(o), orig, kind) for o, orig, kind in found]
        found.extend((index(s.start), text[s.start:s.end], s.kind) for s in spans)
        text = new_text
        spans = mask_spans(text, form)
    found.sort(key=lambda m: m[0])
    return text, found


def _shown_paragraph(text: str, spans: Sequence[Span], mode: MaskMode) -> tuple[str, list[tuple[int, str, str]]]:
    """A paragraph under "keep" or "placeholder": the page's text, masks left or replaced."""
    if mode == "keep":
        return text, [(s.start, text[s.start:s.end], s.kind) for s in spans]
    pieces, found, pos, out_len = [], [], 0, 0
    for span in spans:
        piece = text[pos:span.start]
        pieces += [piece, PLACEHOLDER]
        out_len += len(piece)
        found.append((out_len, text[span.start:span.end], span.kind))
        out_len += len(PLACEHOLDER)
        pos = span.end
    pieces.append(text[pos:])
    return "".join(pieces), found


def render_text(paras: Sequence[Para], mode: MaskMode = "strip") -> tuple[str, tuple[Mask, ...]]:
    """Text (kept paragraphs joined by newlines) and its masks, offsets into that text.

    "strip" is computed as described in the module docstring; "keep" and
    "placeholder" show each paragraph as the page did, with the masks left in or
    replaced, so that nothing (not even spacing around a mask) differs from the page.
    """
    if mode not in ("strip", "keep", "placeholder"):
        raise ValueError(f"unknown mask mode {mode!r} (strip, keep, placeholder)")
    lines: list[str] = []
    masks: list[Mask] = []
    length = 0
    for para in paras:
        if para.removed is not None:
            continue
        if mode == "strip":
            text, found = _strip_paragraph(para.text, para.masks, para.form) if para.masks else (para.text, [])
        else:
            text, found = _shown_paragraph(para.text, para.masks, mode)
        base = length + (1 if lines and text else 0)
        for offset, original, kind in found:
            masks.append(Mask(original=original, offset=base + offset if text else length, kind=kind))
        if text:
            lines.append(text)
            length = base + len(text)
    return "\n".join(lines), tuple(masks)


def render_masks(text: str, masks: Sequence[Mask], mode: MaskMode) -> tuple[str, tuple[Mask, ...]]:
    """Strip-mode ``text`` and ``masks`` as they read under ``mode``."""
    if mode == "strip" or not masks:
        return text, tuple(masks)
    if mode not in ("keep", "placeholder"):
        raise ValueError(f"unknown mask mode {mode!r} (strip, keep, placeholder)")
    out: list[str] = []
    rendered: list[Mask] = []
    cursor = shift = 0
    for mask in sorted(masks, key=lambda m: m.offset):
        out.append(text[cursor:mask.offset])
        token = mask.original if mode == "keep" else PLACEHOLDER
        rendered.append(Mask(original=mask.original, offset=mask.offset + shift, kind=mask.kind))
        out.append(token)
        shift += len(token)
        cursor = mask.offset
    out.append(text[cursor:])
    return "".join(out), tuple(rendered)
