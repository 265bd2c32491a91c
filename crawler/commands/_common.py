"""Bits shared by subcommands: help formatting, the data directory option, error reporting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.options import int_arg
from crawler.settings import SPEECHCRAWL_DEFAULTS

if TYPE_CHECKING:
    from corpus.dedup import DedupOptions

DEFAULT_DATA = Path("data")


def add_verbosity_arguments(parser: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    """``-v/-q``, on the main parser and again on every subcommand, so both ``-v crawl`` and ``crawl -v`` work.

    Subcommands default to SUPPRESS: a flag not given after the subcommand keeps the one given before it.
    """
    parser.add_argument("-v", "--verbose", action="count", default=default, help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="count", default=default, help="only errors (-qq: nothing but "
                                                                               "critical errors)")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, help: str,
               description: str, examples: str) -> argparse.ArgumentParser:
    """A subparser whose --help ends with examples (users copy those first), taking ``-v/-q`` too."""
    parser = sub.add_parser(name, help=help, description=description, epilog="examples:\n" + examples,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_verbosity_arguments(parser)
    return parser


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """``--json``: the same rows as the table, as JSON on stdout (shapes in docs/cli.md)."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table (shape: docs/cli.md)")


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    """``--progress/--no-progress``: a progress line on stderr, by default only when stderr is a terminal."""
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress line on stderr (default: only on a terminal)")


def add_out_argument(parser: argparse.ArgumentParser, *, help: str, required: bool = False,
                     default: Path | None = None) -> None:
    """``-o/--out``, the one spelling of every option that names what a command writes."""
    parser.add_argument("-o", "--out", type=Path, required=required, default=default, metavar="PATH", help=help)


def existing_catalog(data: Path) -> Path:
    """``DATA/catalog.sqlite`` if it exists and opens; else a CatalogError naming it and what to do.

    For commands that only read the catalog: they never create one (a mistyped --data leaves nothing).
    """
    from corpus.catalog import CATALOG_NAME, open_existing

    path = data / CATALOG_NAME
    open_existing(path).close()
    return path


def check_catalog_if_present(data: Path) -> None:
    """For commands that write the catalog: a damaged one fails up front, with the path and the fix."""
    from corpus.catalog import CATALOG_NAME

    if (data / CATALOG_NAME).exists():
        existing_catalog(data)


def add_data_argument(parser: argparse.ArgumentParser, *, default: Any = DEFAULT_DATA,
                      help: str = "data directory (default: ./data)") -> None:
    """``--data DIR``, the same option with the same default on every command that reads or writes one."""
    parser.add_argument("--data", type=Path, default=default, metavar="DIR", help=help)


positive_int = int_arg(1, rule="must be 1 or more")
"""argparse type: a whole number of at least 1 (a count of articles, runs …)."""
port_number = int_arg(0, 65535, rule="a port is 0 (any free port) to 65535", noun="a port number")
"""argparse type: a TCP port, 0 (any free port) to 65535."""


def fail(message: str, code: int = 1) -> int:
    """One line on stderr, the exit status returned: the CLI's only way to report an error."""
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
