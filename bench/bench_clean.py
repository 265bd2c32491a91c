"""Cleaning throughput: speechcrawl's cleaners (with profiles, and generic) vs trafilatura.extract, same pages.

    python -m bench.bench_clean [--pages 2000] [--rounds 3] [--profile-top 0] [--steps]

The pages are the sandbox's own article pages (2,000 by default: 400 from each of the five
sites, every page of a paginated article counted), rendered in this process and decoded once,
so every run below works on the same ``str`` bodies in memory, in one process, one after the
other, with nothing else timed (no network, no parsing of the results).  speechcrawl cleans
the pages of one article together (that is how the crawler calls it, and what stitching
needs); trafilatura gets each page alone with its default settings.  Each run is repeated
``--rounds`` times, interleaved, and the best round counts: on a shared 2-core machine the
best round is the one least disturbed.  Ratios are computed from these same rounds.
Prints a markdown section for docs/benchmarks.md.  ``--steps`` also times each numbered step
of generic mode (cleaners.pipeline) on the same pages, wall time without a profiler.  Never
run as a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    ("cleaners.pipeline", "parse", "1 parse (lxml)"),
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
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
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


def step_times(corpus: list[Article], rounds: int) -> str:
    """Generic mode's time per step (best of ``rounds``), as a markdown table."""
    best_total = float("inf")
    best: dict[str, float] = {}
    for _ in range(rounds):
        spent: dict[str, float] = {}
        with _timed_steps(spent):
            started = time.perf_counter()
            for a in corpus:
                clean(a.pages, None)
            total = time.perf_counter() - started
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages in the corpus (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best counts (default 3)")
    parser.add_argument("--profile-top", type=int, default=0, metavar="N",
                        help="also print the N most expensive functions of each mode (cProfile)")
    parser.add_argument("--steps", action="store_true", help="also time each step of generic mode")
    args = parser.parse_args(argv)
    corpus = build_corpus(args.pages)
    best = measure(corpus, args.rounds)
    print(report(corpus, best, per_site(corpus)))
    if args.steps:
        print(f"\nWhere generic mode's time goes (best of {args.rounds} rounds, wall time):\n")
        print(step_times(corpus, args.rounds))
    for mode in ("profile", "generic") if args.profile_top else ():
        print(f"\n--- cProfile, {mode} mode ---\n{profile_top(corpus, mode, args.profile_top)}")
    pages = sum(len(a.pages) for a in corpus)
    missed = [m for m, t in TARGETS.items() if (pages / best[m]) / (pages / best["trafilatura"]) < t]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
