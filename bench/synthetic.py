"""A synthetic catalog of N speech records, with planted duplicates, for the export benchmark.

    python -m bench.synthetic CATALOG --records 1000000

Texts are random sequences of words from a fixed vocabulary of CJK "words" (2 and 4
characters), about 900 characters in 3-7 paragraphs, so that two unrelated records share
almost no 5-character shingles, as two real speeches on different topics do.  Planted
duplicates, each of a record among the last few thousand: 2 % exact copies (whitespace
changed), 10 % near copies (a paragraph dropped, cut to 75-95 %, or 1 word in 25
swapped, the way spinners work).  Generation is bounded (a ring of recent texts) and
writes in batches inside transactions: a million records take a couple of minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from corpus.catalog import Catalog
from corpus.records import SCHEMA_VERSION, record_id

__all__ = ["generate"]

EXACT_SHARE = 0.02
NEAR_SHARE = 0.10
_RING = 4096
_SITES = [f"site{k:02d}" for k in range(20)]


def _vocabulary(rng: random.Random, size: int = 8000) -> list[str]:
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
    return ["".join(rng.choices(chars, k=2 if rng.random() < 0.7 else 4)) for _ in range(size)]


def _text(rng: random.Random, words: list[str]) -> str:
    paragraphs = []
    for _ in range(rng.randint(3, 7)):
        sentence_words = rng.choices(words, k=rng.randint(40, 90))
        paragraphs.append("".join(w + ("。" if k % 9 == 8 else "") for k, w in enumerate(sentence_words)) + "。")
    return "\n".join(paragraphs)


def _near_copy(rng: random.Random, text: str, words: list[str]) -> str:
    kind = rng.random()
    paragraphs = text.split("\n")
    if kind < 0.34 and len(paragraphs) > 3:
        del paragraphs[rng.randrange(len(paragraphs))]
        return "\n".join(paragraphs)
    if kind < 0.67:
        return text[: len(text) * rng.randint(75, 95) // 100]
    pieces = text.split("。")
    return "。".join(p[:-2] + rng.choice(words)[:2] if p and rng.random() < 0.25 else p for p in pieces)


def _records(n: int, seed: int, planted: list[int]) -> Iterator[tuple[object, ...]]:
    """Catalog rows; ``planted[0]`` counts the duplicates made on purpose."""
    rng = random.Random(seed)
    words = _vocabulary(rng)
    ring: list[str] = []
    for i in range(n):
        roll = rng.random()
        if ring and roll < EXACT_SHARE:
            text = rng.choice(ring).replace("\n", "\n  ")
            planted[0] += 1
        elif ring and roll < EXACT_SHARE + NEAR_SHARE:
            text = _near_copy(rng, rng.choice(ring), words)
            planted[0] += 1
        else:
            text = _text(rng, words)
            if len(ring) < _RING:
                ring.append(text)
            else:
                ring[rng.randrange(_RING)] = text
        site = _SITES[i % len(_SITES)]
        url = f"http://{site}.example/a/{i}.html"
        fetched = f"2026-0{1 + i % 9}-1{i % 10}T08:00:00+00:00"
        record = {"id": record_id(url, None), "site": site, "url": url, "pages": [url], "part": None,
                  "title": f"在全市工作会议上的讲话{i}", "speaker": f"讲者{i % 5000}", "speaker_title": "市长",
                  "occasion": "全市工作会议", "date": f"20{15 + i % 10}-0{1 + i % 9}-2{i % 8}", "source": "本站",
                  "text": text, "masks": [{"original": "XX", "offset": 5, "kind": "latin"}] if i % 4 == 0 else [],
                  "audit": {"chrome": {"count": 3, "chars": 120}}, "dup": None, "mode": "profile",
                  "fetched_at": fetched, "version": 1, "gone": None,
                  "provenance": [{"url": url, "status": 200, "fetched_at": fetched,
                                  "warc_filename": f"{site}-bench-00000.warc.gz", "warc_offset": 1000 * i,
                                  "warc_length": 9000, "warc_record_id": f"<urn:uuid:{i:032x}>",
                                  "payload_digest": "sha1:XZLW2CPUWPIKA3TIX3KJIWTBYCJ6TEB2", "revisit_of": None}],
                  "schema_version": SCHEMA_VERSION, "cleaner_version": "bench"}
        digest = hashlib.sha1("".join(text.split()).encode()).hexdigest()
        yield (record["id"], site, url, None, "bench", fetched, digest, json.dumps(record, ensure_ascii=False))


def generate(path: Path, n: int, seed: int = 7) -> tuple[int, int]:
    """Write ``n`` records to a fresh catalog at ``path``; return how many, and how many are planted copies."""
    catalog = Catalog(path)
    conn = catalog.conn
    conn.execute("PRAGMA synchronous=OFF")  # a benchmark fixture: speed over durability
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB: the id index takes random inserts
    # Indexes are dropped and rebuilt once at the end: building them row by row costs 4x the inserts.
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' "
                           "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    planted = [0]
    rows = _records(n, seed, planted)
    done = 0
    while done < n:
        batch = [row for _, row in zip(range(10_000), rows, strict=False)]
        with catalog.transaction():
            conn.executemany("INSERT INTO records (id, site, url, part_index, crawl_id, fetched_at, text_sha1, record) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
        done += len(batch)
    for _, sql in indexes:
        conn.execute(sql)
    catalog.close()
    return done, planted[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("catalog", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    written, planted = generate(args.catalog, args.records)
    print(written, planted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
