"""How good the output is: scores against gold, the quality gate, and the crawl health monitors.

- :mod:`quality.metrics` — character-bigram precision/recall/F1, the score for Chinese main text;
- :mod:`quality.scoring` — the sandbox sites scored against their gold records (``speechcrawl quality``);
- :mod:`quality.realpages` — generic mode and charset detection on real pages with hand-made gold;
- :mod:`quality.gate` — floors that scores may never fall below (``python -m quality.gate``, run by the suite);
- :mod:`quality.table` — the tables in docs/quality.md;
- :mod:`quality.health` — a crawl's counters judged against thresholds and the previous crawl.
"""
