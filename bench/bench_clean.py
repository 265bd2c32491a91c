"""Cleaning throughput: speechcrawl's cleaners (with profiles, and generic) vs trafilatura.extract, same pages.

    python -m bench.bench_clean [--pages 2000] [--rounds 3] [--profile-top 0] [--steps]
    python -m bench.bench_clean --before TREE [--pages 1000] [--rounds 5]

The pages are the sandbox's own article pages (2,000 by default: 400 from each of the five
sites, every page of a paginated article counted), rendered in this process and decoded once,
so every run below works on the same ``str`` bodies in memory, in one process, one after the
other, with nothing else timed (no network, no parsing of the results).  speechcrawl cleans
the pages of one article together (that is how the crawler calls it, and what stitching
needs); trafilatura gets each page alone with its default settings.  Each run is repeated
``--rounds`` times, interleaved, and the best round counts: on a shared 2-core machine the
best round is the one least disturbed.  Ratios are computed from these same rounds.
Prints a markdown section for docs/benchmarks.md.  ``--steps`` also times each numbered step
of generic mode (cleaners.pipeline) on the same pages, CPU time without a profiler.  Never
run as a test.

``--before TREE`` compares generic mode before and after a change: TREE is another speechcrawl source
tree (``git archive COMMIT | tar -x -C TREE``).  Two worker processes, one importing the cleaners of
TREE and one those of this tree, build the same corpus; in every round the parent has them run, one
after the other, generic mode of TREE, generic mode of this tree and ``trafilatura.extract``, each
timed in CPU seconds of its worker.  The caches of the cleaners (``functools.lru_cache``) are emptied
before each run, so a page's furniture is only ever found again within a round, as in a crawl, never
from the round before.  Ratios are taken round by round and their medians reported: on a shared
machine CPU time moves less than wall time, and a ratio within one round less than either.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import env_info
from cleaners import Page, SiteRules, clean, decode_html
from sandbox import SITES
from sandbox.sites import make_site

TARGETS = {"profile": 3.0, "generic": 0.8}


@dataclass(frozen=True)
class Article:
    site: str
    pages: tuple[Page, ...]


def build_corpus(pages: int) -> list[Article]:
    """``pages`` article pages, the same number from each site, as the crawler would decode them."""
    share = pages // len(SITES)
    out: list[Article] = []
    for site in SITES:
        s = make_site(site, share)
        taken = 0
        for i in range(share):
            count = min(s.page_count(i), share - taken)
            if count <= 0:
                break
            bodies = [s.render_article(i, p).encode(s.encoding) for p in range(1, count + 1)]
            texts = [decode_html(b).text or "" for b in bodies]
            out.append(Article(site, tuple(Page(url=f"http://{site}.test{s.article_path(i, p + 1)}", html=t)
                                           for p, t in enumerate(texts))))
            taken += count
    return out


def _runs(corpus: list[Article], rules: dict[str, SiteRules | None]) -> dict[str, Callable[[], object]]:
    import trafilatura

    def ours(mode: str) -> Callable[[], object]:
        return lambda: [clean(a.pages, rules[a.site] if mode == "profile" else None) for a in corpus]

    return {"profile": ours("profile"), "generic": ours("generic"),
            "trafilatura": lambda: [trafilatura.extract(p.html) for a in corpus for p in a.pages]}


def measure(corpus: list[Article], rounds: int) -> dict[str, float]:
    """Best wall time of each run over ``rounds`` interleaved rounds."""
    from spiders.profiles import load_profiles

    profiles = load_profiles()
    rules = {site: profiles[site].rules for site in SITES}
    runs = _runs(corpus, rules)
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def per_site(corpus: list[Article]) -> dict[str, dict[str, float]]:
    """One round per site and run (pages/s), to show where the time goes."""
    out: dict[str, dict[str, float]] = {}
    for site in SITES:
        subset = [a for a in corpus if a.site == site]
        pages = sum(len(a.pages) for a in subset)
        seconds = measure(subset, 1)
        out[site] = {name: pages / s for name, s in seconds.items()}
    return out


def report(corpus: list[Article], best: dict[str, float], sites: dict[str, dict[str, float]]) -> str:
    pages = sum(len(a.pages) for a in corpus)
    rate = {name: pages / seconds for name, seconds in best.items()}
    lines = [f"Measured {time.strftime('%Y-%m-%d')} ({env_info()}); {pages} pages, {len(corpus)} articles, "
             f"best of the rounds:\n",
             "| run | seconds | pages/s | ratio to trafilatura | target |", "| --- | ---: | ---: | ---: | ---: |"]
    labels = {"profile": "speechcrawl clean, with the site's profile", "generic": "speechcrawl clean, generic mode",
              "trafilatura": "trafilatura.extract (defaults)"}
    for name in ("profile", "generic", "trafilatura"):
        ratio = rate[name] / rate["trafilatura"]
        target = f"≥ {TARGETS[name]}" if name in TARGETS else ""
        lines.append(f"| {labels[name]} | {best[name]:.2f} | {rate[name]:.0f} | {ratio:.2f} | {target} |")
    lines += ["", "Per site (pages/s, one round):", "", "| site | profile | generic | trafilatura |",
              "| --- | ---: | ---: | ---: |"]
    lines += [f"| {site} | {r['profile']:.0f} | {r['generic']:.0f} | {r['trafilatura']:.0f} |" for site, r in sites.items()]
    return "\n".join(lines)


def profile_top(corpus: list[Article], mode: str, top: int) -> str:
    """cProfile of one run of our cleaners: the ``top`` functions by own time."""
    from spiders.profiles import load_profiles

    profiles = load_profiles()
    profiler = cProfile.Profile()
    profiler.enable()
    for a in corpus:
        clean(a.pages, profiles[a.site].rules if mode == "profile" else None)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


STEPS: list[tuple[str, str, str]] = [
    ("cleaners.pipeline", "read_html", "1 parse (lxml)"),
    ("cleaners.pipeline", "collect_facts", "1 title/date/source evidence of the first page"),
    ("cleaners.boilerplate", "drop_hidden", "2 hidden copies"),
    ("cleaners.boilerplate", "find_main_text", "2 main-text detection"),
    ("cleaners.boilerplate", "cut_tail", "2 tail blocks"),
    ("cleaners.boilerplate", "strip_chrome_lines", "2 chrome lines"),
    ("cleaners.pipeline", "stitch_pages", "2 stitching"),
    ("cleaners.pipeline", "remove_injected_ads", "3 injected ads"),
    ("cleaners.pipeline", "find_masks", "4 masks"),
    ("cleaners.pipeline", "split_compilation", "5 compilations"),
    ("cleaners.pipeline", "extract_metadata", "6 metadata"),
    ("cleaners.pipeline", "render_text", "rendering the text"),
]
"""(module, function, label) of the steps ``--steps`` times, by wrapping the name the caller looks up."""


@contextmanager
def _timed_steps(spent: dict[str, float]) -> Iterator[None]:
    """Wrap each step of STEPS so its wall time adds to ``spent``; unwrap after."""
    import importlib

    saved: list[tuple[ModuleType, str, Any]] = []

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - started
        return timed

    try:
        for module_name, name, label in STEPS:
            module = importlib.import_module(module_name)
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, wrap(label, getattr(module, name)))
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def _clear_caches() -> None:
    """Empty the cleaners' ``functools.lru_cache``s: a round must not find what the round before cached."""
    import functools

    for name, module in list(sys.modules.items()):
        if name == "cleaners" or name.startswith("cleaners."):
            for value in vars(module).values():
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()


