"""``speechcrawl archive verify|index|repair|wacz``: the archivist's tools over WARC files.

Thin handlers over :mod:`archive`; they import nothing of Scrapy, so they start fast and
run on a machine that only holds the files.  Exit codes: 0 clean, 1 a fault was found
(every file is still checked), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from crawler.commands._common import (
    UsageError,
    add_data_argument,
    add_json_argument,
    add_out_argument,
    add_parser,
    add_progress_argument,
    fail,
    positive_int,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_parser(sub, "archive", help="verify, index, repair and package WARC files",
                   description="Work on WARC files: check every record and digest, write a CDXJ index for "
                               "pywb, repair what a killed crawl left, package a crawl as WACZ. "
                               "Formats: docs/archive.md.",
                   examples="  speechcrawl archive verify data/warc\n"
                            "  speechcrawl archive index data/warc -o index.cdxj\n"
                            "  speechcrawl archive repair data/warc\n"
                            "  speechcrawl archive wacz --data data -o crawl.wacz")
    p.set_defaults(handler=lambda args: _usage(p))
    inner = p.add_subparsers(dest="archive_command", metavar="ACTION")

    verify = _on_paths(inner, "verify", run_verify, help="check records and digests; exit 1 on any fault",
                       description="Read every record of every file: gzip member boundaries, WARC headers, "
                                   "Content-Length, block and payload digests. Prints one summary line per file "
                                   "and each fault as FILE:OFFSET: WHAT; goes on past bad files.",
                       examples="  speechcrawl archive verify data/warc\n"
                                "  speechcrawl archive verify a.warc.gz b.warc.gz\n"
                                "  speechcrawl archive verify data/warc --json | jq '.files[] | select(.ok | not)'")
    add_json_argument(verify)
    add_progress_argument(verify)
    _add_workers_argument(verify)

    index = _on_paths(inner, "index", run_index, help="write a sorted CDXJ index (pywb's format)",
                      description="Index response, revisit, resource and metadata records as CDXJ, sorted, "
                                  "the format pywb and cdxj-indexer use.",
                      examples="  speechcrawl archive index data/warc -o index.cdxj\n"
                               "  speechcrawl archive index data/warc --root data/warc > index.cdxj")
    add_out_argument(index, help="index file (default: stdout)")
    add_progress_argument(index)
    _add_workers_argument(index)
    index.add_argument("--root", type=Path, default=None, metavar="DIR",
                       help="write file names relative to this directory (default: bare file names)")

    _on_paths(inner, "repair", run_repair, help="cut a killed crawl's partial record, close .open files",
              description="For each file that is still named .open or ends in an incomplete record: cut it "
                          "after the last complete record (the cut bytes are kept as NAME.tail) and drop the "
                          ".open suffix. Refuses files a running crawl holds. Faults before the cut are "
                          "reported, never deleted.",
              examples="  speechcrawl archive repair data/warc\n"
                       "  speechcrawl archive repair data/warc/wenmi/wenmi-*.warc.gz.open")

    wacz = add_parser(inner, "wacz", help="package a data directory as one WACZ file",
                      description="Write a WACZ: the WARC files, a CDXJ index, pages.jsonl (one page per "
                                  "archived document) and datapackage.json with a SHA-256 of every file.",
                      examples="  speechcrawl archive wacz --data data -o crawl.wacz")
    add_data_argument(wacz)
    add_out_argument(wacz, required=True, help="WACZ file to write")
    wacz.add_argument("--title", default=None, metavar="TEXT", help="collection title (default: the data directory's name)")
    add_progress_argument(wacz)
    wacz.set_defaults(handler=run_wacz)


def _on_paths(inner: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
              handler: Callable[[argparse.Namespace], int], **texts: str) -> argparse.ArgumentParser:
    """An action that takes WARC files and directories."""
    p = add_parser(inner, name, **texts)
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="WARC files or directories")
    p.set_defaults(handler=handler)
    return p


def _add_workers_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=positive_int, default=None, metavar="N",
                        help="processes reading the files, a large file in ranges (default: one per idle core, "
                             "its cores less the load average; under 8 MB in all, one); the output is the same "
                             "with any N")


def _workers(args: argparse.Namespace) -> int:
    from archive._parallel import default_workers

    return args.workers or default_workers()


def _check_paths(paths: list[Path]) -> None:
    """A path that does not exist is a usage error naming it (not an empty, successful run)."""
    if missing := [str(p) for p in paths if not p.exists()]:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_verify(args: argparse.Namespace) -> int:
    import json

    from archive.verify import check_ledgers, verify_paths, warc_files
    from crawler.commands.progressbar import Progress

    files = list(warc_files(args.paths, include_open=True))  # a missing one is reported as a fault, not refused
    progress = Progress("verify", len(files), enabled=args.progress)
    reports = []
    for report in verify_paths(files, workers=_workers(args)):
        reports.append(report)
        progress.advance()
    progress.close()
    check_ledgers(reports)
    bad = sum(not r.ok for r in reports)
    if args.json:
        print(json.dumps({"files": [{"path": str(r.path), "size": r.size, "records": r.records, "ok": r.ok,
                                     "unfinished": r.unfinished,
                                     "faults": [{"offset": f.offset, "message": f.message} for f in r.faults]}
                                    for r in reports],
                          "records": sum(r.records for r in reports), "ok": len(reports) - bad, "with_faults": bad},
                         ensure_ascii=False, indent=1))
        return 1 if bad or not reports else 0
    for report in reports:
        print(report.summary())
        for fault in report.faults:
            print(f"  {fault}")
    print(f"{len(reports)} files, {sum(r.records for r in reports)} records: {len(reports) - bad} OK, {bad} with faults")
    return 1 if bad or not reports else 0


def run_index(args: argparse.Namespace) -> int:
    from archive.cdxj import write_cdxj
    from archive.exceptions import ArchiveError
    from archive.verify import warc_files
    from crawler.commands.progressbar import Progress

    _check_paths(args.paths)
    progress = Progress("index", len(list(warc_files(args.paths))), enabled=args.progress)
    try:
        count = write_cdxj(args.paths, args.out or sys.stdout, dir_root=args.root, tick=progress.advance,
                           workers=_workers(args))
    except (ArchiveError, OSError) as exc:
        return fail(str(exc))
    finally:
        progress.close()
    sys.stderr.write(f"{count} index lines written to {args.out or 'stdout'}\n")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    from archive.verify import repair_paths

    clean: list[bool] = []
    for line, ok in repair_paths(args.paths):
        print(line)
        clean.append(ok)
    return 0 if clean and all(clean) else 1


def run_wacz(args: argparse.Namespace) -> int:
    from archive.exceptions import ArchiveError
    from archive.verify import warc_files
    from archive.wacz import write_wacz
    from crawler.commands.progressbar import Progress

    progress = Progress("wacz", len(list(warc_files([args.data / "warc"]))), enabled=args.progress)
    try:
        summary = write_wacz(args.data, args.out, title=args.title, tick=progress.advance)
    except (ArchiveError, OSError) as exc:
        return fail(str(exc))
    finally:
        progress.close()
    print(summary)
    return 0
