"""Crawls shared by several worker processes or machines through one Redis (docs/distributed.md).

The frontier and dupefilter are scrapy-redis's; what it lacks is added around it here: leases on
dequeued requests, waiting out Redis outages, politeness per host across workers, and one stream
of cleaned records that a single writer puts into the catalog.
"""
