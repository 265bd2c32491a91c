"""CLI subcommands, one module per noun; each exposes ``register(subparsers)``."""

from __future__ import annotations

from types import ModuleType

from crawler.commands import (
    archive,
    clean,
    crawl,
    crawls,
    demo,
    export,
    quality,
    replay,
    reprocess,
    sandbox,
    schedule,
    site,
)

COMMANDS: list[ModuleType] = [crawl, crawls, export, demo, clean, quality, sandbox, schedule, site, archive,
                              reprocess, replay]
