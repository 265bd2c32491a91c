"""``speechcrawl clean FILE.html…``"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from crawler.commands._common import add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "clean", help="clean saved HTML pages offline, print JSONL",
                   description="Clean pages saved on disk. Several files are pages of one article, in order. "
                               "Without --site the generic mode (main-content detection) is used.",
                   examples="  speechcrawl clean page.html\n"
                            "  speechcrawl clean p1.html p2.html --site sucai --url http://x/a/1.html")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.html")
    p.add_argument("--site", default=None, help="profile whose selectors to use")
    p.add_argument("--url", default=None, help="URL the first page was fetched from")
    p.add_argument("--encoding", default=None, help="force this encoding (default: detect)")
    p.add_argument("--masks", choices=["strip", "keep", "placeholder"], default="strip")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cleaners import clean, decode_html  # lxml and friends: only when cleaning
    from cleaners.types import CleanOptions, Page
    from spiders.profiles import ProfileError, load_profiles

    rules = None
    if args.site:
        try:
            profiles = load_profiles()
        except ProfileError as exc:
            return fail(str(exc), 2)
        if args.site not in profiles:
            return fail(f"unknown site {args.site!r} (known: {', '.join(sorted(profiles))})", 2)
        rules = profiles[args.site].rules
    pages = []
    for i, path in enumerate(args.files):
        try:
            body = path.read_bytes()
        except OSError as exc:
            return fail(f"cannot read {path}: {exc.strerror}")
        decoded = decode_html(body, args.encoding)
        if decoded.text is None:
            return fail(f"{path}: undecodable ({decoded.reason})")
        url = args.url if (args.url and i == 0) else path.resolve().as_uri()
        pages.append(Page(url=url, html=decoded.text))
    result = clean(pages, rules, CleanOptions(mask_mode=args.masks))
    for record in result.records:
        sys.stdout.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    if not result.records:
        sys.stderr.write(f"no speech found: {result.skipped}\n")
        return 1
    return 0
