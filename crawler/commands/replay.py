"""``speechcrawl replay --data DIR [--port N]``"""

from __future__ import annotations

import argparse

from crawler.commands._common import add_data_argument, add_parser, fail, port_number


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "replay", help="serve the archive with pywb on loopback",
                   description="Index DATA/warc and serve it with pywb on 127.0.0.1 until Ctrl-C. The first "
                               "line on stdout is the collection URL; a page is at URL/<timestamp>/<page url>, "
                               "its body exactly as archived at URL/<timestamp>id_/<page url>.",
                   examples="  speechcrawl replay --data data\n"
                            "  speechcrawl replay --data data --port 0    # any free port")
    add_data_argument(p)
    p.add_argument("--port", type=port_number, default=8080, metavar="N",
                   help="port on 127.0.0.1 (default 8080; 0 = any free port)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archive.exceptions import ArchiveError
    from crawler.replay import serve

    try:
        return serve(args.data, port=args.port)
    except (ArchiveError, OSError) as exc:
        return fail(str(exc))
