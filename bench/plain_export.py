"""Baseline for bench_export: the plainest export a researcher would write, stdlib only.

    python -m bench.plain_export CATALOG OUT.jsonl

Every stored record, in table order, parsed and re-serialised with ``json``; no filters,
no ordering, no duplicate handling, no mask rendering.  Prints the number of records.
"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(catalog: str, out: str) -> int:
    conn = sqlite3.connect(catalog)
    count = 0
    with open(out, "w", encoding="utf-8") as fh:
        for (raw,) in conn.execute("SELECT record FROM records"):
            fh.write(json.dumps(json.loads(raw), ensure_ascii=False) + "\n")
            count += 1
    conn.close()
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
