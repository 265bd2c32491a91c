"""``speechcrawl sandbox serve``"""

from __future__ import annotations

import argparse

from crawler.commands._common import add_parser, port_number, positive_int
from crawler.options import non_negative_int


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "sandbox", help="run the local sandbox sites",
                   description="The five sandbox sites that reproduce real speech-site templates, on loopback "
                               "(and, when asked for, the tutorial site zhengfu of docs/adding-a-site.md).",
                   examples="  speechcrawl sandbox serve\n  speechcrawl sandbox serve --port-base 0 --articles 400\n"
                            "  speechcrawl sandbox serve --sites zhengfu\n"
                            "  speechcrawl sandbox serve --redesign sucai    # sucai's template changed\n"
                            "  speechcrawl sandbox serve --fault burst@wenmi:status=429,retry_after=2,times=2")
    inner = p.add_subparsers(dest="sandbox_command", metavar="ACTION")
    serve = add_parser(inner, "serve", help="serve until Ctrl-C",
                       description="Serve the sandbox sites on 127.0.0.1; prints one JSON line of base URLs on "
                                   "stdout. The bundled profiles (wenmi, fanwen, wendang, sucai, ribao) point at "
                                   "ports 8601-8605: crawl them with `speechcrawl crawl NAME --sandbox`.",
                       examples="  speechcrawl sandbox serve\n"
                                "  speechcrawl sandbox serve --port-base 0 --articles 400   # random ports\n"
                                "  speechcrawl sandbox serve --sites wenmi,zhengfu\n"
                                "  speechcrawl sandbox serve --epoch 2   # two epochs later: added, revised, removed\n"
                                "  speechcrawl sandbox serve --fault burst@wenmi:status=503,times=2")
    serve.add_argument("--port-base", type=port_number, default=None, metavar="PORT",
                       help="first port (0 = random ports)")
    serve.add_argument("--articles", type=positive_int, default=None, metavar="N", help="articles per site")
    serve.add_argument("--sites", default=None, metavar="SITE[,SITE]", help="comma-separated site names")
    serve.add_argument("--epoch", type=non_negative_int, default=None, metavar="N",
                       help="start at this point in time: articles added, revised, removed (default 0; "
                            "docs/sandbox.md)")
    serve.add_argument("--redesign", default=None, metavar="SITE[,SITE]",
                       help="rename these sites' content element, as a redesign would")
    serve.add_argument("--fault", action="append", default=[], metavar="MODE[@SITE][:key=value,...]",
                       help="break some pages on purpose, e.g. burst@wenmi:status=503,times=2 (see docs/reliability.md)")
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sandbox import server

    argv: list[str] = []
    if args.port_base is not None:
        argv += ["--port-base", str(args.port_base)]
    if args.articles is not None:
        argv += ["--articles", str(args.articles)]
    if args.sites:
        argv += ["--sites", args.sites]
    if args.epoch is not None:
        argv += ["--epoch", str(args.epoch)]
    if args.redesign:
        argv += ["--redesign", args.redesign]
    for spec in args.fault:
        argv += ["--fault", spec]
    result: int = server.main(argv)
    return result