def step_times(corpus: list[Article], rounds: int) -> str:
    """Generic mode's time per step (best of ``rounds``, caches emptied before each), as a markdown table."""
    best_total = float("inf")
    best: dict[str, float] = {}
    for _ in range(rounds):
        _clear_caches()
        spent: dict[str, float] = {}
        with _timed_steps(spent):
            started = time.process_time()
            for a in corpus:
                clean(a.pages, None)
            total = time.process_time() - started
        if total < best_total:
            best_total, best = total, spent
    pages = sum(len(a.pages) for a in corpus)
    lines = ["| step (generic mode) | ms a page | share |", "| --- | ---: | ---: |"]
    for label, seconds in best.items():
        lines.append(f"| {label} | {seconds * 1000 / pages:.2f} | {seconds / best_total:.0%} |")
    rest = best_total - sum(best.values())
    lines.append(f"| the rest (clean() itself, record building) | {rest * 1000 / pages:.2f} | {rest / best_total:.0%} |")
    lines.append(f"| **total** | **{best_total * 1000 / pages:.2f}** | 100% |")
    return "\n".join(lines)


_WORKER = """
import functools, json, sys, time
from bench.bench_clean import build_corpus
from cleaners import clean
corpus = build_corpus(int(sys.argv[1]))
def clear():
    for name, module in list(sys.modules.items()):
        if name == "cleaners" or name.startswith("cleaners."):
            for value in vars(module).values():
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()
def run(what):
    if what == "trafilatura":
        import trafilatura
        return lambda: [trafilatura.extract(p.html) for a in corpus for p in a.pages]
    return lambda: [clean(a.pages, None) for a in corpus]
print(json.dumps({"pages": sum(len(a.pages) for a in corpus)}), flush=True)
for line in sys.stdin:
    job = run(line.strip())
    clear()
    started = time.process_time()
    job()
    print(json.dumps({"cpu": time.process_time() - started}), flush=True)
"""
"""A worker: builds the corpus with its own tree's code, then runs what it is sent and answers its CPU time."""


