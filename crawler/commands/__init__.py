"""CLI subcommands, one module per noun; each exposes ``register(subparsers)``."""

from __future__ import annotations

from types import ModuleType

from crawler.commands import archive, clean, crawl, demo, export, replay, reprocess, sandbox

COMMANDS: list[ModuleType] = [crawl, export, demo, clean, sandbox, archive, reprocess, replay]
