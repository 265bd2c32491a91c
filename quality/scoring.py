"""Scoring the cleaners on the sandbox sites against their gold records (``speechcrawl quality``).

For every article of every site the pages are fetched over HTTP from the running
sandbox (loopback only), decoded as the crawler would (header charset as a hint),
cleaned — with the site's profile, or with ``rules=None`` for generic mode — and
compared with ``sandbox.gold.gold_records``: character-bigram F1 of the
text, leaks of ``must_not_contain`` strings, mask characters left under "strip",
and exact match of each metadata field the gold states (plus values invented
where the gold has none).  The cleaners never see the gold, and the leak and
mask checks here are written apart from cleaners/ so that the check is not circular.
"""

from __future__ import annotations

import logging
import re
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from cleaners import CleanRecord, CleanResult, Page, clean, decode_html
from cleaners.types import SiteRules
from quality.metrics import bigram_f1

__all__ = ["META_FIELDS", "TARGETS", "MASK_LEFT", "fetch_pages", "score_site", "score_sandbox", "run_quality",
           "missed_targets", "format_report"]

logger = logging.getLogger(__name__)

META_FIELDS = ("title", "speaker", "speaker_title", "occasion", "date", "source")
TARGETS: dict[str, dict[str, float]] = {
    "profile": {"mean_f1": 0.99, "leaks": 0, "mask_chars_left": 0, "meta": 0.95},
    "generic": {"mean_f1": 0.95, "ad_leaks": 0},
}
"""Issue 4's targets per mode: F1 and metadata rates are floors, leak counts ceilings (docs/quality.md)."""
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)
_AD_LEAK = re.compile(r"小编|隐藏内容|推荐访问|为(?:大家|您|你)\S{0,4}(?:整理|推荐|带来|分享|准备|收集)|了解更多|欢迎阅读")
"""A leaked string that is (part of) an injected ad sentence rather than chrome."""
MASK_LEFT = re.compile(
    r"[*＊ⅹⅩ]|××|□□|(?<![A-Za-z])(?:[xXＸｘ]{2,}|[xX](?=%))(?![A-Za-z])|(?:19|20)[xX*×]{1,2}年|_{2,}"
)
"""Mask shapes, written independently of cleaners.masks so that the check is not circular."""


def _fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    host = urlsplit(url).hostname or ""
    if host not in _LOOPBACK:
        raise ValueError(f"refusing to fetch {url}: the quality check only talks to the loopback sandbox")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback, checked above)
        match = _CHARSET.search(response.headers.get("Content-Type", ""))
        return response.read(), match.group(1) if match else None


def fetch_pages(urls: Iterable[str], timeout: float = 10.0) -> list[Page]:
    """The pages of one sandbox article, fetched and decoded as the crawler would (loopback only)."""
    decoded = []
    for url in urls:
        body, charset = _fetch(url, timeout)
        text = decode_html(body, charset).text
        if text is None:
            raise ValueError(f"{url}: undecodable")
        decoded.append(Page(url=url, html=text))
    return decoded


def _clean_article(pages: Iterable[str], rules: SiteRules | None, timeout: float) -> CleanResult:
    return clean(fetch_pages(pages, timeout), rules)


def _match(gold: Mapping[str, Any], records: tuple[CleanRecord, ...]) -> CleanRecord | None:
    part = gold.get("part")
    if part:
        return next((r for r in records if r.part is not None and r.part.index == part["index"]), None)
    return records[0] if records else None


def score_site(site: str, base_url: str, rules: SiteRules | None, *, articles: int | None = None,
               timeout: float = 10.0) -> dict[str, Any]:
    """Scores of one site (``rules=None``: generic mode)."""
    from sandbox.gold import gold_records  # the sandbox is only needed when scoring it

    gold = gold_records(site, base_url) if articles is None else gold_records(site, base_url, articles)
    by_article: dict[str, list[dict[str, Any]]] = {}
    for record in gold:
        by_article.setdefault(record["url"], []).append(record)
    f1s: list[float] = []
    leaks: list[str] = []
    ads = masks_left = missing = extra = found_records = 0
    matched = {f: 0 for f in META_FIELDS}
    stated = {f: 0 for f in META_FIELDS}
    invented = {f: 0 for f in META_FIELDS}
    for url, golds in by_article.items():
        result = _clean_article(golds[0]["pages"], rules, timeout)
        found_records += len(result.records)
        extra += max(0, len(result.records) - len(golds))
        for g in golds:
            record = _match(g, result.records)
            missing += record is None
            text = record.text if record else ""
            f1s.append(bigram_f1(text, g["text"]))
            found = [s for s in g["must_not_contain"] if s in text]
            leaks += [f"{url}: {s}" for s in found]
            ads += sum(1 for s in found if _AD_LEAK.search(s))
            masks_left += len(MASK_LEFT.findall(text))
            for name in META_FIELDS:
                value = getattr(record, name) if record else None
                if g[name] is None:
                    invented[name] += value is not None
                else:
                    stated[name] += 1
                    matched[name] += value == g[name]
    metadata = {f: {"match": matched[f], "total": stated[f], "rate": round(matched[f] / stated[f], 4)}
                for f in META_FIELDS if stated[f]}
    return {
        "records": len(f1s), "produced": found_records, "missing": missing, "extra": extra,
        "mean_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0, "min_f1": round(min(f1s, default=0.0), 4),
        "leaks": len(leaks), "ad_leaks": ads, "leak_examples": leaks[:5], "mask_chars_left": masks_left,
        "metadata": metadata, "invented": {f: n for f, n in invented.items() if n},
    }


