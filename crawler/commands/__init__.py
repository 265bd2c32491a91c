"""CLI subcommands, one module per noun; each exposes ``register(subparsers)``."""

from __future__ import annotations

from types import ModuleType

from crawler.commands import clean, crawl, demo, export, sandbox, schema, stats

COMMANDS: list[ModuleType] = [crawl, export, stats, schema, demo, clean, sandbox]
