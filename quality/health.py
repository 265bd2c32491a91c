"""Crawl health: is a site's template still what its profile expects?  Pure functions over crawl stats.

Sites redesign without notice, and a broken profile rarely fails loudly: the content selector
matches nothing and the cleaners quietly fall back to main-content detection, a date selector goes
empty, a list pattern stops matching and the crawl "finishes" with a third of its records.  The
signs are all in a crawl's stats, so health is computed from them alone — by the HealthMonitor
extension when a crawl ends, and again later by ``speechcrawl site list`` from the stats the
catalog kept — and compared with the previous crawl of the same site.

Every counter lives under ``speechcrawl/health/``; :func:`evaluate` turns two crawls' stats into
warnings a maintainer can act on (each names the number, the selector or the field involved).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PREFIX", "LEAKS", "META_FIELDS", "SELECTOR_KEYS", "Thresholds", "compare", "evaluate", "key",
           "counters_of"]

PREFIX = "speechcrawl/health/"
LEAKS = re.compile(
    r"相关文章|相关阅读|相关推荐|相关新闻|相关链接|猜你喜欢|热门文章|上一篇|下一篇|扫一扫|扫码|二维码|小编|版权所有|ICP备"
    r"|公网安备|抢沙发|发表评论|网友评论|推荐访问|当前位置|您的位置|责任编辑|分享到|点击查看|免费下载|下载文档|加入收藏"
    r"|阅读全文|打印本页|关闭窗口|上一页|下一页|隐藏内容"
)
"""Site furniture that has no business in a speech's text: one of these in a record is a leak."""
META_FIELDS = ("title", "date", "source", "speaker")
SELECTOR_KEYS = ("article.title", "article.date", "article.source")
"""Selectors checked on a sample of article pages (the content selector is judged on every page)."""
_MIN_RECORDS = 3
"""Below this many records a ratio says nothing."""


def key(name: str) -> str:
    """The stats key of a health counter."""
    return PREFIX + name


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """When a ratio becomes a warning (the SPEECHCRAWL_HEALTH_* settings)."""

    max_drop: float = 0.5
    """Records, or mean text length, falling below this share of the previous crawl's."""
    max_empty: float = 0.2
    max_errors: float = 0.1
    max_fallback: float = 0.2
    max_leaks: float = 0.05


def _int(stats: Mapping[str, Any], name: str) -> int:
    value = stats.get(key(name), 0)
    return int(value) if isinstance(value, int | float) else 0


def _str(stats: Mapping[str, Any], name: str) -> str:
    return str(stats.get(key(name), ""))


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole}"


def _this_crawl(stats: Mapping[str, Any], t: Thresholds) -> list[str]:
    out: list[str] = []
    profiled = _str(stats, "mode") == "profile"
    docs, records = _int(stats, "documents"), _int(stats, "records")
    empty = int(stats.get("speechcrawl/clean/dropped_empty", 0) or 0)
    if profiled and docs + empty >= _MIN_RECORDS and empty > t.max_empty * (docs + empty):
        out.append(f"empty text: {_share(empty, docs + empty)} article pages gave no text after cleaning")
    # Generic mode follows every link, dead ones included: there only server errors and silence count.
    lost = int(stats.get("retry/max_reached", 0) or 0)
    responses = _int(stats, "responses")
    # A 404/410 of a page the catalog holds records of is the site taking it down (corpus.history), not an
    # error of the crawl or the template: it is counted as gone, not here.
    gone = int(stats.get("speechcrawl/catalog/gone", 0) or 0)
    failed = _int(stats, "failed/5xx") + lost + (max(0, _int(stats, "failed/4xx") - gone) if profiled else 0)
    if responses + lost >= _MIN_RECORDS and failed > t.max_errors * (responses + lost):
        what = "HTTP status >= 400" if profiled else "HTTP status >= 500"
        out.append(f"errors: {_share(failed, responses + lost)} fetches failed ({what} or no answer)")
    leaky = _int(stats, "leaky")
    if records and leaky > t.max_leaks * records:
        example = _str(stats, "leak_example")
        out.append(f"leaks: {_share(leaky, records)} records contain site furniture ({example})")
    fallback = _int(stats, "fallback")
    if profiled and docs and fallback > t.max_fallback * docs:
        out.append(f"content selector article.content = {_str(stats, 'selector/article.content')} matched nothing "
                   f"on {_share(fallback, docs)} article pages (the cleaners fell back to main-content detection): "
                   "the template changed?")
    sampled = _int(stats, "sampled")
    for name in SELECTOR_KEYS:
        selector = _str(stats, f"selector/{name}")
        if profiled and selector and sampled >= _MIN_RECORDS and _int(stats, f"missed/{name}") == sampled:
            out.append(f"selector {name} = {selector} matched nothing on {_share(sampled, sampled)} sampled "
                       "article pages")
    if profiled and not records and responses:
        out.append(f"no records from {responses} pages: do links.list / links.article still match the site's URLs?")
    return out


def compare(stats: Mapping[str, Any], prev: Mapping[str, Any], prev_id: str, t: Thresholds | None = None) -> list[str]:
    """Warnings from comparing a crawl with an earlier one (``prev_id`` names it in the messages)."""
    t = t or Thresholds()
    out: list[str] = []
    records, before = _int(stats, "records"), _int(prev, "records")
    # Counts and lengths only compare over the same pages (a sample of four articles against a full
    # crawl says nothing); fill rates of metadata fields compare across any two crawls.
    same = _str(stats, "scope") == _str(prev, "scope")
    if same and before >= _MIN_RECORDS and records < (1 - t.max_drop) * before:
        out.append(f"record count dropped: {records} records, {before} in crawl {prev_id}")
    if records >= _MIN_RECORDS and before >= _MIN_RECORDS:
        mean, mean_before = _int(stats, "chars") / records, _int(prev, "chars") / before
        if same and mean < (1 - t.max_drop) * mean_before:
            out.append(f"text length dropped: {mean:.0f} characters per record, {mean_before:.0f} in crawl {prev_id}")
        for field in META_FIELDS:
            now, then = _int(stats, f"filled/{field}") / records, _int(prev, f"filled/{field}") / before
            if then >= 0.5 and now < then / 2:
                out.append(f"metadata field {field!r} went empty: filled in {now:.0%} of records, "
                           f"{then:.0%} in crawl {prev_id}")
    return out


def evaluate(stats: Mapping[str, Any], previous: Mapping[str, Any] | None = None, previous_id: str = "",
             thresholds: Thresholds | None = None) -> list[str]:
    """Warnings for one site's crawl, from its stats and those of the site's previous crawl."""
    t = thresholds or Thresholds()
    out = _this_crawl(stats, t)
    if previous is not None:
        out += compare(stats, previous, previous_id, t)
    return out


def counters_of(records: Iterable[Mapping[str, Any]], scope: str) -> dict[str, Any]:
    """The record counters of stats, computed from records (a fixture's expected records as a baseline)."""
    out: dict[str, Any] = {key("scope"): scope, key("records"): 0, key("chars"): 0}
    for record in records:
        out[key("records")] += 1
        out[key("chars")] += len(str(record.get("text") or ""))
        for field in META_FIELDS:
            if record.get(field):
                out[key(f"filled/{field}")] = out.get(key(f"filled/{field}"), 0) + 1
    return out
