"""How well an unedited `site new` proposal, and a generic crawl, cover each sandbox site.

For each site: start the sandbox, propose a profile from list page 1 (no edit), crawl the whole
site with it, export; crawl the same site in generic mode from list page 1, export.  Both exports
are compared with the gold records (sandbox.gold): articles reached, mean character-bigram F1 over
the gold records reached, records that are no gold article (list, tag or reply pages), records
leaking a line the gold says must not be there (the site's ``must_not_contain``), and records whose
``date`` is not the gold's (the page's publication date) among the gold records that state one.

    PYTHONPATH=. python -m bench.coverage [--articles N] [SITE ...]

Prints a Markdown table (docs/adding-a-site.md, "How well an unedited proposal covers a site").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from quality.metrics import bigram_f1
from sandbox import ALL_SITES, SandboxProcess
from sandbox.gold import gold_records
from sandbox.sites import make_site

CLI = [sys.executable, "-m", "crawler.cli"]
_TIMEOUT = 1800


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"speechcrawl {' '.join(args)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return proc


def _export(data: Path, out: Path) -> list[dict[str, Any]]:
    _run("export", "--data", str(data), "--out", str(out), "--dedup", "none")
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def score(records: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage, mean F1 over the gold records reached, non-article records, records with a leak, and
    records reached whose date differs from the gold's."""
    def key(r: dict[str, Any]) -> tuple[str, int | None]:
        part = r.get("part")
        return r["url"], (part["index"] if part else None)

    by_key = {key(r): r for r in records}
    gold_keys = {key(g) for g in gold}
    found = [g for g in gold if key(g) in by_key]
    f1 = [bigram_f1(by_key[key(g)]["text"], g["text"]) for g in found]
    leaks = sum(1 for g in found if any(s in by_key[key(g)]["text"] for s in g["must_not_contain"]))
    dated = [g for g in found if g["date"] is not None]
    wrong = sum(1 for g in dated if by_key[key(g)].get("date") != g["date"])
    return {"gold": len(gold), "found": len(found), "coverage": len(found) / len(gold) if gold else 0.0,
            "f1": sum(f1) / len(f1) if f1 else 0.0, "extra": sum(1 for k in by_key if k not in gold_keys),
            "leaks": leaks, "dated": len(dated), "wrong_dates": wrong}


def measure(site: str, articles: int, root: Path) -> dict[str, dict[str, Any]]:
    dirs = ["--profiles", str(root / "profiles"), "--fixtures", str(root / "fixtures")]
    with SandboxProcess(sites=[site], articles=articles) as sb:
        start = sb.url(site, make_site(site, articles).list_path(1))
        gold = gold_records(site, sb.urls[site], articles)
        _run("site", "new", site, "--from-url", start, "--allow-private", "--data", str(root / "probe"), *dirs)
        _run("crawl", site, "--sandbox", "--no-progress", "--data", str(root / "profile"), *dirs[:2])
        _run("crawl", start, "--sandbox", "--no-progress", "--data", str(root / "generic"))
    return {"proposal": score(_export(root / "profile", root / "p.jsonl"), gold),
            "generic": score(_export(root / "generic", root / "g.jsonl"), gold)}


def _row(site: str, mode: str, s: dict[str, Any]) -> str:
    return (f"| {site} | {mode} | {s['found']}/{s['gold']} ({s['coverage']:.0%}) | {s['f1']:.3f} | "
            f"{s['extra']} | {s['leaks']} | {s['wrong_dates']}/{s['dated']} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sites", nargs="*", default=list(ALL_SITES))
    p.add_argument("--articles", type=int, default=40)
    args = p.parse_args(argv)
    print("| site | crawl | articles reached | mean F1 | non-article records | records with a site line "
          "| dates not the gold's |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for site in args.sites:
        with tempfile.TemporaryDirectory(prefix=f"coverage-{site}-") as tmp:
            result = measure(site, args.articles, Path(tmp))
        for mode in ("proposal", "generic"):
            print(_row(site, mode, result[mode]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
