"""End-to-end cleaning of saved pages: segments that must and must not survive, metadata, audit.

Each page in tests/fixtures/html is the text of a real capture in its template's markup;
tests/fixtures/gold.json says what its clean text must contain and must not contain, in
generic mode (no profile) and with the inline rules a profile would give.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cleaners import CLEANER_VERSION, CleanOptions, CleanResult, Page, SiteRules, clean, decode_html

FIXTURES = Path(__file__).parent / "fixtures"
GOLD: dict[str, Any] = {k: v for k, v in json.loads((FIXTURES / "gold.json").read_text("utf-8")).items()
                        if not k.startswith("_")}


def _rules(spec: dict[str, Any]) -> SiteRules:
    return SiteRules(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in spec.items()})


def _pages(case: dict[str, Any]) -> list[Page]:
    pages = []
    for name in case["pages"]:
        decoded = decode_html((FIXTURES / "html" / name).read_bytes())
        assert decoded.text is not None and decoded.encoding == case["encoding"], decoded.reason
        pages.append(Page(url=f"http://example.test/{name}", html=decoded.text))
    return pages


def _run(key: str, mode: str) -> CleanResult:
    case = GOLD[key]
    return clean(_pages(case), _rules(case["rules"]) if mode == "profile" else None)


CASES = [(key, mode) for key in GOLD for mode in ("generic", "profile")]


@pytest.mark.parametrize(("key", "mode"), CASES)
def test_segments_with_and_without(key: str, mode: str) -> None:
    case = GOLD[key]
    result = _run(key, mode)
    assert result.mode == mode
    assert len(result.records) == case["records"], result.skipped
    everything = "\n".join(r.text for r in result.records)
    for segment in case["with"]:
        assert segment in everything, f"missing {segment!r}"
    for segment in case["without"]:
        assert segment not in everything, f"leaked {segment!r}"
    for index, spec in case.get("parts", {}).items():
        text = result.records[int(index) - 1].text
        for segment in spec["with"]:
            assert segment in text, f"part {index} missing {segment!r}"
        for segment in spec["without"]:
            assert segment not in text, f"part {index} leaked {segment!r}"


@pytest.mark.parametrize(("key", "mode"), CASES)
def test_metadata(key: str, mode: str) -> None:
    expected = GOLD[key]["meta"]
    for record in _run(key, mode).records:
        for name, value in expected.items():
            assert getattr(record, name) == value, f"{name} of {record.part}"


def test_compilation_parts_are_numbered_and_labelled() -> None:
    records = _run("fanwen.kaifaqu", "generic").records
    assert [r.part.index for r in records if r.part] == list(range(1, 20))
    assert {r.part.count for r in records if r.part} == {19}
    assert records[9].part is not None and records[9].part.label == "篇十"
    wendang = _run("wendang.gaozhiliang", "profile").records
    assert [r.part.label for r in wendang if r.part][:3] == ["篇1", "篇2", "篇3"]


def test_text_is_normalised_paragraphs() -> None:
    for record in _run("ribao.jingzhou", "generic").records:
        for line in record.text.split("\n"):
            assert line and line == line.strip() and "  " not in line and "\u3000" not in line


def test_audit_counts_what_was_removed() -> None:
    fanwen = _run("fanwen.kaifaqu", "generic").records
    assert fanwen[0].audit["filler"]["count"] >= 1  # the SEO intro above 篇一
    part5 = fanwen[4].audit
    assert part5["injected_ads"]["count"] == 1 and part5["markers"]["count"] == 1
    assert part5["masks"]["count"] == len(fanwen[4].masks)
    wenmi = _run("wenmi.xuehuzhou", "profile").records[0].audit
    assert wenmi["chrome"]["count"] >= 1 and wenmi["byline"]["chars"] > 0


def test_pages_are_stitched_without_repeats() -> None:
    record = _run("sucai.yasangshi", "profile").records[0]
    assert record.text.count("第五,这是我们改进党员干部能力作风的现实所需") == 1
    assert "第3/3页" not in record.text
    assert record.audit["chrome"]["count"] == 3  # the byline bar of each page


@pytest.mark.parametrize("mode", ["strip", "keep", "placeholder"])
def test_mask_modes(mode: str) -> None:
    pages = _pages(GOLD["fanwen.kaifaqu"])
    record = clean(pages, None, CleanOptions(mask_mode=mode)).records[4]
    assert record.masks
    for mask in record.masks:
        shown = {"keep": mask.original, "placeholder": "□"}.get(mode)
        if shown:
            assert record.text[mask.offset:mask.offset + len(shown)] == shown
    if mode == "strip":
        assert "*" not in record.text
    if mode == "keep":
        assert "以******新时代中国特色社会主义思想" not in record.text  # the name mask is before 新时代
        assert "深入学习贯彻******新时代中国特色社会主义思想" in record.text


def test_list_page_is_skipped_not_an_error() -> None:
    html = "<html><body><ul>" + "".join(f'<li><a href="/a/{i}.html">在全市第{i}次工作会议上的讲话</a></li>'
                                        for i in range(40)) + "</ul></body></html>"
    result = clean([Page(url="http://example.test/list.html", html=html)])
    assert result.records == () and result.skipped


def test_no_pages_and_version() -> None:
    assert clean([]).skipped == "no pages given"
    assert CLEANER_VERSION.count(".") == 2


_TEASER_ITEM = ('<li><a href="/a/{n}.html" class="title">在全市第{n}次工作会议上的讲话稿范文</a><span>点击:47{n}</span>'
                '<p class="intro">同志们:今天召开这次会议,主要任务是总结去年工作,部署今年任务,动员全市上下进一步统一思想、'
                '明确目标,为实现全年目标任务而努力奋斗。下面,我讲三点意见…</p></li>')


def test_generic_mode_drops_a_teaser_list() -> None:
    html = ("<html><body><div class='nav'><a href='/'>首页</a></div><div class='listbox'><ul>"
            + "".join(_TEASER_ITEM.format(n=n) for n in range(1, 9))
            + "</ul></div><p>Copyright © 2012-2023 范文网 All Rights Reserved. 声明:本站所有文章资源内容,如无"
              "特殊说明或标注,均为采集网络资源。如若本站内容侵犯了原著者的合法权益,可联系本站删除。</p></body></html>")
    result = clean([Page(url="http://example.test/list_1.html", html=html)])
    assert result.records == () and "list page" in (result.skipped or "")


def test_generic_mode_keeps_an_article_with_a_see_also_link() -> None:
    body = "".join(f"<p>第{n}段:要坚持问题导向,强化责任担当,推动各项工作落地见效,确保全年目标任务圆满完成。</p>"
                   for n in range(1, 8))
    html = (f"<html><body><div class='content'><h1>在全市工作会议上的讲话</h1>{body}"
            "<p><a href='/a/2.html'>在全市经济工作会议上的讲话全文</a></p>"
            "<p>同志们,让我们携起手来,为建设更加美好的明天而努力奋斗!</p></div>"
            "<p>Copyright © 2012-2023 范文网 版权所有</p></body></html>")
    result = clean([Page(url="http://example.test/a/1.html", html=html)])
    assert len(result.records) == 1
    text = result.records[0].text
    assert "第7段" in text and "美好的明天" in text and "Copyright" not in text
