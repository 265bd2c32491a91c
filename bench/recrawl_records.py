"""What a re-crawl's WARC files hold, byte by byte, and what other encodings of the same facts would cost.

    python -m bench.recrawl_records FILE.warc.gz… [--ledger 100,1000]

Give it the WARC files of one crawl (e.g. the second of two crawls of an unchanged site). It prints:

1. each record type's count and compressed bytes (every record is one gzip member);
2. the same records compressed with zlib's fixed Huffman codes (``Z_FIXED``) instead of the default
   strategy, at levels 6 and 9: the smaller of the two per record, and how many records that wins;
3. for revisit records, what each header line costs: the record's compressed size minus its size
   compressed without that line, averaged (lines that repeat another line cost little: deflate copies);
4. an estimate for a "re-check ledger": the facts of every revisit (URI, date, IP, Referer, the record
   it refers to and its digest, the status line and headers received) as JSON lines, N to a gzip member,
   plus a WARC head per member (the mean size of this crawl's warcinfo record stands in for it).

Section 4 re-encodes real records; no crawler writes such a ledger (docs/benchmarks.md, "Re-crawl cost").
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path


def _members(path: Path) -> Iterator[tuple[int, bytes]]:
    """(compressed size, record bytes) of each gzip member of a record-at-a-time WARC file."""
    data = path.read_bytes()
    offset = 0
    while offset < len(data):
        inflater = zlib.decompressobj(31)
        raw = inflater.decompress(data[offset:])
        used = len(data) - offset - len(inflater.unused_data)
        yield used, raw
        offset += used


def _gz(raw: bytes, level: int = 6, strategy: int = zlib.Z_DEFAULT_STRATEGY) -> int:
    comp = zlib.compressobj(level, zlib.DEFLATED, 31, 8, strategy)
    return len(comp.compress(raw) + comp.flush())


def _fields(raw: bytes) -> tuple[dict[str, str], list[str]]:
    """The WARC header fields, and the HTTP head's lines (status line first)."""
    head, _, block = raw.partition(b"\r\n\r\n")
    fields = dict(line.split(": ", 1) for line in head.decode("utf-8").split("\r\n")[1:])
    return fields, block.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")


def _kind(fields: dict[str, str]) -> str:
    kind = fields["WARC-Type"]
    return f"{kind} ({fields['WARC-Profile'].rsplit('/', 1)[1]})" if kind == "revisit" else kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--ledger", default="100,1000", help="re-checks per ledger member (default 100,1000)")
    args = parser.parse_args(argv)
    count: Counter[str] = Counter()
    size: Counter[str] = Counter()
    fixed = wins = 0
    line_cost: Counter[str] = Counter()
    revisits: list[dict[str, object]] = []
    for path in args.files:
        for used, raw in _members(path):
            fields, http = _fields(raw)
            kind = _kind(fields)
            count[kind] += 1
            size[kind] += used
            best_fixed = min(_gz(raw, level, zlib.Z_FIXED) for level in (6, 9))
            fixed += min(used, best_fixed)
            wins += best_fixed < used
            if fields["WARC-Type"] != "revisit":
                continue
            lines = raw.split(b"\r\n")
            for i, line in enumerate(lines):
                name = line.partition(b": ")[0].decode("latin-1")
                if b": " in line and name != "Content-Length":
                    line_cost[name] += used - _gz(b"\r\n".join(lines[:i] + lines[i + 1:]))
            revisits.append({"uri": fields["WARC-Target-URI"], "date": fields["WARC-Date"],
                             "ip": fields.get("WARC-IP-Address"), "referer": fields.get("WARC-Request-Referer"),
                             "refers_to": fields["WARC-Refers-To"], "digest": fields.get("WARC-Payload-Digest"),
                             "response": http})
    total = sum(size.values())
    print(f"1. records: {sum(count.values())}, {total} bytes")
    for kind in sorted(count):
        print(f"   {kind:40} {count[kind]:6} {size[kind]:10} B  {size[kind] / count[kind]:5.0f} B a record")
    print(f"2. best of default and Z_FIXED per record: {fixed} bytes ({fixed / total:.3f} of today's); "
          f"Z_FIXED smaller for {wins} records")
    if revisits:
        print(f"3. cost of each header line in a revisit ({len(revisits)} revisits, mean bytes compressed):")
        for name, cost in line_cost.most_common():
            print(f"   {name:30} {cost / len(revisits):5.1f}")
        head = round(size["warcinfo"] / max(count["warcinfo"], 1))
        rest = total - sum(v for k, v in size.items() if k.startswith("revisit"))
        for n in (int(x) for x in args.ledger.split(",")):
            ledger = sum(_gz("\n".join(json.dumps(r, separators=(",", ":")) for r in revisits[i:i + n]).encode())
                         + head for i in range(0, len(revisits), n))
            print(f"4. ledger of {n} re-checks a member: {ledger / len(revisits):.0f} B a re-check; the crawl's "
                  f"files {rest + ledger} bytes instead of {total} ({(rest + ledger) / total:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
