"""Issue 19's dev set and real pages, generic mode: per-page and per-kind F1 floors, metadata, no leaks.

tests/fixtures/devset holds pages of the seven kinds generic cleaning used to get wrong (blog comment
threads, BBS replies, hidden duplicate copies, leads outside the body with promo boxes inside, notices
continuing in tables, worksheets with fill-in blanks, reprints with source lines and marked titles)
and unseen speech-site templates, each with gold text (and gold metadata for speeches).  The floors
are what the cleaners reach, a little below, so that any regression fails.  tests/fixtures/realpages
are the 22 real pages (docs/quality.md).  Scoring: character-bigram F1 without whitespace.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

import pytest

from cleaners import CleanResult, Page, clean, decode_html
from quality.metrics import bigram_prf

FIXTURES = Path(__file__).parent / "fixtures"
DEVSET = FIXTURES / "devset"
HELDOUT = DEVSET / "heldout"
REALPAGES = FIXTURES / "realpages"
META_FIELDS = ("title", "speaker", "speaker_title", "occasion", "date", "source")

PAGE_FLOOR = 0.98
KIND_FLOOR = 0.99
DEV_MEAN_FLOOR = 0.995
REAL_MEAN_FLOOR = 0.98
REAL_MIN_FLOOR = 0.90
HELDOUT_MEAN_FLOOR = 0.98  # its one honest measurement was 0.9879 (docs/quality.md); a guard, not a target


def _index(folder: Path) -> dict[str, dict[str, Any]]:
    doc: dict[str, dict[str, Any]] = json.loads((folder / "devset.json").read_text("utf-8"))
    return {k: v for k, v in doc.items() if not k.startswith("_")}


DEV = _index(DEVSET)
KINDS = sorted({case["kind"] for case in DEV.values()})


@cache
def _clean(folder: Path, name: str) -> CleanResult:
    case = _index(folder)[name]
    pages = []
    for file in case["pages"]:
        decoded = decode_html((folder / file).read_bytes())
        assert decoded.text is not None, decoded.reason
        pages.append(Page(url=f"http://devset.test/{file}", html=decoded.text))
    return clean(pages)


@cache
def _f1(folder: Path, name: str) -> float:
    text = "\n".join(r.text for r in _clean(folder, name).records)
    return bigram_prf(text, (folder / f"{name}.gold.txt").read_text("utf-8"))[2]


def test_devset_covers_every_kind_with_five_templates() -> None:
    for kind in KINDS:
        templates = {case["template"] for case in DEV.values() if case["kind"] == kind}
        assert len(templates) >= 5, f"{kind}: {len(templates)} templates"
    assert {"comments", "bbs", "hidden", "lead", "table", "blanks", "source", "speech"} <= set(KINDS)


@pytest.mark.parametrize("name", sorted(DEV))
def test_devset_page_floor(name: str) -> None:
    assert _f1(DEVSET, name) >= PAGE_FLOOR


@pytest.mark.parametrize("kind", KINDS)
def test_devset_kind_floor(kind: str) -> None:
    scores = [_f1(DEVSET, name) for name, case in DEV.items() if case["kind"] == kind]
    assert mean(scores) >= KIND_FLOOR, f"{kind}: {mean(scores):.4f}"


def test_devset_mean_floor() -> None:
    assert mean(_f1(DEVSET, name) for name in DEV) >= DEV_MEAN_FLOOR


@pytest.mark.parametrize("name", sorted(n for n, c in DEV.items() if "meta" in c))
def test_devset_speech_metadata_exact(name: str) -> None:
    record = _clean(DEVSET, name).records[0]
    got = {f: getattr(record, f) for f in META_FIELDS}
    assert got == {f: DEV[name]["meta"].get(f) for f in META_FIELDS}


@pytest.mark.parametrize("name", sorted(n for n, c in DEV.items() if c.get("without")))
def test_devset_no_leaks(name: str) -> None:
    text = "\n".join(r.text for r in _clean(DEVSET, name).records)
    leaked = [s for s in DEV[name]["without"] if s in text]
    assert not leaked


def test_fill_in_blanks_stay_text_and_masks_stay_masks() -> None:
    """A worksheet keeps its blanks (54 of them were stripped as masks); a masked name is still a mask."""
    record = _clean(DEVSET, "k6-chinese").records[0]
    assert "是一把______的钥匙" in record.text and not record.masks
    page = "<html><body><div class='c'><p>同志们：</p><p>我们要落实好党的十八届__精神，深入学习领会，切实把思想和行动统一到" \
           "中央的决策部署上来，推动各项工作不断取得新成效，为全面建设社会主义现代化国家作出新的更大贡献。</p>" \
           "<p>各级党组织要把学习贯彻工作抓紧抓实，确保取得实效。</p></div></body></html>"
    speech = clean([Page(url="http://devset.test/mask.html", html=page)]).records[0]
    assert "十八届精神" in speech.text and [m.original for m in speech.masks] == ["__"]


def _real_f1(stem: str) -> float:
    decoded = decode_html((REALPAGES / f"{stem}.html").read_bytes())
    result = clean([Page(url=f"file:///{stem}.html", html=decoded.text or "")])
    text = "\n".join(r.text for r in result.records)
    return bigram_prf(text, (REALPAGES / f"{stem}.gold.txt").read_text("utf-8"))[2]


def test_real_pages_mean_and_lowest() -> None:
    scores = {p.name.removesuffix(".html"): _real_f1(p.name.removesuffix(".html"))
              for p in sorted(REALPAGES.glob("*.html"))}
    assert len(scores) == 22
    assert mean(scores.values()) >= REAL_MEAN_FLOOR, f"mean {mean(scores.values()):.4f}"
    assert min(scores.values()) >= REAL_MIN_FLOOR, f"lowest {min(scores.items(), key=lambda kv: kv[1])}"


def test_heldout_floor() -> None:
    """The held-out pages (never tuned on) may not get worse than their one honest measurement."""
    names = _index(HELDOUT)
    assert len({c["kind"] for c in names.values()}) >= 7
    assert mean(_f1(HELDOUT, name) for name in names) >= HELDOUT_MEAN_FLOOR