class _Worker:
    def __init__(self, tree: Path, pages: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(pages)], cwd=tree, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pages = int(self._answer()["pages"])

    def _answer(self) -> dict[str, float]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench worker {self.proc.pid} exited")
        answer: dict[str, float] = json.loads(line)
        return answer

    def cpu(self, what: str) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return self._answer()["cpu"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def before_after(before: Path, pages: int, rounds: int) -> str:
    """Generic mode of ``before`` and of this tree against trafilatura.extract, CPU time, medians of rounds."""
    here = Path(__file__).resolve().parents[1]
    old, new = _Worker(before.resolve(), pages), _Worker(here, pages)
    if old.pages != new.pages:
        raise RuntimeError(f"the two trees build different corpora ({old.pages} and {new.pages} pages)")
    rows: list[dict[str, float]] = []
    load: list[float] = []
    try:
        for _ in range(rounds):
            load.append(os.getloadavg()[0])
            rows.append({"before": old.cpu("generic"), "after": new.cpu("generic"),
                         "trafilatura": new.cpu("trafilatura")})
    finally:
        old.close()
        new.close()
    load.append(os.getloadavg()[0])
    n = new.pages

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} ({env_info()}); {n} pages, CPU seconds, medians of "
             f"{rounds} interleaved rounds; load average {min(load):.1f}–{max(load):.1f}:\n",
             "| run | CPU s (median) | pages/s of CPU | × trafilatura (median of the rounds' ratios) | rounds' ratios |",
             "| --- | ---: | ---: | ---: | --- |"]
    for key, label in (("before", f"generic mode, before ({before})"), ("after", "generic mode, this tree"),
                       ("trafilatura", "trafilatura.extract (defaults)")):
        ratios = [r["trafilatura"] / r[key] for r in rows]
        lines.append(f"| {label} | {med(key):.2f} | {n / med(key):.0f} | **{statistics.median(ratios):.2f}** | "
                     f"{', '.join(f'{x:.2f}' for x in ratios)} |")
    speedup = [r["before"] / r["after"] for r in rows]
    lines.append(f"\nthis tree / before, CPU time: median {statistics.median([1 / x for x in speedup]):.3f} "
                 f"({', '.join(f'{1 / x:.3f}' for x in speedup)})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages in the corpus (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best counts (default 3)")
    parser.add_argument("--profile-top", type=int, default=0, metavar="N",
                        help="also print the N most expensive functions of each mode (cProfile)")
    parser.add_argument("--steps", action="store_true", help="also time each step of generic mode")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="only compare generic mode of TREE (another source tree) and of this one")
    args = parser.parse_args(argv)
    if args.before is not None:
        print(before_after(args.before, args.pages, args.rounds))
        return 0
    corpus = build_corpus(args.pages)
    best = measure(corpus, args.rounds)
    print(report(corpus, best, per_site(corpus)))
    if args.steps:
        print(f"\nWhere generic mode's time goes (best of {args.rounds} rounds, CPU time):\n")
        print(step_times(corpus, args.rounds))
    for mode in ("profile", "generic") if args.profile_top else ():
        print(f"\n--- cProfile, {mode} mode ---\n{profile_top(corpus, mode, args.profile_top)}")
    pages = sum(len(a.pages) for a in corpus)
    missed = [m for m, t in TARGETS.items() if (pages / best[m]) / (pages / best["trafilatura"]) < t]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
