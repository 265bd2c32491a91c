"""The quality table of docs/quality.md: issue 4's targets, and trafilatura side by side on the same pages.

    python -m quality.table [--articles 200]

Starts the sandbox (random loopback ports), scores the cleaners per record with
quality.scoring (profile and generic mode, exactly what ``speechcrawl quality`` prints), then
scores speechcrawl and ``trafilatura.extract`` (default settings) per *article* on the same
fetched pages — trafilatura cannot split a compilation, so the fair common ground is the whole
article: every part's text joined, against every gold part joined.  Last, the real pages
(quality.realpages, generic mode, no charset hint).  Prints markdown; slow (minutes), never a test.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import Any

from cleaners import Page, SiteRules, clean
from quality.metrics import bigram_f1
from quality.realpages import score_realpages
from quality.scoring import MASK_LEFT, TARGETS, fetch_pages, score_sandbox

Extract = Callable[[list[Page]], str]


def _ours(rules: SiteRules | None) -> Extract:
    return lambda pages: "\n".join(r.text for r in clean(pages, rules).records)


def _trafilatura(pages: list[Page]) -> str:
    import trafilatura

    return "\n".join(trafilatura.extract(p.html) or "" for p in pages)


def score_articles(site: str, base_url: str, articles: int, extractors: Mapping[str, Extract]) -> dict[str, Any]:
    """Article-level mean F1, leaks and mask characters left, per extractor, on the same pages."""
    from sandbox.gold import gold_records

    by_url: dict[str, list[dict[str, Any]]] = {}
    for record in gold_records(site, base_url, articles):
        by_url.setdefault(record["url"], []).append(record)
    sums = {name: {"f1": 0.0, "leaks": 0, "masks_left": 0} for name in extractors}
    for golds in by_url.values():
        pages = fetch_pages(golds[0]["pages"])
        gold = "\n".join(g["text"] for g in golds)
        leaks = {s for g in golds for s in g["must_not_contain"] if s not in gold}
        for name, extract in extractors.items():
            text = extract(pages)
            sums[name]["f1"] += bigram_f1(text, gold)
            sums[name]["leaks"] += sum(1 for s in leaks if s in text)
            sums[name]["masks_left"] += len(MASK_LEFT.findall(text))
    return {name: {**v, "f1": round(v["f1"] / len(by_url), 4)} for name, v in sums.items()}


def _targets(reports: Mapping[str, Mapping[str, Any]], real: Mapping[str, Any]) -> list[str]:
    prof, gen = reports["profile"]["sites"], reports["generic"]["sites"]
    rates = [e["rate"] for s in prof.values() for e in s["metadata"].values()]

    def row(target: str, value: str, met: bool) -> str:
        return f"| {target} | {value} | {'yes' if met else '**no**'} |"

    lowest = min(prof.values(), key=lambda s: s["mean_f1"])["mean_f1"]
    g_lowest = min(gen.values(), key=lambda s: s["mean_f1"])["mean_f1"]
    return [
        "| target | measured | met |", "| --- | --- | --- |",
        row("sandbox, profiles: mean F1 ≥ 0.99 on every site", f"lowest site {lowest:.4f}", lowest >= 0.99),
        row("sandbox, profiles: zero leaks", str(sum(s["leaks"] for s in prof.values())),
            all(s["leaks"] == 0 for s in prof.values())),
        row("sandbox, profiles: zero mask characters left (strip)", str(sum(s["mask_chars_left"] for s in prof.values())),
            all(s["mask_chars_left"] == 0 for s in prof.values())),
        row("sandbox, profiles: metadata exact match ≥ 95% per field the gold has", f"lowest {min(rates):.2%}",
            min(rates) >= TARGETS["profile"]["meta"]),
        row("sandbox, generic mode: mean F1 ≥ 0.95", f"lowest site {g_lowest:.4f}", g_lowest >= 0.95),
        row("sandbox, generic mode: zero injected-sentence leaks", str(sum(s["ad_leaks"] for s in gen.values())),
            all(s["ad_leaks"] == 0 for s in gen.values())),
        row(f"real pages ({real['pages']}), generic: mean F1 ≥ 0.96", f"{real['mean_f1']:.4f}", real["mean_f1"] >= 0.96),
        row("real pages: no mojibake", str(real["mojibake"]), real["mojibake"] == 0),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="articles per sandbox site (default 200)")
    args = parser.parse_args(argv)
    from sandbox import SandboxProcess
    from spiders.profiles import load_profiles

    profiles = load_profiles()
    with SandboxProcess(articles=args.articles, port_base=0) as sandbox:
        reports = {mode: score_sandbox(sandbox.urls, generic=mode == "generic", articles=args.articles)
                   for mode in ("profile", "generic")}
        side = {site: score_articles(site, url, args.articles, {
            "profile": _ours(profiles[site].rules), "generic": _ours(None), "trafilatura": _trafilatura})
            for site, url in sandbox.urls.items()}
    real = score_realpages()
    lines = [f"Sandbox: {args.articles} articles per site; real pages: {real['pages']} pages.", ""]
    lines += _targets(reports, real)
    lines += ["", "Per site and record (`speechcrawl quality`, profile / generic):", "",
              "| site | records | mean F1 | leaks | masks left | metadata (lowest field) |", "| --- | ---: | --- | --- | --- | --- |"]
    for site, p in reports["profile"]["sites"].items():
        g = reports["generic"]["sites"][site]
        meta = [min((e["rate"] for e in r["metadata"].values()), default=1.0) for r in (p, g)]
        lines.append(f"| {site} | {p['records']} | {p['mean_f1']:.4f} / {g['mean_f1']:.4f} | {p['leaks']} / {g['leaks']} | "
                     f"{p['mask_chars_left']} / {g['mask_chars_left']} | {meta[0]:.0%} / {meta[1]:.0%} |")
    lines += ["", "Side by side per article, same fetched pages (all parts of a compilation joined):", "",
              "| site | F1 profile | F1 generic | F1 trafilatura | leaks profile / generic / trafilatura | "
              "masks left profile / generic / trafilatura |", "| --- | ---: | ---: | ---: | --- | --- |"]
    for site, s in side.items():
        lines.append(f"| {site} | {s['profile']['f1']:.4f} | {s['generic']['f1']:.4f} | {s['trafilatura']['f1']:.4f} | "
                     f"{s['profile']['leaks']} / {s['generic']['leaks']} / {s['trafilatura']['leaks']} | "
                     f"{s['profile']['masks_left']} / {s['generic']['masks_left']} / {s['trafilatura']['masks_left']} |")
    lines += ["", f"Real pages, generic mode: mean F1 **{real['mean_f1']:.4f}** (lowest page {real['min_f1']}), "
                  f"trafilatura.extract **{real['trafilatura_mean_f1']:.4f}**, mojibake {real['mojibake']}.", "",
              "| page | encoding | F1 speechcrawl | F1 trafilatura |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {name} | {p['encoding']} | {p['f1']:.4f} | {p['trafilatura_f1']:.4f} |" for name, p in real["per_page"].items()]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
