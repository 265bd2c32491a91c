"""quality.health: each monitor warns when its sign shows, names what it saw, and stays quiet otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from quality.health import LEAKS, Thresholds, evaluate, key

_OTHER = ("speechcrawl/clean/dropped_empty", "retry/max_reached")


def stats(counters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Stats of a healthy 20-record profile crawl, changed by ``counters`` (health names, or _OTHER keys)."""
    base: dict[str, Any] = {"mode": "profile", "scope": "full", "responses": 30, "documents": 20, "records": 20,
                            "chars": 40000, "filled/title": 20, "filled/date": 20, "filled/source": 0,
                            "filled/speaker": 0, "sampled": 20,
                            "selector/article.content": '["div.entry-content"]',
                            "selector/article.date": '["div.meta"]'}
    base.update(counters or {})
    return {k if k in _OTHER else key(k): v for k, v in base.items()}


def test_a_healthy_crawl_has_no_warning() -> None:
    assert evaluate(stats(), stats(), "c0") == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ({"fallback": 20}, "content selector article.content = [\"div.entry-content\"] matched nothing on 20 of 20"),
        ({"missed/article.date": 20}, "selector article.date = [\"div.meta\"] matched nothing on 20 of 20 sampled"),
        ({"failed/4xx": 5}, "errors: 5 of 30 fetches failed (HTTP status >= 400"),
        ({"leaky": 2, "leak_example": "'相关文章' in http://x/1.html"}, "leaks: 2 of 20 records contain site furniture "
                                                                     "('相关文章' in http://x/1.html)"),
        ({"documents": 10, "speechcrawl/clean/dropped_empty": 10}, "empty text: 10 of 20 article pages"),
        ({"records": 0, "documents": 0}, "no records from 30 pages"),
    ],
)
def test_signs_in_one_crawl(now: dict[str, Any], expected: str) -> None:
    warnings = evaluate(stats(now))
    assert any(expected in w for w in warnings), warnings


def test_signs_against_the_previous_crawl() -> None:
    previous = stats()
    warnings = evaluate(stats({"records": 8, "chars": 4000, "filled/date": 0}), previous, "c0")
    assert "record count dropped: 8 records, 20 in crawl c0" in warnings
    assert "text length dropped: 500 characters per record, 2000 in crawl c0" in warnings
    assert "metadata field 'date' went empty: filled in 0% of records, 100% in crawl c0" in warnings
    assert not any("'source'" in w for w in warnings)  # never filled: nothing went empty


def test_record_counts_compare_only_like_with_like() -> None:
    assert evaluate(stats({"records": 8, "chars": 16000, "scope": "articles<=8"}), stats(), "c0") == []


def test_generic_mode_ignores_dead_links_and_empty_pages() -> None:
    generic = stats({"mode": "generic", "failed/4xx": 20, "speechcrawl/clean/dropped_empty": 40, "fallback": 20})
    assert evaluate(generic) == []
    assert evaluate(stats({"mode": "generic", "failed/5xx": 10})) != []
    assert evaluate(stats({"mode": "generic", "retry/max_reached": 10})) != []


def test_thresholds_are_settings() -> None:
    assert evaluate(stats({"failed/4xx": 5}), thresholds=Thresholds(max_errors=0.5)) == []


def test_leak_patterns_do_not_fire_on_speech() -> None:
    speech = "同志们,要当好拼抢主攻手,攻坚冲刺四季度。当前,全市上下正处在爬坡过坎的关键阶段,相关部门要密切配合。"
    assert LEAKS.search(speech) is None
    assert LEAKS.search("【在全市工作会议上的讲话】相关文章:") is not None
