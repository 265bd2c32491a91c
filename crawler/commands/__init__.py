"""CLI subcommands, one module per noun; each exposes ``register(subparsers)``.

A command's module is imported only when the parser needs it: ``speechcrawl archive verify``
imports the archive command alone, not the crawler, the catalog and the schedules every other
command stands on (50 ms of each run's start-up, docs/benchmarks.md).
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMAND_MODULES: dict[str, str] = {
    "crawl": "crawl", "crawls": "crawls", "export": "export", "stats": "stats", "schema": "schema",
    "demo": "demo", "clean": "clean", "quality": "quality", "sandbox": "sandbox", "schedule": "schedule",
    "scheduler": "schedule", "site": "site", "archive": "archive", "reprocess": "reprocess", "replay": "replay",
    "completion": "completion", "report": "report", "serve": "serve", "worker": "worker", "ingest": "ingest",
}
"""Each command name to the module (under crawler.commands) that registers it, in ``--help`` order."""


def command_modules(command: str | None = None) -> list[ModuleType]:
    """The module that registers ``command``, or every command module when it is None or unknown."""
    names = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else list(dict.fromkeys(COMMAND_MODULES.values()))
    return [importlib.import_module(f"crawler.commands.{name}") for name in names]
