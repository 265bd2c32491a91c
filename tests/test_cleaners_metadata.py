"""Step 6: title, speaker, speaker_title, occasion, date, source — stated by the page, else None."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cleaners import Page, SiteRules, clean
from cleaners.metadata import _page_date, find_speaker, parse_date
from cleaners.parse import parse

BODY = "".join(f"<p>第{n}段：要坚持问题导向，强化责任担当，推动各项工作落地见效，确保全年目标任务圆满完成。</p>" for n in range(1, 7))


def meta(h1: str, before: str = "", *, head: str = "", info: str = "") -> dict[str, Any]:
    html = (f"<html><head><title>{h1}_范文网</title>{head}</head><body><div class='info'>{info}</div>"
            f"<div class='content'><h1>{h1}</h1>{before}{BODY}</div></body></html>")
    record = clean([Page(url="http://example.test/a.html", html=html)]).records[0]
    out = {k: getattr(record, k) for k in ("title", "speaker", "speaker_title", "occasion", "date", "source")}
    out["first"] = record.text.split("\n")[0]
    return out


def test_speaker_and_title_in_the_headline() -> None:
    m = meta("荆州市委书记吴锦:狠抓落地转化 重在行动奔跑")
    assert (m["title"], m["speaker"], m["speaker_title"], m["occasion"]) == ("狠抓落地转化 重在行动奔跑", "吴锦", "荆州市委书记", None)


@pytest.mark.parametrize(("h1", "speaker", "office", "occasion"), [
    ("市长王小平在全市经济工作会议上的讲话", "王小平", "市长", "全市经济工作会议"),
    ("县委书记张建国在2023年全县三级干部大会上的讲话", "张建国", "县委书记", "2023年全县三级干部大会"),
    ("王小平同志在全市经济工作会议上的讲话", "王小平", None, "全市经济工作会议"),
])
def test_speaker_named_before_zai(h1: str, speaker: str, office: str | None, occasion: str) -> None:
    m = meta(h1)
    assert (m["title"], m["speaker"], m["speaker_title"], m["occasion"]) == (f"在{occasion}上的讲话", speaker, office, occasion)


@pytest.mark.parametrize(("line", "speaker", "office"), [
    ("焦作市委书记  王小平", "王小平", "焦作市委书记"),
    ("□中共荆州市委书记 吴 锦", "吴锦", "中共荆州市委书记"),
    ("——县委副书记、县长 李卫东", "李卫东", "县委副书记、县长"),
    ("市委副书记、市长　刘振华", "刘振华", "市委副书记、市长"),
])
def test_byline_line_names_the_speaker_and_leaves_the_text(line: str, speaker: str, office: str) -> None:
    m = meta("在全市经济工作会议上的讲话", f"<p>{line}</p>")
    assert (m["speaker"], m["speaker_title"], m["occasion"]) == (speaker, office, "全市经济工作会议")
    assert m["first"].startswith("第1段")


@pytest.mark.parametrize(("line", "date"), [
    ("（2023年3月10日）", "2023-03-10"),
    ("二〇二三年二月十五日", "2023-02-15"),
    ("(二○二一年十二月三十一日)", "2021-12-31"),
])
def test_a_dateline_dates_the_speech_and_leaves_the_text(line: str, date: str) -> None:
    m = meta("在全市经济工作会议上的讲话", f"<p>{line}</p>", info="发布时间：2024-01-01")
    assert m["date"] == date and m["first"].startswith("第1段")


def test_a_profile_may_date_its_records_by_the_page() -> None:
    """The default dates a speech by its dateline; ``date_from = "page"`` by the page's publication date
    (the ``date`` selector, else a labelled posting line), the dateline still left out of the text."""
    def page(info: str) -> list[Page]:
        return [Page(url="http://example.test/a.html", html=(
            f"<html><body><h1>在全市经济工作会议上的讲话</h1><div class='info'>{info}</div><div class='content'>"
            f"<p>市长 王小平</p><p>（2023年3月10日）</p>{BODY}</div></body></html>"))]

    dated, undated = page("<span class='time'>发布时间：2023-03-15</span>"), page("<span class='time'>浏览：12</span>")
    speech = SiteRules(content=("div.content",), date=("span.time",))
    for pages, rules, date in ((dated, speech, "2023-03-10"), (dated, replace(speech, date_from="page"), "2023-03-15"),
                               (dated, replace(speech, date=(), date_from="page"), "2023-03-15"),
                               (undated, replace(speech, date_from="page"), "2023-03-10")):
        record = clean(pages, rules).records[0]
        assert (record.date, record.speaker, record.text[:3]) == (date, "王小平", "第1段")


def test_a_profile_without_a_date_selector_reads_the_labelled_posting_date() -> None:
    """A PHPCMS headline holding its info bar (<h1>title<br><span>发布时间:…</span></h1>) names no date a
    selector was proposed for; the page's labelled posting date still dates the record, as in generic mode."""
    html = (f"<html><head><title>在全市经济工作会议上的讲话 - 讲话资料库</title></head><body><div class='nav'>"
            f"<span>更新说明</span></div><div id='Article'><h1>在全市经济工作会议上的讲话<br/><span>发布时间:2023-03-06"
            f" 来源:临江日报</span></h1><div class='content'>{BODY}<p>注册时间：2020-01-01</p></div></div></body></html>")
    pages = [Page(url="http://example.test/index.php?m=content&c=index&a=show&catid=12&id=345", html=html)]
    for rules in (SiteRules(content=("div.content",)), None):
        assert clean(pages, rules).records[0].date == "2023-03-06"


