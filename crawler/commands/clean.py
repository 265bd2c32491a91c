"""``speechcrawl clean FILE.html…``"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from crawler.commands._common import add_parser, fail


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "clean", help="clean saved HTML pages offline, print JSONL",
                   description="Clean pages saved on disk, offline, and print one JSON record per speech "
                               "(a compilation gives one per 篇, with part.parent_id). Several files are pages "
                               "of one article, in order. Without --site the generic mode (main-content "
                               "detection) is used. The encoding is detected (BOM, GBK/GB18030/UTF-8 by trial "
                               "decoding, a missing or lying meta charset) unless --encoding forces one.",
                   examples="  speechcrawl clean page.html\n"
                            "  speechcrawl clean p1.html p2.html --site sucai --url http://x/a/1.html\n"
                            "  speechcrawl clean old.html --encoding gbk --masks keep")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.html")
    p.add_argument("--site", default=None, metavar="SITE", help="profile whose selectors to use")
    p.add_argument("--url", default=None, metavar="URL", help="URL the first page was fetched from (ids are derived from it)")
    p.add_argument("--encoding", default=None, metavar="ENC", help="force this encoding (default: detect)")
    p.add_argument("--masks", choices=["strip", "keep", "placeholder"], default="strip",
                   help="how masked names show in text (default strip; masks always lists them)")
    p.set_defaults(handler=run)


_MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|meta|title|div|p|span|br|table|article|section|font|a)\b",
                     re.IGNORECASE)
"""An element every saved web page has at least one of; a file with none is no page (notes, TOML, JSON)."""


def not_a_page(path: Path, body: bytes, text: str | None) -> str | None:
    """Why ``path`` cannot be cleaned as a web page (empty, or no HTML in its decoded ``text``), else None."""
    if not body.strip():
        return f"{path}: empty file ({len(body)} bytes): nothing to clean"
    if text is not None and not _MARKUP.search(text):
        return f"{path}: not an HTML page (no HTML elements in it); `speechcrawl clean` takes saved web pages"
    return None


def run(args: argparse.Namespace) -> int:
    from cleaners import CLEANER_VERSION, clean, decode_html  # lxml and friends: only when cleaning
    from cleaners.encoding import normalize_encoding
    from cleaners.types import CleanOptions, Page
    from corpus.records import offline_records
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
    if args.encoding and normalize_encoding(args.encoding) is None:
        return fail(f"unknown encoding {args.encoding!r} (e.g. gbk, gb18030, utf-8, big5)", 2)
    pages = []
    for i, path in enumerate(args.files):
        try:
            body = path.read_bytes()
        except OSError as exc:
            return fail(f"cannot read {path}: {exc.strerror}")
        if problem := not_a_page(path, body, None):
            return fail(problem)
        decoded = decode_html(body, args.encoding, force=bool(args.encoding))
        if decoded.text is None:
            return fail(f"{path}: undecodable ({decoded.reason})")
        if problem := not_a_page(path, body, decoded.text):
            return fail(problem)
        url = args.url if (args.url and i == 0) else path.resolve().as_uri()
        pages.append(Page(url=url, html=decoded.text))
    result = clean(pages, rules, CleanOptions(mask_mode=args.masks))
    for record in offline_records([p.url for p in pages], result, CLEANER_VERSION, args.site):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    if not result.records:
        return fail(f"no speech found: {result.skipped}")
    return 0
