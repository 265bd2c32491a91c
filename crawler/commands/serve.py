"""``speechcrawl serve --data DIR [--port N] [--bind ADDR]``: the read-only review app."""

from __future__ import annotations

import argparse
import sys

from crawler.commands._common import add_data_argument, add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "serve", help="review the data directory in a browser (read-only, 127.0.0.1)",
                   description="Serve a read-only web app over DATA until Ctrl-C: sites with their health and "
                               "last crawl, every crawl's report, the records (search by text, speaker, date, "
                               "site), and each record's cleaned text beside its archived page with every "
                               "removed span in place, metadata sources, provenance, versions and near "
                               "duplicates. Bound to 127.0.0.1 unless --bind names another address. The first "
                               "line on stdout is the app's URL.",
                   examples="  speechcrawl serve --data data\n"
                            "  speechcrawl serve --data data --port 0        # any free port\n"
                            "  speechcrawl serve --data data --bind 0.0.0.0  # reachable from the network")
    add_data_argument(p)
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free port)")
    p.add_argument("--bind", metavar="ADDR", default=None,
                   help="address to listen on instead of 127.0.0.1 (the corpus becomes readable from there)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from crawler.review import make_server

    host = args.bind or "127.0.0.1"
    if args.bind is not None and args.bind not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(f"speechcrawl: warning: serving on {args.bind}: anyone who can reach it can read the "
                         "corpus and its archive\n")
    try:
        server = make_server(args.data, host, args.port)
    except (FileNotFoundError, OSError) as exc:
        return fail(str(exc))
    address, port = str(server.server_address[0]), server.server_address[1]
    print(f"http://{address if ':' not in address else f'[{address}]'}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
