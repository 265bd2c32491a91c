"""The corpus: the catalog of crawls, fetches and records, and everything researchers get out of it.

- :mod:`corpus.catalog` — the SQLite catalog (crawls, fetches, failures, records, schedules) and its migrations;
- :mod:`corpus.history` — record versions over re-crawls, gone pages, per-URL fetch history;
- :mod:`corpus.records` — a fetched document cleaned into export records;
- :mod:`corpus.selection` — which records an export or a figure covers (filters);
- :mod:`corpus.dedup` and :mod:`corpus.minhash` — exact and near-duplicate clusters;
- :mod:`corpus.export` with :mod:`corpus.formats` (JSONL, Parquet), :mod:`corpus.schema`, :mod:`corpus.card`;
- :mod:`corpus.stats` — per-site figures;
- :mod:`corpus.rebuild` — the catalog rebuilt from WARC files alone (``speechcrawl reprocess``).

The corpus never imports Scrapy or the crawler: it reads and writes the catalog, the cleaners
and the archive (tests/test_dependencies.py).
"""
