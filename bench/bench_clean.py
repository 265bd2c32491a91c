"""Cleaning throughput: speechcrawl's cleaners (with profiles, and generic) vs trafilatura.extract, same pages.

    python -m bench.bench_clean [--pages 2000] [--rounds 3] [--profile-top 0]

The pages are the sandbox's own article pages (2,000 by default: 400 from each of the five
sites, every page of a paginated article counted), rendered in this process and decoded once,
so every run below works on the same ``str`` bodies in memory, in one process, one after the
other, with nothing else timed (no network, no parsing of the results).  speechcrawl cleans
the pages of one article together (that is how the crawler calls it, and what stitching
needs); trafilatura gets each page alone with its default settings.  Each run is repeated
``--rounds`` times, interleaved, and the best round counts: on a shared 2-core machine the
best round is the one least disturbed.  Ratios are computed from these same rounds.
Prints a markdown section for docs/benchmarks.md.  Never run as a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages in the corpus (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best counts (default 3)")
    parser.add_argument("--profile-top", type=int, default=0, metavar="N",
                        help="also print the N most expensive functions of each mode (cProfile)")
    args = parser.parse_args(argv)
    corpus = build_corpus(args.pages)
    best = measure(corpus, args.rounds)
    print(report(corpus, best, per_site(corpus)))
    for mode in ("profile", "generic") if args.profile_top else ():
        print(f"\n--- cProfile, {mode} mode ---\n{profile_top(corpus, mode, args.profile_top)}")
    pages = sum(len(a.pages) for a in corpus)
    missed = [m for m, t in TARGETS.items() if (pages / best[m]) / (pages / best["trafilatura"]) < t]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
