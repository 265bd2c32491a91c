"""``speechcrawl completion bash|zsh|tcsh``: a shell completion script generated from the parser itself.

Generated (with shtab) rather than written by hand, so a new command or flag completes the day it
is added; file and directory arguments are marked here, at generation time, so the CLI's start-up
does not import shtab.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands._common import add_parser, fail

SHELLS = ("bash", "zsh", "tcsh")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "completion", help="print a shell completion script (bash, zsh, tcsh)",
                   description="Print a completion script for SHELL on stdout, generated from speechcrawl's own "
                               "argument parser: commands, flags, choices, files and directories complete. "
                               "Install it once (see the examples), then open a new shell.",
                   examples="  speechcrawl completion bash > ~/.local/share/bash-completion/completions/speechcrawl\n"
                            "  speechcrawl completion zsh > ~/.zfunc/_speechcrawl   # with fpath+=(~/.zfunc) in "
                            "~/.zshrc, before compinit\n"
                            "  eval \"$(speechcrawl completion bash)\"               # this shell only")
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or tcsh")
    p.set_defaults(handler=run)


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    """Tell shtab which arguments take a directory (DIR) or a file (any other Path), in every subparser."""
    import shtab

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _mark_paths(child)
        elif action.type is Path:
            action.complete = shtab.DIRECTORY if action.metavar == "DIR" else shtab.FILE  # type: ignore[attr-defined]


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` for ``shell``."""
    import shtab

    _mark_paths(parser)
    script: str = shtab.complete(parser, shell=shell)
    return script


def run(args: argparse.Namespace) -> int:
    from crawler.cli import build_parser  # the whole parser: every command's module

    try:
        script = completion_script(build_parser(), args.shell)
    except ImportError:
        return fail("shell completion needs the shtab package: pip install shtab")
    sys.stdout.write(script)
    return 0
