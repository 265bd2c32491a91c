"""Scoring the cleaners on the sandbox sites (kept here for the gate; the code lives in crawler.quality).

``speechcrawl quality`` and ``python -m eval.gate --sandbox`` share one implementation, so that
the table a maintainer reads and the floors the suite enforces can never disagree.
"""

from __future__ import annotations

from crawler.quality import META_FIELDS, score_sandbox, score_site

__all__ = ["META_FIELDS", "score_sandbox", "score_site"]
