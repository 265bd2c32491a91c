"""Recurring crawls: schedules in the catalog, the loop that starts them, and how a crawl is launched.

- :mod:`crawler.scheduling.store` — schedules and their runs in the catalog, slots in time;
- :mod:`crawler.scheduling.loop` — the scheduler loop and its per-data-dir lock;
- :mod:`crawler.scheduling.launchers` — a crawl as a child process or as a Scrapyd job;
- :mod:`crawler.scheduling.manage` — what the ``schedule`` and ``scheduler`` commands call.
"""
