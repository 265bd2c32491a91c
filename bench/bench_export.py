"""Export throughput and memory: speechcrawl export vs a plain sqlite3 -> json.dumps loop, same catalog, same run.

    python -m bench.bench_export [--records 1000000] [--workdir DIR]

Builds a synthetic catalog (bench.synthetic: ~900-character texts, 12 % planted
duplicates), then runs each job as a child process and reads its own peak RSS
(``wait4``):

- baseline (bench.plain_export): ``SELECT record FROM records`` -> ``json.loads`` -> ``json.dumps``;
- speechcrawl export to JSONL and to Parquet, with ``--dedup none`` (same work as the
  baseline plus filters, ordering and schema typing) and with the default near dedup;
- near-duplicate detection alone (``corpus.dedup.find_clusters`` over the catalog).

Prints a markdown table for docs/benchmarks.md.  The catalog takes ~4.3 GB per million
records; it is deleted at the end unless --workdir is given (and then reused by the next run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Measured, env_info, run_measured


def _dedup_only(catalog: Path) -> str:
    from corpus.catalog import Catalog
    from corpus.dedup import DedupOptions, find_clusters
    from corpus.selection import Selection

    selection = Selection(Catalog(catalog))
    started = time.monotonic()
    with selection.snapshot():
        clusters = find_clusters(selection.texts(), selection.text_of, selection.ids_of, DedupOptions())
    return f"duplicates={clusters.duplicates} seconds={time.monotonic() - started:.1f}"


def _child(argv: list[str]) -> int:
    print(_dedup_only(Path(argv[0])))
    return 0


def _row(name: str, written: int, run: Measured, base_rate: float | None) -> str:
    rate = written / run.seconds
    ratio = f"{rate / base_rate:.2f}" if base_rate else "1.00"
    return f"| {name} | {written:,} | {run.seconds:.0f} | {rate:,.0f} | {run.peak_rss_mb:.0f} | {ratio} |"


def _check(run: Measured) -> Measured:
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(1)
    return run


def _bench(work: Path, records: int) -> None:
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    # Every job runs in a child, generation too: a child's peak RSS starts at its parent's size when forked.
    made_file = data / "generated.txt"  # "records planted seconds" of the catalog kept in --workdir
    if not made_file.exists() or int(made_file.read_text().split()[0]) != records:
        made = _check(run_measured([sys.executable, "-m", "bench.synthetic", str(data / "catalog.sqlite"),
                                    "--records", str(records)]))
        made_file.write_text(f"{made.stdout.strip()} {made.seconds:.0f}\n")
    _, planted_text, generated = made_file.read_text().split()
    planted = int(planted_text)
    size = (data / "catalog.sqlite").stat().st_size
    me = [sys.executable, "-m", "bench.bench_export"]
    base = _check(run_measured([sys.executable, "-m", "bench.plain_export", str(data / "catalog.sqlite"),
                                str(work / "base.jsonl")]))
    base_rate = int(base.stdout.split()[0]) / base.seconds
    rows = [_row("baseline: sqlite3 -> json.loads -> json.dumps loop", int(base.stdout.split()[0]), base, None)]
    cli = [sys.executable, "-m", "crawler.cli", "export", "--data", str(data), "--no-progress"]
    for name, args in (("export JSONL, --dedup none", ["--out", str(work / "none.jsonl"), "--dedup", "none"]),
                       ("export Parquet, --dedup none", ["--out", str(work / "none.parquet"), "--dedup", "none"]),
                       ("export JSONL, near dedup (default)", ["--out", str(work / "near.jsonl")]),
                       ("export Parquet, near dedup (default)", ["--out", str(work / "near.parquet")])):
        run = _check(run_measured([*cli, *args]))
        rows.append(_row(name, int(run.stdout.split()[0]), run, base_rate))
        removed = run.stdout.split("; ")[-1]
    dedup = _check(run_measured([*me, "--child", str(data / "catalog.sqlite")]))
    print(f"export benchmark ({env_info()}; {records:,} synthetic records, catalog {size / 1e9:.1f} GB, "
          f"generated in {generated}s)\n")
    print("| run | records written | seconds | records/s | peak RSS MB | records/s ÷ baseline |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(f"\nnear dedup alone: {dedup.stdout.strip()} ({planted:,} planted), peak RSS "
          f"{dedup.peak_rss_mb:.0f} MB, wall {dedup.seconds:.0f}s; last export: {removed.strip()}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return _child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="synthetic records (default 1,000,000)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the catalog and outputs here; a catalog of the same size there is reused")
    args = parser.parse_args(argv)
    if args.workdir:
        _bench(args.workdir, args.records)
    else:
        with tempfile.TemporaryDirectory(prefix="speechcrawl-bench-") as tmp:
            _bench(Path(tmp), args.records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
