"""Issue 19's generic rules, case by case, including what each rule must leave alone.

The dev set (tests/test_cleaners_devset.py) shows the rules fix whole pages; these cases pin the
edges: a dated list inside an article is not a comment thread, hidden prose found nowhere else is
an article's continuation, a masked name stays a mask, a name before a colon is a speaker only in
a speech, a member's registration date is not the post's.
"""

from __future__ import annotations

from cleaners import Page, clean
from cleaners.blocks import element_paragraphs
from cleaners.chrome import chrome_kind
from cleaners.hidden import drop_hidden
from cleaners.parse import parse
from cleaners.threads import find_threads

PROSE = ("各级党组织要把学习贯彻工作抓紧抓实，确保取得实效，推动各项工作不断取得新成效。"
         "要坚持问题导向，聚焦群众急难愁盼，切实解决好群众最关心最直接最现实的利益问题。")


def _text(html: str) -> str:
    return "\n".join(r.text for r in clean([Page(url="http://rules.test/a.html", html=html)]).records)


def _comments(n: int) -> str:
    return "".join(f'<div class="cmt"><p class="who">网友{i} 2012-03-0{i % 9 + 1} 10:2{i % 10}</p>'
                   f"<p>说得很好，支持一下，希望多写这样的文章。</p></div>" for i in range(n))


def test_comments_under_a_post_all_go() -> None:
    html = f'<html><body><div class="post"><p>{PROSE}</p><p>{PROSE}</p></div><div class="list">{_comments(12)}</div></body></html>'
    text = _text(html)
    assert PROSE in text and "网友" not in text and "支持一下" not in text


def test_a_thread_keeps_its_first_post() -> None:
    first = f'<div class="floor"><p class="who">楼主 2012-03-01 09:00</p><p>{PROSE}</p><p>{PROSE}</p></div>'
    html = f'<html><body><div class="thread">{first}{_comments(8).replace("cmt", "floor")}</div></body></html>'
    text = _text(html)
    assert PROSE in text and "支持一下" not in text


def test_page_two_of_a_thread_adds_no_reply() -> None:
    """Only a thread's first post is its text: on a later page every floor is a reply, however long."""
    long_reply = PROSE.replace("各级党组织", "我觉得楼主说的")
    floors = "".join(f'<div class="floor"><p class="who">{n}# 2012-03-{n} 10:{n}</p><p>{long_reply}</p></div>'
                     for n in range(11, 17))
    page1 = (f'<html><body><div class="thread"><div class="floor"><p class="who">楼主 2012-03-01 09:00</p>'
             f'<p>{PROSE}</p><p>{PROSE}</p></div>{_comments(8).replace("cmt", "floor")}</div></body></html>')
    page2 = f'<html><body><div class="thread">{floors}</div></body></html>'
    pages = [Page(url="http://rules.test/thread-7-1-1.html", html=page1),
             Page(url="http://rules.test/thread-7-2-1.html", html=page2)]
    text = "\n".join(r.text for r in clean(pages).records)
    assert PROSE in text and "楼主说的" not in text and "支持一下" not in text
    body = parse(page2).find("body")
    assert [t.keep is not None for t in find_threads(body)] == [True]  # read alone, a floor passes for a post
    assert [t.keep for t in find_threads(body, later_page=True)] == [None]


def test_a_dated_list_inside_an_article_is_not_a_thread() -> None:
    items = "".join(f"<li>3月{d}日 09:30 召开第{d}次推进会，研究部署下一阶段工作。</li>" for d in range(1, 8))
    tree = parse(f"<html><body><div><p>{PROSE}</p><ul>{items}</ul></div></body></html>")
    assert find_threads(tree.find("body")) == []


def test_hidden_copy_goes_hidden_continuation_stays() -> None:
    copy = f'<html><body><div class="c"><p>{PROSE}</p></div><div style="display: none">{PROSE}</div></body></html>'
    body = parse(copy).find("body")
    assert drop_hidden(body) > 0 and len(element_paragraphs([body])) == 1
    rest = "这是文章被折叠起来的后半部分，读者点击“展开全文”以后才能看到，它是文章本身的内容，不能丢掉。" * 2
    more = f'<html><body><div class="c"><p>{PROSE}</p><div class="hide">{rest}</div></div></body></html>'
    body = parse(more).find("body")
    assert drop_hidden(body) == 0 and rest in "".join(p.text for p in element_paragraphs([body]))


def test_collapsed_link_box_goes() -> None:
    links = "".join(f'<li><a href="/{i}">节目{i}</a></li>' for i in range(30))
    html = f'<html><body><div class="c"><p>{PROSE}</p><div class="NavFrame collapsed"><ul>{links}</ul></div></div></body></html>'
    body = parse(html).find("body")
    assert drop_hidden(body) > 0


def test_blanks_on_a_worksheet_masks_in_a_speech() -> None:
    sheet = "".join(f"<p>{i}. 我国的首都是______，最长的河流是______。</p>" for i in range(1, 4))
    assert "首都是______" in _text(f"<html><body><div>{sheet}<p>{PROSE}</p></div></body></html>")
    speech = f"<html><body><div><p>同志们：</p><p>要落实好党的十八届__精神。{PROSE}</p></div></body></html>"
    assert "十八届精神" in _text(speech)


def test_source_and_edit_lines_are_chrome() -> None:
    for line in ("原文来源：清河日报", "信息来源：县林业局", "稿源：新华社", "转自：中国文明网", "（来源：人民网）",
                 "本帖最后由 江南布衣 于 2011-4-12 22:05 编辑", "[ 本帖最后由 清风徐来 于 2007-3-6 09:17 编辑 ]",
                 "下载新锐新闻客户端，第一时间获取更多科技资讯。", "扫一扫在手机打开当前页"):
        assert chrome_kind(line) == "chrome", line
    for line in ("二、报名时间：2020年7月6日至7月10日（上午8:30—12:00，下午14:30—17:30）。",
                 "公示时间：2021年6月21日至6月27日（5个工作日）。", "他转自己的话题说，来源于群众的意见最宝贵。"):
        assert chrome_kind(line) is None, line


def _page(title: str, first: str, byline: str = "") -> str:
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{byline}"
            f"<div class='content'><p>{first}</p><p>{PROSE}</p><p>{PROSE}</p></div></body></html>")


def test_name_prefix_is_a_speaker_only_in_a_speech() -> None:
    record = clean([Page(url="http://rules.test/a", html=_page("张建国：以钉钉子精神抓好落实", "同志们："))]).records[0]
    assert (record.speaker, record.title) == ("张建国", "以钉钉子精神抓好落实")
    record = clean([Page(url="http://rules.test/b", html=_page("高质量：推动经济持续向好", "近日，记者走访了多家企业。"))]).records[0]
    assert (record.speaker, record.title) == (None, "高质量：推动经济持续向好")


def test_reprint_marks_leave_the_title() -> None:
    html = _page("【转帖】市委书记韩立军在全市作风建设大会上的讲话", "同志们：")
    record = clean([Page(url="http://rules.test/c", html=html)]).records[0]
    assert (record.title, record.speaker, record.occasion) == ("在全市作风建设大会上的讲话", "韩立军", "全市作风建设大会")


def test_registration_date_is_not_the_post_date() -> None:
    byline = "<div class='info'><p>注册时间：2006-5-12</p><p>发表于 2007-3-6 08:55</p></div>"
    record = clean([Page(url="http://rules.test/d", html=_page("关于物业费调价的意见", "各位业主：", byline))]).records[0]
    assert record.date == "2007-03-06"
