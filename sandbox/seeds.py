"""Seed loading and the sentence pools generated speeches are built from.

The five annotated seeds ship with the package (``data/seed_<site>.txt``); their speech paragraphs
are cut into sentences, headings and closings, and generated articles are assembled from those
pools.  Everything here is pure and cached, so building a page from its index stays cheap.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sandbox.model import SPEECH, Block, parse_seed, shown

logger = logging.getLogger(__name__)

__all__ = ["DATA_DIR", "SEED_SITES", "Pools", "load_seed", "pools"]

DATA_DIR = Path(__file__).parent / "data"
SEED_SITES = ("wenmi", "fanwen", "wendang", "sucai", "ribao")
_SENTENCE = re.compile(r"[^。!?;]+[。!?;]")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|●|第[一二三四五六七八九十]+[,、]|\d{1,2}(?=\D))")
_HEADING_END = re.compile(r"[。!?;]$")
_BAD_START = ",、;:。”’)"


@cache
def load_seed(site: str) -> tuple[dict[str, str], tuple[Block, ...]]:
    """Metadata and blocks of one site's seed article (read once per process)."""
    if site not in SEED_SITES:
        raise KeyError(f"no seed for site {site!r}")
    text = (DATA_DIR / f"seed_{site}.txt").read_text(encoding="utf-8")
    meta, blocks = parse_seed(text)
    logger.debug("loaded seed %s: %d blocks", site, len(blocks))
    return meta, tuple(blocks)


@dataclass(frozen=True)
class Pools:
    """Material for generated speeches, all taken from the seeds' speech paragraphs."""

    runs: tuple[tuple[str, ...], ...]
    """Sentences of one seed paragraph, in order; windows of a run make coherent paragraphs."""
    headings: tuple[str, ...]
    """Section headings without their ordinal ("充分认识新形势下加快推进开发区发展的重大意义")."""
    closings: tuple[str, ...]
    """Closing paragraphs ("同志们,…")."""
    places: tuple[str, ...]
    """Place names that occur in the pool text (what masks hide)."""


def _clean_sentences(text: str) -> list[str]:
    """Sentences of a paragraph that carry no mask or ad mark and read like speech."""
    out = []
    for sentence in _SENTENCE.findall(text.strip()):
        sentence = sentence.strip()
        if "⟦" in sentence or "⟪" in sentence or not 8 <= len(sentence) <= 220 or sentence[0] in _BAD_START:
            continue
        out.append(sentence)
    return out


@cache
def pools() -> Pools:
    """Build the pools from all five seeds (once per process)."""
    runs: list[tuple[str, ...]] = []
    headings: set[str] = set()
    closings: list[str] = []
    for site in SEED_SITES:
        for block in load_seed(site)[1]:
            if block.kind != SPEECH:
                continue
            text = block.text.strip()
            if len(text) <= 40 and "⟦" not in text and "⟪" not in text:
                body = _ORDINAL.sub("", text).strip()
                numbered = body != text or not _HEADING_END.search(text)
                body = body.rstrip("。")
                if numbered and 6 <= len(body) <= 38 and not body.startswith(("——", "最后")) and not any(
                        word in body for word in ("同志们", "谢谢", ":")):
                    headings.add(body)
                continue
            if text.startswith("同志们,") and "⟦" not in text and "⟪" not in text and len(text) < 400:
                closings.append(shown(text))
                continue
            sentences = _clean_sentences(text)
            if len(sentences) >= 2:
                runs.append(tuple(sentences))
    places = ("焦作", "荆州", "湖州", "晋江", "吉林", "郑州", "燕郊", "昆山", "扬州", "佛山", "徐州", "杭州",
              "深圳", "成都", "南通", "武汉", "洛阳", "湖北", "河南", "荆楚")
    logger.debug("pools: %d runs, %d headings, %d closings", len(runs), len(headings), len(closings))
    return Pools(runs=tuple(runs), headings=tuple(sorted(headings)), closings=tuple(closings), places=places)

