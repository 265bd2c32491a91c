"""Step 5: compilations split into one record per 篇; SEO filler and the compilation title are no speech."""

from __future__ import annotations

import pytest

from cleaners import Page, SiteRules, clean
from cleaners.compilation import heading_of, parse_numeral

BODY = ("<p>同志们：</p><p>今天召开{n}号会议，主要任务是总结工作、部署任务，动员大家进一步统一思想、明确目标。</p>"
        "<p>要坚持问题导向，强化责任担当，推动第{n}项工作落地见效，确保全年目标任务圆满完成。</p>")
FILLER = ("<p>在日常学习、工作或生活中，大家总少不了接触讲话稿吧，讲话稿是在特定场合发表讲话的文稿。那么你知道讲话稿要怎么写吗？"
          "下面是小编为大家整理的讲话稿，供大家参考，希望能够帮助到大家。</p>")


def page(headings: list[str], *, title: str = "全市工作会议讲话稿(优秀{count}篇)", filler: str = FILLER) -> Page:
    parts = "".join(f"<h3>{h}</h3>" + BODY.format(n=n) for n, h in enumerate(headings, 1))
    t = title.format(count=len(headings))
    html = f"<html><head><title>{t}</title></head><body><div class='con'><h1>{t}</h1>{filler}{parts}</div></body></html>"
    return Page(url="http://example.test/c.html", html=html)


def cn(n: int) -> str:
    digits = "一二三四五六七八九"
    return digits[n - 1] if n < 10 else ("十" if n < 20 else digits[n // 10 - 1] + "十") + (digits[n % 10 - 1] if n % 10 else "")


@pytest.mark.parametrize(("headings", "labels"), [
    ([f"全市工作会议讲话篇{cn(n)}" for n in range(1, 20)], [f"篇{cn(n)}" for n in range(1, 20)]),
    ([f"全市工作会议讲话篇{n}" for n in range(1, 10)], [f"篇{n}" for n in range(1, 10)]),
    ([f"第{cn(n)}篇：在全市第{n}次工作会议上的讲话" for n in range(1, 4)], ["第一篇", "第二篇", "第三篇"]),
    ([f"【篇{cn(n)}】" for n in range(1, 5)], ["篇一", "篇二", "篇三", "篇四"]),
    ([f"【第{n}篇】在全县第{n}次工作会议上的讲话" for n in range(1, 4)], ["第1篇", "第2篇", "第3篇"]),
    ([f"范文{cn(n)}" for n in range(1, 4)], ["范文一", "范文二", "范文三"]),
])
def test_one_record_per_part(headings: list[str], labels: list[str]) -> None:
    for rules in (None, SiteRules(content=("div.con",), compilation=True)):
        records = clean([page(headings)], rules).records
        assert [r.part.label for r in records if r.part] == labels
        assert [(r.part.index, r.part.count) for r in records if r.part] == [(n, len(labels)) for n in range(1, len(labels) + 1)]
        for n, record in enumerate(records, 1):
            assert record.text.startswith("同志们：") and f"今天召开{n}号会议" in record.text
            assert f"今天召开{n + 1}号会议" not in record.text
        assert "讲话稿吧" not in records[0].text and "优秀" not in records[0].text
        assert records[0].audit["filler"]["count"] >= 1


def test_part_titles_come_from_headings_or_the_page_title() -> None:
    records = clean([page([f"第{cn(n)}篇：在全市第{n}次工作会议上的讲话" for n in range(1, 4)])]).records
    assert [r.title for r in records] == [f"在全市第{n}次工作会议上的讲话" for n in range(1, 4)]
    assert [r.occasion for r in records] == [f"全市第{n}次工作会议" for n in range(1, 4)]
    bare = clean([page([f"【篇{cn(n)}】" for n in range(1, 4)], title="全市工作会议讲话稿【精选3篇】")]).records
    assert {r.title for r in bare} == {"全市工作会议讲话稿"}


def test_near_copy_parts_stay_records_with_their_own_text() -> None:
    same = "".join(f"<h3>讲话篇{cn(n)}</h3>" + BODY.format(n=1) for n in range(1, 4))
    html = f"<html><head><title>讲话(3篇)</title></head><body><div class='con'>{same}</div></body></html>"
    records = clean([Page(url="http://example.test/c.html", html=html)]).records
    assert len(records) == 3 and len({r.text for r in records}) == 1 and records[0].text.count("同志们") == 1


@pytest.mark.parametrize("headings", [
    ["全市工作会议讲话篇一"],  # one label is no run
    ["全市工作会议讲话篇二", "全市工作会议讲话篇三"],  # a run must start at 1
])
def test_no_split_without_a_run_from_one(headings: list[str]) -> None:
    records = clean([page(headings, filler="")]).records
    assert len(records) == 1 and records[0].part is None


def test_a_profile_can_forbid_splitting() -> None:
    rules = SiteRules(content=("div.con",), compilation=False)
    records = clean([page([f"全市工作会议讲话篇{n}" for n in range(1, 4)])], rules).records
    assert len(records) == 1 and records[0].part is None


@pytest.mark.parametrize(("text", "expected"), [
    ("全市开发区工作会议讲话精神篇十九", (19, "篇十九", "全市开发区工作会议讲话精神")),
    ("在全市高质量发展工作会议上的讲话篇9", (9, "篇9", "在全市高质量发展工作会议上的讲话")),
    ("【篇一】", (1, "篇一", "")),
    ("第二篇：在全县招商引资工作会议上的发言", (2, "第二篇", "在全县招商引资工作会议上的发言")),
    ("第二篇章：奋力开创新局面", None),
    ("这篇讲话稿写得很好，大家要认真学习。", None),
])
def test_heading_of(text: str, expected: tuple[int, str, str] | None) -> None:
    assert heading_of(text) == expected


def test_parse_numeral() -> None:
    assert [parse_numeral(t) for t in ("一", "十", "十九", "二十一", "12", "百", "甲")] == [1, 10, 19, 21, 12, 100, None]
