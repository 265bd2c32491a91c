"""Bits shared by subcommands: help formatting and error reporting."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, help: str,
               description: str, examples: str) -> argparse.ArgumentParser:
    """A subparser whose --help ends with examples (users copy those first)."""
    return sub.add_parser(name, help=help, description=description, epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(f"speechcrawl: error: {message}\n")
    return code