def test_byline_carrying_its_date() -> None:
    m = meta("2023年全县经济工作会议讲话", "<p>县委书记 张建国（2023年1月5日）</p>")
    assert (m["speaker"], m["speaker_title"], m["date"], m["occasion"]) == ("张建国", "县委书记", "2023-01-05", None)


@pytest.mark.parametrize(("info", "head", "date", "source"), [
    ("发布时间：2023-03-15 10:12:05 来源：本站原创 浏览次数：12", "", "2023-03-15", "本站原创"),
    ("2022-09-08 07:45 来源：临川日报 作者：记者 刘洋", "", "2022-09-08", "临川日报"),
    ("发表时间：2023年05月26日 稿源：云溪时报 编辑：周静", "", "2023-05-26", "云溪时报"),
    ("", '<meta name="publishdate" content="2021-06-18">', "2021-06-18", None),
    ("", '<meta property="article:published_time" content="2020/5/6 08:00">', "2020-05-06", None),
])
def test_date_and_source_from_the_page(info: str, head: str, date: str, source: str | None) -> None:
    m = meta("在全市经济工作会议上的讲话", head=head, info=info)
    assert (m["date"], m["source"]) == (date, source)


def test_nothing_is_guessed() -> None:
    m = meta("学习应勇同志在荆州调研座谈会上的讲话精神体会", "<p>王小平</p>")
    assert (m["speaker"], m["speaker_title"], m["occasion"], m["date"], m["source"]) == (None,) * 5
    prose = meta("全市工作会议讲话稿", "<p>2019年3月5日，市长王小平在全市会议上强调，要坚持问题导向。</p>")
    assert (prose["speaker"], prose["date"], prose["occasion"]) == (None, None, None)
    assert meta("全市在经济工作会议上的讲话")["speaker"] is None  # 全市 is no person, 同志 or an office is needed


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-03-15", "2023-03-15"), ("2023/3/5 08:00", "2023-03-05"), ("2023.03.05", "2023-03-05"),
    ("2023年3月5日", "2023-03-05"), ("二〇二三年三月五日", "2023-03-05"), ("二零二零年十月二十一日", "2020-10-21"),
    ("2023-02-30", None), ("二〇二三年十三月一日", None), ("第3号", None),
])
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_find_speaker_rejects_what_is_not_a_name() -> None:
    assert find_speaker("市委书记某某:狠抓落实") is None and find_speaker(None) is None
    assert find_speaker("荆州市委书记吴锦:狠抓落地转化") == ("吴锦", "荆州市委书记", "狠抓落地转化")


def test_the_page_date_is_read_from_the_line_a_label_stands_in_even_as_a_tail() -> None:
    """A text after a child element (a tail) belongs to the element around both; a script's text is no line."""
    tree = parse("<html><head><script>var 发布时间 = '2001-01-01';</script></head><body>"
                 "<div class='info'><b>来源：县委办</b> 发布时间：2023-03-06</div><p>更新于2024-05-01</p></body></html>")
    assert _page_date(tree) == "2023-03-06"
    assert _page_date(parse("<html><body><p>正文</p></body></html>")) is None
