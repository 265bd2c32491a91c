"""Bits shared by subcommands: help formatting, the data directory option, error reporting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.settings import SPEECHCRAWL_DEFAULTS

if TYPE_CHECKING:
    from corpus.dedup import DedupOptions

DEFAULT_DATA = Path("data")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, help: str,
               description: str, examples: str) -> argparse.ArgumentParser:
    """A subparser whose --help ends with examples (users copy those first)."""
    return sub.add_parser(name, help=help, description=description, epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def add_data_argument(parser: argparse.ArgumentParser, *, default: Any = DEFAULT_DATA,
                      help: str = "data directory (default: ./data)") -> None:
    """``--data DIR``, the same option with the same default on every command that reads or writes one."""
    parser.add_argument("--data", type=Path, default=default, help=help)


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(f"speechcrawl: error: {message}\n")
    return code


_KIND_NAMES = {int: "a whole number", float: "a number", str: "text", bool: "True or False"}


class UsageError(ValueError):
    """A command line that cannot be run as given (exit status 2)."""


def add_set_argument(parser: argparse.ArgumentParser, prefix: str) -> None:
    """``-s NAME=VALUE`` for a command that reads ``prefix``* settings (crawler/settings.py)."""
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help=f"override a {prefix}* setting (see crawler/settings.py)")


def settings_with(pairs: list[str], prefix: str) -> dict[str, Any]:
    """The SPEECHCRAWL_* defaults with ``-s`` overrides of ``prefix``* names, converted to the default's type."""
    values = dict(SPEECHCRAWL_DEFAULTS)
    for item in pairs:
        name, sep, raw = item.partition("=")
        if not sep or not name.startswith(prefix) or name not in values:
            known = ", ".join(sorted(n for n in values if n.startswith(prefix)))
            raise UsageError(f"-s {item!r}: this command takes NAME=VALUE for {known}")
        kind = type(values[name])
        try:
            values[name] = kind(raw)
        except ValueError:
            raise UsageError(f"-s {name}={raw}: expected {_KIND_NAMES.get(kind, kind.__name__)}") from None
    return values


def dedup_options(mode: str | None, threshold: float | None, pairs: list[str]) -> DedupOptions:
    """Duplicate detection as the flags say, else as the SPEECHCRAWL_EXPORT_DEDUP* settings (with ``-s``) say."""
    from corpus.dedup import DedupOptions  # numpy: only for commands that find duplicates

    values = settings_with(pairs, "SPEECHCRAWL_EXPORT_")
    try:
        return DedupOptions(mode=mode or values["SPEECHCRAWL_EXPORT_DEDUP"],  # type: ignore[arg-type]
                            threshold=values["SPEECHCRAWL_EXPORT_DEDUP_THRESHOLD"] if threshold is None else threshold,
                            shingle=values["SPEECHCRAWL_EXPORT_DEDUP_SHINGLE"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
