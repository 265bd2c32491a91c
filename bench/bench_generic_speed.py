"""Generic-mode cleaning speed vs trafilatura.extract on the same bodies, and whether a faster parser would pay.

    python -m bench.bench_generic_speed [--sandbox-pages 1000] [--rounds 5]

Three corpora, each decoded once and held in memory as ``str``: the sandbox's article pages
(as bench/bench_clean.py builds them), the 22 real pages of tests/fixtures/realpages, and the
issue-19 dev set with its held-out pages (tests/fixtures/devset).  On each, in one process and
interleaved, ``cleaners.clean(pages, None)`` (generic mode, the pages of one article together)
and ``trafilatura.extract`` (defaults, each page alone) run ``--rounds`` times; the best round of
each counts, and the ratio comes from those.  Times are the process's CPU time, not wall time: on a
2-core machine shared with other work (load averages of 4–10 were seen) wall time mostly measures
the neighbours; both runs are single-threaded, so CPU time compares them fairly.

Parser question (issue 19): how much of generic cleaning is HTML parsing, and how fast the lexbor
parser (selectolax) and resiliparse's tree parse the same bodies, plus resiliparse's own main-text
extraction for scale.  Those packages are not dependencies: install them anywhere on PYTHONPATH
(``pip install --target /tmp/x selectolax resiliparse``) to get their rows; without them the rows say
"not installed".  Prints a markdown section for docs/quality.md.  Never run as a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import env_info
from cleaners import Page, clean, decode_html
from cleaners.parse import parse

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TARGET = 2.5
"""Generic cleaning at least this many times trafilatura.extract's pages/s (issue 19)."""

Article = tuple[Page, ...]


def sandbox_corpus(pages: int) -> list[Article]:
    from bench.bench_clean import build_corpus

    return [a.pages for a in build_corpus(pages)]


def realpages_corpus() -> list[Article]:
    out = []
    for path in sorted((FIXTURES / "realpages").glob("*.html")):
        out.append((Page(url=f"file:///{path.name}", html=decode_html(path.read_bytes()).text or ""),))
    return out


def devset_corpus() -> list[Article]:
    out = []
    for folder in (FIXTURES / "devset", FIXTURES / "devset" / "heldout"):
        index = json.loads((folder / "devset.json").read_text("utf-8"))
        for name, case in index.items():
            if name.startswith("_"):
                continue
            out.append(tuple(Page(url=f"file:///{f}", html=decode_html((folder / f).read_bytes()).text or "")
                             for f in case["pages"]))
    return out


def _best(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return best


def _parsers(bodies: list[str]) -> dict[str, Callable[[], object] | None]:
    """Parse-only runs over ``bodies`` (None: the package is not installed here)."""
    import trafilatura

    runs: dict[str, Callable[[], object] | None] = {
        "lxml (cleaners.parse)": lambda: [parse(b) for b in bodies],
        "lexbor (selectolax)": None,
        "resiliparse HTMLTree": None,
        "resiliparse extract_plain_text(main_content=True)": None,
        "trafilatura.extract": lambda: [trafilatura.extract(b) for b in bodies],
    }
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        pass
    else:
        runs["lexbor (selectolax)"] = lambda: [LexborHTMLParser(b) for b in bodies]
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree
    except ImportError:
        pass
    else:
        runs["resiliparse HTMLTree"] = lambda: [HTMLTree.parse(b) for b in bodies]
        runs["resiliparse extract_plain_text(main_content=True)"] = \
            lambda: [extract_plain_text(HTMLTree.parse(b), main_content=True) for b in bodies]
    return runs


def measure(corpora: dict[str, list[Article]], rounds: int) -> str:
    import trafilatura

    lines = [f"Measured {time.strftime('%Y-%m-%d')} ({env_info()}), CPU time, best of {rounds} interleaved rounds:\n",
             "| corpus | pages | speechcrawl generic pages/s | trafilatura.extract pages/s | ratio | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    every: list[str] = []
    for name, corpus in corpora.items():
        pages = sum(len(a) for a in corpus)
        best = _best({"ours": lambda c=corpus: [clean(a, None) for a in c],
                      "trafilatura": lambda c=corpus: [trafilatura.extract(p.html) for a in c for p in a]}, rounds)
        ratio = best["trafilatura"] / best["ours"]
        lines.append(f"| {name} | {pages} | {pages / best['ours']:.0f} | {pages / best['trafilatura']:.0f} | "
                     f"**{ratio:.2f}** | ≥ {TARGET} |")
        every += [p.html for a in corpus for p in a]
    ours_all = _best({"ours": lambda: [clean(a, None) for c in corpora.values() for a in c]}, rounds)["ours"]
    parse_runs = _parsers(every)
    timed = _best({k: v for k, v in parse_runs.items() if v is not None}, rounds)
    lxml = timed["lxml (cleaners.parse)"]
    lines += ["", f"Parsing, all {len(every)} bodies of the three corpora (generic cleaning of the same bodies: "
              f"{ours_all:.2f} s, of which parsing with lxml {lxml:.2f} s = {100 * lxml / ours_all:.0f}%):", "",
              "| run | seconds | pages/s | × trafilatura.extract | generic cleaning if parsing cost this |",
              "| --- | ---: | ---: | ---: | ---: |"]
    traf = timed["trafilatura.extract"]
    for name in parse_runs:
        if name not in timed:
            lines.append(f"| {name} | not installed | | | |")
            continue
        seconds = timed[name]
        what_if = ""
        if name in ("lexbor (selectolax)", "resiliparse HTMLTree"):
            what_if = f"{ours_all - lxml + seconds:.2f} s ({lxml / seconds:.1f}× faster parse, " \
                      f"{100 * (lxml - seconds) / ours_all:.0f}% less in all)"
        lines.append(f"| {name} | {seconds:.2f} | {len(every) / seconds:.0f} | {traf / seconds:.1f} | {what_if} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox-pages", type=int, default=1000, help="sandbox pages (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the best counts (default 5)")
    args = parser.parse_args(argv)
    corpora = {"sandbox": sandbox_corpus(args.sandbox_pages), "real pages": realpages_corpus(),
               "dev set + held-out": devset_corpus()}
    print(measure(corpora, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
