"""``speechcrawl schema``"""

from __future__ import annotations

import argparse
import sys

from crawler.commands._common import add_parser


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "schema", help="print the export record's JSON Schema",
                   description="Print the JSON Schema (draft 2020-12) every exported record follows; the same "
                               "text as docs/schema/record-v1.json. Field meanings: docs/export.md.",
                   examples="  speechcrawl schema > record-v1.json\n"
                            "  speechcrawl schema | python -c 'import json,sys; print(list(json.load(sys.stdin)"
                            "[\"properties\"]))'")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from corpus.schema import schema_json  # via corpus.records: the cleaners, not needed at start-up

    sys.stdout.write(schema_json())
    return 0
