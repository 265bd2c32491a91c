"""The ``speechcrawl`` command: thin subcommands over importable functions.

Exit codes: 0 success, 1 a check found problems or the job failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from crawler.commands import COMMANDS

__all__ = ["main", "build_parser"]

DESCRIPTION = """\
speechcrawl: archival crawler for Chinese speech texts (讲话稿, 范文).

Crawl template sites with one TOML profile per site, keep every fetch as WARC,
clean speeches into text + metadata, export research-ready JSONL.

quick start:
  speechcrawl demo                      # sandbox -> crawl -> WARC -> clean -> JSONL
  speechcrawl crawl wenmi --data data   # crawl one profiled site
  speechcrawl export --data data --out speeches.jsonl
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="speechcrawl", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def _configure_logging(level: int) -> None:
    """One stderr handler; its level (not the root's) filters, because Scrapy sets its loggers to DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.root.addHandler(handler)
    logging.root.setLevel(min(level, logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # Everything after the first "--" is handed to the command untouched (``schedule add SITE … -- CRAWL
    # OPTIONS``): argparse cannot take options for another command after a positional.
    words = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in words:
        at = words.index("--")
        words, passthrough = words[:at], words[at + 1:]
    args = parser.parse_args(words)
    if passthrough and not hasattr(args, "passthrough"):
        parser.error(f"arguments after -- are not taken by this command: {' '.join(passthrough)}")
    if hasattr(args, "passthrough"):
        args.passthrough = passthrough
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    _configure_logging(logging.WARNING - 10 * min(args.verbose, 2))
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
