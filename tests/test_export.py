"""Export-time mask rendering: keep / placeholder rebuilt from strip text + offsets."""

from __future__ import annotations

import pytest

from crawler.export import PLACEHOLDER, render_masks

STRIPPED = "以同志为核心,增长%。"
MASKS = [{"original": "******", "offset": 1, "kind": "star"}, {"original": "X", "offset": 9, "kind": "x"}]


def test_strip_is_identity() -> None:
    assert render_masks(STRIPPED, MASKS, "strip") == (STRIPPED, MASKS)


def test_keep_restores_originals_and_offsets() -> None:
    text, masks = render_masks(STRIPPED, MASKS, "keep")
    assert text == "以******同志为核心,增长X%。"
    for mask in masks:
        assert text[mask["offset"]:mask["offset"] + len(mask["original"])] == mask["original"]


def test_placeholder() -> None:
    text, masks = render_masks(STRIPPED, MASKS, "placeholder")
    assert text == f"以{PLACEHOLDER}同志为核心,增长{PLACEHOLDER}%。"
    assert [text[m["offset"]] for m in masks] == [PLACEHOLDER, PLACEHOLDER]


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown mask mode"):
        render_masks(STRIPPED, MASKS, "blur")