def score_sandbox(base_urls: Mapping[str, str], generic: bool = False, *, articles: int | None = None,
                  timeout: float = 10.0) -> dict[str, Any]:
    """Scores of every site in ``base_urls`` ({site: "http://127.0.0.1:PORT"}), with its profile
    or (``generic``) without one."""
    rules: dict[str, SiteRules | None] = {}
    if not generic:
        from spiders.profiles import load_profiles  # profiles are only needed for profile mode

        profiles = load_profiles()
        rules = {site: profiles[site].rules for site in base_urls}
    sites = {site: score_site(site, url, rules.get(site), articles=articles, timeout=timeout)
             for site, url in base_urls.items()}
    for site, report in sites.items():
        logger.info("sandbox %s (%s): F1 %.4f, %d leaks", site, "generic" if generic else "profile",
                    report["mean_f1"], report["leaks"])
    return {"mode": "generic" if generic else "profile", "articles": articles, "sites": sites}


def run_quality(sites: Sequence[str] | None = None, *, generic: bool = False,
                articles: int | None = None) -> dict[str, Any]:
    """Start a sandbox of its own (random loopback ports), score it, stop it."""
    from sandbox import DEFAULT_ARTICLES, SandboxProcess

    count = articles or DEFAULT_ARTICLES
    with SandboxProcess(sites=list(sites) if sites else None, articles=count, port_base=0) as sandbox:
        return score_sandbox(sandbox.urls, generic=generic, articles=count)


def missed_targets(report: Mapping[str, Any]) -> list[str]:
    """One line per site and target the report misses (empty: every target met)."""
    targets = TARGETS[report["mode"]]
    out = []
    for site, scores in report["sites"].items():
        if scores["mean_f1"] < targets["mean_f1"]:
            out.append(f"{site}: mean F1 {scores['mean_f1']} < {targets['mean_f1']}")
        for ceiling in ("leaks", "ad_leaks", "mask_chars_left"):
            if ceiling in targets and scores[ceiling] > targets[ceiling]:
                out.append(f"{site}: {scores[ceiling]} {ceiling.replace('_', ' ')} (target {targets[ceiling]:g})")
        if "meta" in targets:
            out += [f"{site}: {field} exact match {entry['rate']} < {targets['meta']}"
                    for field, entry in scores["metadata"].items() if entry["rate"] < targets["meta"]]
        if scores["missing"]:
            out.append(f"{site}: {scores['missing']} gold records not found")
    return out


def format_report(report: Mapping[str, Any]) -> str:
    """The per-site table ``speechcrawl quality`` prints ("-" where the gold states no value)."""
    fields = "  ".join(f"{f:>13}" for f in META_FIELDS)
    lines = [f"sandbox quality, {report['mode']} mode, {report.get('articles') or 'default'} articles per site",
             f"{'site':8} {'expected':>8} {'found':>6} {'mean F1':>8} {'min F1':>7} {'leaks':>6} {'ad leaks':>8} "
             f"{'masks left':>10}  {fields}"]
    for site, s in report["sites"].items():
        rates = "  ".join(f"{s['metadata'][f]['rate']:>13.2%}" if f in s["metadata"] else f"{'-':>13}"
                          for f in META_FIELDS)
        lines.append(f"{site:8} {s['records']:>8} {s['records'] - s['missing']:>6} {s['mean_f1']:>8.4f} "
                     f"{s['min_f1']:>7.4f} {s['leaks']:>6} {s['ad_leaks']:>8} {s['mask_chars_left']:>10}  {rates}")
    return "\n".join(lines)
