"""A distributed crawl in Redis: seeding it, the options every worker crawls with, and its state.

``speechcrawl crawl SITE… --redis URL`` stores the crawl's options (the same CrawlOptions a local
crawl has, minus what is each machine's own: the data dir, the progress line) and puts the start
requests in the frontier.  A worker builds its settings from those options with
:func:`crawler.options.crawl_settings`, as a local crawl does, so every worker crawls with the
same profiles, User-Agent, limits and ``-s`` overrides.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.distributed.dupefilter import Seen
from crawler.distributed.frontier import seed_start_requests
from crawler.distributed.keys import CRAWLS, CrawlKeys
from crawler.options import CrawlOptions, crawl_settings

if TYPE_CHECKING:
    import redis
    from scrapy.settings import Settings

    from spiders.profiles import SiteProfile

__all__ = ["seed_crawl", "stored_options", "worker_settings", "SiteState", "crawl_state", "LOCAL_FIELDS"]

LOCAL_FIELDS = ("data_dir", "progress")
"""CrawlOptions each machine decides for itself; everything else is the crawl's."""


def _document(options: CrawlOptions, targets: Sequence[str], sites: Sequence[str]) -> dict[str, Any]:
    shared = {f.name: getattr(options, f.name) for f in fields(options) if f.name not in LOCAL_FIELDS}
    shared["profiles_dir"] = str(options.profiles_dir) if options.profiles_dir else None
    shared["origins"], shared["overrides"] = dict(options.origins), dict(options.overrides)
    return {"options": shared, "targets": list(targets), "sites": list(sites), "seeded_at": time.time()}


def seed_crawl(server: redis.Redis, crawl_id: str, options: CrawlOptions, targets: Sequence[str],
               profiles: Sequence[SiteProfile]) -> int:
    """Store the crawl's options, queue its start requests, list it for the workers; the requests queued now.

    Seeding an existing crawl again (``--resume``) keeps its options and frontier: only start
    requests the dupefilter has not seen are queued, and the sites' "over" marks are lifted so
    workers pick it up again.
    """
    keys = CrawlKeys(crawl_id)
    document = _document(options, targets, [p.name for p in profiles])
    if not server.set(keys.options, json.dumps(document, default=str), nx=True) and options.resume:
        # Resumed: the first seeding's options stand, now with --resume (workers skip documents already stored).
        stored = json.loads(server.get(keys.options) or "{}")
        stored["options"]["resume"] = True
        stored["seeded_at"] = time.time()  # --max-duration counts from the resumption, as a local --resume does
        server.set(keys.options, json.dumps(stored, default=str))
    # The stored options decide the kind of dupefilter, as they do for every worker (a resume keeps the first's).
    stored = stored_options(server, crawl_id) or document
    seen = Seen.from_settings(_settings(stored, crawl_id, data_dir=options.data_dir))
    count = seed_start_requests(server, crawl_id, profiles, seen)
    if options.resume:
        server.delete(*(key for p in profiles for key in (keys.site(p.name).done, keys.site(p.name).pages,
                                                            keys.site(p.name).stopped)))
    server.sadd(CRAWLS, crawl_id)
    return count


def stored_options(server: redis.Redis, crawl_id: str) -> dict[str, Any] | None:
    raw = server.get(CrawlKeys(crawl_id).options)
    return json.loads(raw) if raw else None


def _settings(document: dict[str, Any], crawl_id: str, *, data_dir: Path) -> Settings:
    """The crawl's options (as stored) through crawl_settings."""
    shared = dict(document["options"])
    shared["profiles_dir"] = Path(shared["profiles_dir"]) if shared.get("profiles_dir") else None
    shared["crawl_id"] = crawl_id
    return crawl_settings(CrawlOptions(**shared, data_dir=data_dir, progress=False))


def worker_settings(document: dict[str, Any], crawl_id: str, *, data_dir: Path, redis_url: str,
                    worker_id: str) -> Settings:
    """One worker's settings for the crawl: the crawl's options through crawl_settings, plus who it is."""
    settings = _settings(document, crawl_id, data_dir=data_dir)
    settings.setdict({"SPEECHCRAWL_REDIS_URL": redis_url, "SPEECHCRAWL_WORKER_ID": worker_id}, "cmdline")
    # --max-pages and --max-duration are the crawl's, not each worker's (crawler.distributed.limits).
    priority = max(settings.getpriority("CLOSESPIDER_PAGECOUNT") or 0, settings.getpriority("CLOSESPIDER_TIMEOUT") or 0)
    settings.setdict({"SPEECHCRAWL_CRAWL_MAX_PAGES": settings.getint("CLOSESPIDER_PAGECOUNT"),
                      "SPEECHCRAWL_CRAWL_MAX_DURATION": settings.getfloat("CLOSESPIDER_TIMEOUT"),
                      "SPEECHCRAWL_CRAWL_STARTED_AT": float(document.get("seeded_at") or 0),
                      "CLOSESPIDER_PAGECOUNT": 0, "CLOSESPIDER_TIMEOUT": 0}, max(priority, 40))
    return settings


@dataclass
class SiteState:
    site: str
    queued: int
    leased: int
    over: bool


def crawl_state(server: redis.Redis, crawl_id: str) -> tuple[list[SiteState], dict[str, float]]:
    """Per site: requests queued, leases held, whether it is over; and each worker's last sign of life."""
    keys = CrawlKeys(crawl_id)
    document = stored_options(server, crawl_id) or {"sites": []}
    states = []
    for site in document["sites"]:
        k = keys.site(site)
        states.append(SiteState(site, int(server.zcard(k.requests)), int(server.zcard(k.leases)),
                                bool(server.exists(k.done))))
    alive = {(w.decode() if isinstance(w, bytes) else w): float(t) for w, t in server.hgetall(keys.workers).items()}
    return states, alive
