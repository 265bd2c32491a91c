"""Scoring generic mode and encoding detection on the 22 real Chinese pages.

The pages (tests/fixtures/realpages, original bytes, many GBK) come with hand-made
gold main text.  Each is decoded with :func:`cleaners.decode_html` — no charset
hint, as a crawler meets them — cleaned with ``rules=None`` and compared to its
gold by character-bigram F1.  trafilatura's score on the same decoded text is
reported beside ours, because "better than the usual tool" is the claim to check.
The corpus is pinned by a sha256 over file names and bytes, so that a floor is
never compared with a score from different pages.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from cleaners import Page, clean, decode_html
from quality.metrics import bigram_prf

__all__ = ["REALPAGES_DIR", "corpus_sha", "score_realpages"]

logger = logging.getLogger(__name__)

REALPAGES_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "realpages"
_MOJIBAKE_RECALL = 0.8
"""A decoded page that holds less of its own gold than this was decoded with the wrong codec."""


def corpus_sha(directory: Path = REALPAGES_DIR) -> str:
    """sha256 over every page and gold file (name and bytes), in name order."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.html")) + sorted(directory.glob("*.gold.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _pages(directory: Path) -> list[tuple[str, bytes, str]]:
    out = []
    for html_path in sorted(directory.glob("*.html")):
        gold_path = html_path.with_name(html_path.stem + ".gold.txt")
        if gold_path.exists():
            out.append((html_path.stem, html_path.read_bytes(), gold_path.read_text(encoding="utf-8")))
    if not out:
        raise FileNotFoundError(f"no *.html with *.gold.txt in {directory}")
    return out


def _trafilatura(text: str) -> str:
    import trafilatura  # imported here: only the comparison needs it

    return trafilatura.extract(text) or ""


def score_realpages(directory: Path = REALPAGES_DIR, *, compare: bool = True) -> dict[str, Any]:
    """Per-page and mean F1 of generic mode (and of trafilatura when ``compare``)."""
    per_page: dict[str, dict[str, Any]] = {}
    ours_time = theirs_time = 0.0
    for name, body, gold in _pages(directory):
        decoded = decode_html(body)
        text = decoded.text or ""
        started = time.perf_counter()
        result = clean([Page(url=f"file:///{name}.html", html=text)])
        ours_time += time.perf_counter() - started
        extracted = "\n".join(r.text for r in result.records)
        precision, recall, f1 = bigram_prf(extracted, gold)
        entry: dict[str, Any] = {
            "encoding": decoded.encoding, "replaced": decoded.replaced, "f1": round(f1, 4),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "mojibake": decoded.text is None or bigram_prf(text, gold)[1] < _MOJIBAKE_RECALL,
        }
        if compare:
            started = time.perf_counter()
            entry["trafilatura_f1"] = round(bigram_prf(_trafilatura(text), gold)[2], 4)
            theirs_time += time.perf_counter() - started
        per_page[name] = entry
    n = len(per_page)
    report: dict[str, Any] = {
        "corpus_sha": corpus_sha(directory),
        "pages": n,
        "mean_f1": round(sum(p["f1"] for p in per_page.values()) / n, 4),
        "min_f1": min(p["f1"] for p in per_page.values()),
        "mojibake": sum(1 for p in per_page.values() if p["mojibake"]),
        "seconds": round(ours_time, 3),
        "per_page": per_page,
    }
    if compare:
        report["trafilatura_mean_f1"] = round(sum(p["trafilatura_f1"] for p in per_page.values()) / n, 4)
        report["trafilatura_seconds"] = round(theirs_time, 3)
    logger.info("real pages: mean F1 %.4f over %d pages", report["mean_f1"], n)
    return report
