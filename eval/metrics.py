"""Character-bigram precision/recall/F1, the score used for main-text extraction on Chinese pages.

Whitespace is removed first: paragraph breaks and indentation differ between extractors and gold
files without changing what a reader gets.  The functions live in crawler.quality (the installed
``speechcrawl quality`` command needs them); they are re-exported here for the evaluation scripts.
"""

from __future__ import annotations

from crawler.quality import bigram_f1, bigram_prf, bigrams

__all__ = ["bigrams", "bigram_prf", "bigram_f1"]
