"""``speechcrawl worker --redis URL``"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

from crawler.commands._common import add_parser, fail
from crawler.options import DEFAULT_DATA, non_negative_float
from crawler.paths import UnsafeNameError, check_worker_id


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "worker", help="work on the distributed crawls seeded on a Redis",
                   description="Fetch, archive and clean pages of every crawl seeded with `speechcrawl crawl … "
                               "--redis URL`, sharing the frontier with every other worker on that Redis. WARC "
                               "files go to DIR/warc/<site>/ with the worker id in their names; records go to the "
                               "crawl's record stream for `speechcrawl ingest` (docs/distributed.md).",
                   examples="  speechcrawl worker --redis redis://10.0.0.5:6379/0 --data /srv/crawl --id box1-a\n"
                            "  speechcrawl worker --redis redis://127.0.0.1:6379/0 --exit-when-idle 30")
    p.add_argument("--redis", required=True, metavar="URL", help="the Redis holding the crawls (redis://host:port/db)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, metavar="DIR", help="data directory (default: ./data)")
    p.add_argument("--id", default=None, metavar="NAME",
                   help="worker id, in WARC file names; keep it when restarting a worker so it repairs the files "
                        "its killed run left (default: HOST-PID)")
    p.add_argument("--exit-when-idle", type=non_negative_float, default=None, metavar="SECONDS",
                   help="exit after this many seconds with no crawl to work on (default: serve until stopped)")
    p.add_argument("--allow-private", action="store_true",
                   help="let crawls fetch loopback/private addresses (only for sandboxes you run yourself)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from crawler.distributed.worker import run_worker

    worker_id = args.id or f"{socket.gethostname().split('.')[0]}-{os.getpid()}"
    try:
        check_worker_id(worker_id)
    except UnsafeNameError as exc:
        return fail(f"--id: {exc}", 2)
    return run_worker(args.redis, args.data, worker_id, exit_when_idle=args.exit_when_idle,
                      allow_private=args.allow_private)
