"""Bits shared by subcommands: help formatting, the data directory option, error reporting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

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
