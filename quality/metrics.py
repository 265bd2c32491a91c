"""Character-bigram precision/recall/F1, the score used for main-text extraction on Chinese pages.

Whitespace is removed first: paragraph breaks and indentation differ between extractors and gold
files without changing what a reader gets.  Every score in speechcrawl (``speechcrawl quality``,
the gate, the site checks, the benchmarks) is computed here.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["bigrams", "bigram_prf", "bigram_f1"]


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of ``text`` without whitespace (line breaks and indentation do not count)."""
    chars = "".join(text.split())
    return Counter(chars[i:i + 2] for i in range(len(chars) - 1))


def bigram_prf(candidate: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, f1) over multisets of character bigrams, the usual score for Chinese text."""
    cand, ref = bigrams(candidate), bigrams(gold)
    if not cand and not ref:
        return 1.0, 1.0, 1.0
    overlap = sum((cand & ref).values())
    precision = overlap / sum(cand.values()) if cand else 0.0
    recall = overlap / sum(ref.values()) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def bigram_f1(candidate: str, gold: str) -> float:
    return bigram_prf(candidate, gold)[2]
