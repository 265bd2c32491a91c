"""``speechcrawl ingest --redis URL``"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from crawler.commands._common import add_parser, fail
from crawler.options import DEFAULT_DATA, non_negative_float

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "ingest", help="write the records of distributed crawls into the catalog",
                   description="The one record writer of distributed crawls: reads the record streams workers "
                               "write to Redis and applies them to DIR/catalog.sqlite (idempotent: an entry read "
                               "twice is stored once). Run one per catalog (docs/distributed.md).",
                   examples="  speechcrawl ingest --redis redis://10.0.0.5:6379/0 --data /srv/crawl\n"
                            "  speechcrawl ingest --redis redis://127.0.0.1:6379/0 --crawl-id 20260101T000000Z "
                            "--until-over")
    p.add_argument("--redis", required=True, metavar="URL", help="the Redis holding the crawls (redis://host:port/db)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, metavar="DIR", help="data directory (default: ./data)")
    p.add_argument("--crawl-id", action="append", default=None, metavar="ID",
                   help="only this crawl (repeatable; default: every crawl on the Redis)")
    p.add_argument("--until-over", action="store_true", help="exit once the given crawls are over and written")
    p.add_argument("--exit-when-idle", type=non_negative_float, default=None, metavar="SECONDS",
                   help="exit after this many seconds without an entry to write")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from corpus.catalog import CATALOG_NAME
    from crawler.distributed.ingest import RecordWriter
    from crawler.distributed.keys import connect

    if args.until_over and not args.crawl_id:
        return fail("--until-over needs --crawl-id (every crawl on the Redis is never over)", 2)
    writer = RecordWriter(connect(args.redis), args.data / CATALOG_NAME)
    try:
        writer.run(args.crawl_id, until_over=args.until_over, exit_when_idle=args.exit_when_idle,
                   report=logger.info)
    except KeyboardInterrupt:
        return 130
    finally:
        writer.close()
    return 0
