"""Scoring the cleaners on the sandbox sites against their gold records.

For every article of every site the pages are fetched over HTTP from the running
sandbox (loopback only), decoded as the crawler would (header charset as a hint),
cleaned — with the site's profile, or with ``rules=None`` for generic mode — and
compared with ``crawler.sandbox.gold.gold_records``: character-bigram F1 of the
text, leaks of ``must_not_contain`` strings, mask characters left under "strip",
and exact match of each metadata field the gold states (plus values invented
where the gold has none).  The cleaners never see the gold.
"""

from __future__ import annotations

import logging
import re
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cleaners import CleanRecord, CleanResult, Page, clean, decode_html
from cleaners.types import SiteRules
from eval.metrics import bigram_f1

__all__ = ["META_FIELDS", "score_sandbox", "score_site"]

logger = logging.getLogger(__name__)

META_FIELDS = ("title", "speaker", "speaker_title", "occasion", "date", "source")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)
_AD_LEAK = re.compile(r"小编|隐藏内容|推荐访问")
_MASK_LEFT = re.compile(r"[*＊]|××|(?<![A-Za-z])(?:[xX]{2,}|[xX](?=%))(?![A-Za-z])|(?:19|20)[xX*]{1,2}年|_{2,}")
"""Mask shapes, written independently of cleaners.masks so that the check is not circular."""


def _fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    host = urlsplit(url).hostname or ""
    if host not in _LOOPBACK:
        raise ValueError(f"refusing to fetch {url}: the quality check only talks to the loopback sandbox")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback, checked above)
        match = _CHARSET.search(response.headers.get("Content-Type", ""))
        return response.read(), match.group(1) if match else None


def _clean_article(pages: Iterable[str], rules: SiteRules | None, timeout: float) -> CleanResult:
    decoded = []
    for url in pages:
        body, charset = _fetch(url, timeout)
        text = decode_html(body, charset).text
        if text is None:
            raise ValueError(f"{url}: undecodable")
        decoded.append(Page(url=url, html=text))
    return clean(decoded, rules)


def _match(gold: Mapping[str, Any], records: tuple[CleanRecord, ...]) -> CleanRecord | None:
    part = gold.get("part")
    if part:
        return next((r for r in records if r.part is not None and r.part.index == part["index"]), None)
    return records[0] if records else None


def score_site(site: str, base_url: str, rules: SiteRules | None, *, articles: int | None = None,
               timeout: float = 10.0) -> dict[str, Any]:
    """Scores of one site (``rules=None``: generic mode)."""
    from crawler.sandbox.gold import gold_records  # the sandbox is only needed when scoring it

    gold = gold_records(site, base_url) if articles is None else gold_records(site, base_url, articles)
    by_article: dict[str, list[dict[str, Any]]] = {}
    for record in gold:
        by_article.setdefault(record["url"], []).append(record)
    f1s: list[float] = []
    leaks: list[str] = []
    ads = masks_left = missing = extra = 0
    matched = {f: 0 for f in META_FIELDS}
    stated = {f: 0 for f in META_FIELDS}
    invented = {f: 0 for f in META_FIELDS}
    for url, golds in by_article.items():
        result = _clean_article(golds[0]["pages"], rules, timeout)
        extra += max(0, len(result.records) - len(golds))
        for g in golds:
            record = _match(g, result.records)
            missing += record is None
            text = record.text if record else ""
            f1s.append(bigram_f1(text, g["text"]))
            found = [s for s in g["must_not_contain"] if s in text]
            leaks += [f"{url}: {s}" for s in found]
            ads += sum(1 for s in found if _AD_LEAK.search(s))
            masks_left += len(_MASK_LEFT.findall(text))
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
        "records": len(f1s), "missing": missing, "extra": extra,
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
    return {"mode": "generic" if generic else "profile", "sites": sites}
