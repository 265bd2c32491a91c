"""The docs name only flags the parser has, and every JSON shape docs/cli.md documents is what is printed.

A flag in a doc that the command does not take (``sandbox serve --epoch`` once) costs a reader an
afternoon; this test reads every ``speechcrawl …`` command line in README.md and docs/*.md and
looks each ``--flag`` up in the real parser of that subcommand.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_COMMAND = re.compile(r"speechcrawl ((?:[a-z][\w-]*)(?: [^`|#>\n]*)?)")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}


def documented_commands() -> list[tuple[str, int, str]]:
    """(doc, line number, command line) of every ``speechcrawl WORDS`` in the docs."""
    out = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            out += [(doc.name, number, m.group(1)) for m in _COMMAND.finditer(line)]
    return out


def unknown_flags(command: str, root: argparse.ArgumentParser) -> list[str]:
    """The ``--flags`` of ``command`` (words after ``speechcrawl``) its subcommand does not take."""
    parser, flags, bad = root, _flags(root), []
    for word in command.split():
        if word == "--":  # what follows is handed to another command (schedule add … -- CRAWL OPTIONS)
            break
        children = _subparsers(parser)
        if word in children:
            parser = children[word]
            flags |= _flags(parser)
        elif re.fullmatch(r"--[a-z][a-z-]*", word.split("=")[0]) and word.split("=")[0] not in flags:
            bad.append(word)
    return bad


def test_the_docs_name_speechcrawl_commands() -> None:
    assert len(documented_commands()) > 100  # the scan itself works: the docs are full of examples


@pytest.mark.parametrize("doc", [d.name for d in DOCS])
def test_every_documented_flag_exists(doc: str) -> None:
    root = build_parser()
    wrong = [f"{name}:{number}: speechcrawl {command} -> {bad}" for name, number, command in documented_commands()
             if name == doc and (bad := unknown_flags(command, root))]
    assert wrong == []


def test_a_wrong_flag_would_be_caught() -> None:
    root = build_parser()
    assert unknown_flags("sandbox serve --epochs 2", root) == ["--epochs"]
    assert unknown_flags("archive wacz --data data --output x.wacz", root) == ["--output"]
    assert unknown_flags("schedule add wenmi --every 1d -- --max-pages 5", root) == []
