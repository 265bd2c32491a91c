"""The quality gate: scores must never fall below the floors in quality/baseline.json.

Usage::

    python -m quality.gate                       # real pages only
    python -m quality.gate --sandbox             # + the five sandbox sites (starts its own server)
    python -m quality.gate --sandbox --articles 400   # the same floors on more articles a site
    python -m quality.gate --sandbox-urls '{"wenmi": "http://127.0.0.1:8601", ...}'
    python -m quality.gate --sandbox --update    # raise the floors to today's scores

Each metric has a direction: F1 and metadata match rates are floors (higher is
better), leaks, mojibake and left-over masks are ceilings (lower is better).
``--update`` only ever moves a bound the good way; lowering one needs
``--allow-regression``, which a commit should justify.  The real-page corpus is
pinned by its sha256: scores of other pages are never compared with these floors.
Exit codes: 0 pass, 1 a metric regressed or the corpus changed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quality.realpages import score_realpages
from quality.scoring import score_sandbox

__all__ = ["BASELINE", "metrics_of", "compare", "raise_floors", "run", "main"]

BASELINE = Path(__file__).with_name("baseline.json")
_CEILINGS = ("leaks", "ad_leaks", "mojibake", "mask_chars_left", "missing", "extra")


def metrics_of(realpages: Mapping[str, Any], sandbox: list[Mapping[str, Any]]) -> dict[str, float]:
    """The gated numbers of the reports, under dotted names."""
    out: dict[str, float] = {"realpages.mean_f1": realpages["mean_f1"], "realpages.min_f1": realpages["min_f1"],
                             "realpages.mojibake": realpages["mojibake"]}
    for report in sandbox:
        for site, scores in report["sites"].items():
            prefix = f"sandbox.{report['mode']}.{site}"
            for key in ("mean_f1", *_CEILINGS):
                if key in scores:
                    out[f"{prefix}.{key}"] = scores[key]
            for field, entry in scores["metadata"].items():
                out[f"{prefix}.meta.{field}"] = entry["rate"]
    return out


def _is_ceiling(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in _CEILINGS


def compare(metrics: Mapping[str, float], baseline: Mapping[str, Any]) -> list[str]:
    """One message per metric that is worse than its bound (missing metrics are not checked)."""
    problems = []
    for name, bound in baseline.get("bounds", {}).items():
        if name not in metrics:
            continue
        value = metrics[name]
        if (value > bound) if _is_ceiling(name) else (value < bound):
            word = "ceiling" if _is_ceiling(name) else "floor"
            problems.append(f"{name}: {value} is worse than the {word} {bound}")
    return problems


def raise_floors(metrics: Mapping[str, float], baseline: Mapping[str, Any], *,
                 allow_regression: bool) -> tuple[dict[str, Any], list[str]]:
    """New baseline with today's values; refused moves are reported unless regressions are allowed."""
    bounds = dict(baseline.get("bounds", {}))
    refused = []
    for name, value in metrics.items():
        old = bounds.get(name)
        better = old is None or ((value <= old) if _is_ceiling(name) else (value >= old))
        if better or allow_regression:
            bounds[name] = value
        else:
            refused.append(f"{name}: would move from {old} to {value} (use --allow-regression)")
    return {**baseline, "bounds": dict(sorted(bounds.items()))}, refused


def _sandbox_reports(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.sandbox_urls:
        urls = json.loads(args.sandbox_urls)
        return [score_sandbox(urls, generic=False), score_sandbox(urls, generic=True)]
    if args.sandbox:
        from sandbox import SandboxProcess

        with SandboxProcess(port_base=0, articles=args.articles) as sandbox:
            return [score_sandbox(sandbox.urls, generic=False, articles=args.articles),
                    score_sandbox(sandbox.urls, generic=True, articles=args.articles)]
    return []


def run(args: argparse.Namespace) -> int:
    baseline: dict[str, Any] = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline.exists() else {}
    realpages = score_realpages(compare=not args.no_compare)
    sandbox = _sandbox_reports(args)
    metrics = metrics_of(realpages, sandbox)
    if args.report:
        args.report.write_text(json.dumps({"realpages": realpages, "sandbox": sandbox}, ensure_ascii=False,
                                          indent=1), encoding="utf-8")
    summary = f"real pages: F1 {realpages['mean_f1']}"
    if "trafilatura_mean_f1" in realpages:
        summary += f" (trafilatura {realpages['trafilatura_mean_f1']})"
    print(summary)
    for report in sandbox:
        for site, scores in report["sites"].items():
            print(f"sandbox {report['mode']:7} {site:8} F1 {scores['mean_f1']:.4f}  leaks {scores['leaks']}  "
                  f"masks left {scores['mask_chars_left']}  "
                  + " ".join(f"{k} {v['rate']:.2f}" for k, v in scores["metadata"].items()))
    pinned = baseline.get("corpus_sha")
    if args.update:
        new, refused = raise_floors(metrics, baseline, allow_regression=args.allow_regression)
        if refused and not args.allow_regression:
            print("\n".join(refused), file=sys.stderr)
            return 1
        new["corpus_sha"] = realpages["corpus_sha"]
        args.baseline.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"baseline written: {args.baseline}")
        return 0
    if pinned and pinned != realpages["corpus_sha"]:
        print(f"real-page corpus changed (sha {realpages['corpus_sha'][:12]} != pinned {pinned[:12]}): "
              "re-pin with `python -m quality.gate --update`", file=sys.stderr)
        return 1
    problems = compare(metrics, baseline)
    for problem in problems:
        print(f"REGRESSION {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quality.gate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox", action="store_true", help="start the sandbox and score its five sites")
    parser.add_argument("--sandbox-urls", metavar="JSON", help='{"site": "http://127.0.0.1:PORT", ...}')
    parser.add_argument("--articles", type=int, default=None,
                        help="with --sandbox: articles per site (default 20; 400 finds what 20 hides)")
    parser.add_argument("--update", action="store_true", help="raise the bounds to today's scores")
    parser.add_argument("--allow-regression", action="store_true", help="let --update lower a floor")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--report", type=Path, help="write the full JSON report here")
    parser.add_argument("--no-compare", action="store_true", help="skip the trafilatura comparison")
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
