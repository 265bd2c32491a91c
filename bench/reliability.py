"""Reliability report: each sandbox fault mode and the kill -9 soak, several trials each.

    python -m bench.reliability [--trials 3] [--soak-trials 2] [--kills 10] [--seed 1]

Prints the markdown table of docs/reliability.md: per fault, the trials, records expected and
exported, pages the fault hit and pages the catalog lists as failed, records lost, duplicates, and
whether the archive verified (archive.verify + ``warcio check``) after every trial.  The scenarios
and their expectations are tests.harness.scenarios, the same the tests assert.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import env_info
from sandbox import SITES, SandboxProcess
from tests.harness.crawls import Result, crawl, exported, run_batch, soak, texts_of
from tests.harness.scenarios import BATCHES, duplicates


@dataclass
class Row:
    fault: str
    site: str
    trials: int = 0
    expected: list[int] = field(default_factory=list)
    exported: list[int] = field(default_factory=list)
    hit: list[int] = field(default_factory=list)
    must: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost: int = 0
    duplicates: int = 0
    verified: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, result: Result, archive_ok: bool) -> None:
        self.trials += 1
        self.expected.append(result.expected.records)
        self.exported.append(result.exported)
        self.hit.append(result.expected.hit)
        self.must.append(len(result.expected.failed))
        self.failed.append(result.failed)
        if result.trap_pages or result.dead_links:
            self.notes.append(f"{result.fetched} pages fetched, {result.trap_pages} of them trap pages; "
                              f"{result.dead_links} dead template links (404) listed as failed too")
        if result.distinct_texts:
            self.notes.append(f"{result.exported} records from trap URLs hold {result.distinct_texts} distinct "
                              "texts: the same articles under ever new URLs; export --dedup exact keeps one each")
        self.lost += result.lost
        self.duplicates += result.duplicates
        self.verified += archive_ok
        self.problems += result.problems


def _span(values: list[int]) -> str:
    return str(values[0]) if min(values) == max(values) else f"{min(values)}–{max(values)}"


def _clean_texts(work: Path) -> dict[tuple[str, tuple[str, int | None]], str]:
    with SandboxProcess() as sandbox:
        proc = crawl(work / "clean", list(SITES), sandbox.urls)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return texts_of(exported(work / "clean"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=3, help="crawls per fault scenario (default 3)")
    parser.add_argument("--soak-trials", type=int, default=2, help="kill -9 soaks (default 2)")
    parser.add_argument("--kills", type=int, default=10, help="kills per soak (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first soak's kill moments")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows: dict[str, Row] = {}
    notes: dict[str, list[str]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clean = _clean_texts(work)
        for trial in range(args.trials):
            for batch in BATCHES:
                results, archive = run_batch(batch, work / f"trial-{trial}", clean)
                for result in results:
                    row = rows.setdefault(result.scenario.name, Row(result.scenario.name, result.scenario.site))
                    row.add(result, not archive)
                notes[batch.name] += archive
        soaks = Row(f"kill -9 at random moments ({args.kills} per trial) + `--resume`", "all five")
        for trial in range(args.soak_trials):
            with SandboxProcess() as sandbox:
                crawl(work / f"soak-clean-{trial}", list(SITES), sandbox.urls)
                reference = {r["id"]: r["text"] for r in exported(work / f"soak-clean-{trial}")}
                outcome = soak(sandbox, work / f"soak-{trial}", list(SITES), kills=args.kills, seed=args.seed + trial)
            got = {r["id"]: r["text"] for r in outcome.records}
            soaks.trials += 1
            soaks.expected.append(len(reference))
            soaks.exported.append(len(outcome.records))
            soaks.hit.append(0)
            soaks.must.append(0)
            soaks.failed.append(0)
            soaks.lost += len(set(reference) - set(got)) + sum(got[k] != reference[k] for k in set(got) & set(reference))
            soaks.duplicates += duplicates(outcome.records)
            soaks.verified += not outcome.archive
            notes["soak"].append(f"trial {trial}: {outcome.kills} kills in {outcome.runs} runs, at {outcome.kill_times} s")
    print(f"reliability report ({env_info()}; {args.trials} trials per fault, sandbox 20 articles a site; "
          f"{time.monotonic() - started:.0f} s)\n")
    print("| fault injected | site | trials | records expected | exported | pages broken | must be listed failed "
          "| listed failed | records lost | duplicates | archive verify |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in [*rows.values(), soaks]:
        verify = f"clean {row.verified}/{row.trials}"
        print(f"| {row.fault} | {row.site} | {row.trials} | {_span(row.expected)} | {_span(row.exported)} | "
              f"{_span(row.hit)} | {_span(row.must)} | {_span(row.failed)} | {row.lost} | {row.duplicates} | {verify} |")
    problems = [f"{row.fault}: {p}" for row in rows.values() for p in row.problems]
    print()
    for row in rows.values():
        for note in dict.fromkeys(row.notes):
            print(f"- {row.fault}: {note}")
    print("\n".join(f"- soak {line}" for line in notes["soak"]))
    if problems or any(notes[name] for name in notes if name != "soak"):
        print("\nPROBLEMS:\n" + "\n".join(problems + [n for k, v in notes.items() if k != "soak" for n in v]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
