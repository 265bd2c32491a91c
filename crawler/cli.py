"""The ``speechcrawl`` command: thin subcommands over importable functions.

Exit codes: 0 success, 1 a check found problems or the job failed, 2 usage error.
Conventions every subcommand follows (``-v/-q`` anywhere, ``--data``, ``-o/--out``, ``--json``,
``--no-progress``, examples at the end of ``--help``) are described in docs/cli.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from crawler.commands import command_modules
from crawler.commands._common import UsageError, add_verbosity_arguments, fail

__all__ = ["main", "build_parser"]

DESCRIPTION = """\
speechcrawl: archival crawler for Chinese speech texts (讲话稿, 范文).

Crawl template sites with one TOML profile per site, keep every fetch as WARC,
clean speeches into text + metadata, export research-ready JSONL.

quick start:
  speechcrawl demo                      # sandbox -> crawl -> WARC -> clean -> JSONL
  speechcrawl crawl https://www.example.gov.cn/zwgk/ldjh/ --contact mailto:you@example.org
  speechcrawl export --data data --out speeches.jsonl

The bundled profiles (wenmi, fanwen, wendang, sucai, ribao) describe the local sandbox sites:
run them with `speechcrawl demo`, or `speechcrawl sandbox serve` and `crawl NAME --sandbox`.
Conventions, exit codes and every --json shape: docs/cli.md.
"""

EPILOG = """\
examples:
  speechcrawl --version
  speechcrawl crawls --data data --json
  speechcrawl completion bash > ~/.local/share/bash-completion/completions/speechcrawl
"""


class _VersionAction(argparse.Action):
    """``--version``: the package and the cleaner version (records carry the latter), imported only when asked."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the speechcrawl and cleaner versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from cleaners import CLEANER_VERSION  # lxml: only when asked

        print(f"speechcrawl {package_version()} (cleaners {CLEANER_VERSION})")
        parser.exit()


def package_version() -> str:
    """The installed distribution's version, or the source tree's when run from a checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("speechcrawl")
    except PackageNotFoundError:
        return "unknown"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (``command`` given) the root with only that command's module registered.

    A run parses its words with the parser of the command it names, which accepts and refuses
    exactly what the whole parser would for that command, without importing the others.
    """
    parser = argparse.ArgumentParser(prog="speechcrawl", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_VersionAction)
    add_verbosity_arguments(parser, default=0)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules(command):
        module.register(sub)
    return parser


def _configure_logging(level: int) -> None:
    """One stderr handler; its level (not the root's) filters, because Scrapy sets its loggers to DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.root.addHandler(handler)
    logging.root.setLevel(min(level, logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    # Everything after the first "--" is handed to the command untouched (``schedule add SITE … -- CRAWL
    # OPTIONS``): argparse cannot take options for another command after a positional.
    words = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in words:
        at = words.index("--")
        words, passthrough = words[:at], words[at + 1:]
    # The root's own options (-v, -q, --version) take no value, so the first other word names the command.
    parser = build_parser(next((word for word in words if not word.startswith("-")), None))
    args = parser.parse_args(words)
    if passthrough and not hasattr(args, "passthrough"):
        parser.error(f"arguments after -- are not taken by this command: {' '.join(passthrough)}")
    if hasattr(args, "passthrough"):
        args.passthrough = passthrough
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    _configure_logging(logging.WARNING - 10 * min(args.verbose, 2) + 10 * min(args.quiet, 2))
    from corpus.catalog import CatalogError  # sqlite3 only: cheap

    try:
        result: int = args.handler(args)
    except UsageError as exc:
        return fail(str(exc), 2)
    except CatalogError as exc:
        return fail(str(exc), 1)
    return result


if __name__ == "__main__":
    sys.exit(main())
