"""CLI subcommands, one module per noun; each exposes ``register(subparsers)``."""

from __future__ import annotations

from types import ModuleType

from crawler.commands import (
    archive,
    clean,
    completion,
    crawl,
    crawls,
    demo,
    export,
    ingest,
    quality,
    replay,
    report,
    reprocess,
    sandbox,
    schedule,
    schema,
    serve,
    site,
    stats,
    worker,
)

COMMANDS: list[ModuleType] = [crawl, crawls, export, stats, schema, demo, clean, quality, sandbox, schedule, site,
                              archive, reprocess, replay, completion, report, serve, worker, ingest]
