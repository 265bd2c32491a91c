"""Properties of the cleaners (hypothesis): they never raise, and cleaning their own output changes nothing.

Archived pages arrive truncated, binary, half-decoded or simply strange, and ``speechcrawl
reprocess`` re-cleans years of them: one exception would stop a whole run.  And a record fed back
through the cleaners must come out the same, or two cleaning runs over the same text disagree.
The documents for the idempotence property are built from the pieces real pages are made of
(speech sentences, masks, injected ads, markers, chrome lines, headings, bylines, tails).
"""

from __future__ import annotations

import html
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanOptions, CleanResult, Page, SiteRules, clean, decode_html

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "html").glob("*.html"))
PROFILE = SiteRules(content=("div.content",), title=("h1",))
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SENTENCES = (
    "今天召开全县经济工作会议，主要任务是总结去年工作，部署今年任务。",
    "要坚持问题导向，强化责任担当，推动各项工作落地见效。",
    "全年地区生产总值增长5.8%，GDP总量首次突破3000亿元。",
    "新建5G基站2100个，乡镇卫生院要配齐X光机等必要设备。",
    "各级党组织要切实担负起主体责任，主要负责同志要当好第一责任人。",
    "对责任不落实、措施不到位导致事故发生的，要严肃追责问责。",
    "要大兴调查研究之风，多到困难多、矛盾多的地方去。",
    "同志们，让我们真抓实干、奋勇争先，奋力夺取新胜利！",
)
MASKS = ("******", "***", "XX", "xx", "×××", "ＸＸ", "X", "20xx年", "20××年", "__", "□□□")
ADS = (
    "下面是小编为大家整理的讲话稿，供大家参考。",
    "下面是众鑫文档网小编给大家带来的讲话稿，希望大家喜欢。",
    "以下是由第一文库网编辑为大家整理的讲话稿，欢迎阅读参考。",
    "本文是语文迷网为大家整理的会议讲话，希望对你有所帮助。",
    "想了解更多讲话稿范文，请访问本站讲话稿频道。",
    "下面是明月秘书网小编为您推荐",
)
MARKERS = ("当前隐藏内容免费查看", "展开全文", "剩余2356字未读")
CHROME = ("当前位置：首页 > 讲话稿 > 正文", "发布时间：2023-03-15 来源：本站原创 浏览次数：12", "手机扫码阅读本文",
          "字体：大 中 小", "【纠错】 【我要打印】 【关闭窗口】", "上一页 1 2 3 下一页", "（来源：临川日报）", "责任编辑：李娜")
HEADINGS = ("一、清醒认识当前面临的严峻形势", "（二）突出抓好重点领域专项整治", "1过往四年", "第一，全力以赴抓项目扩投资。")
TAILS = ("相关文章", "网友评论", "推荐访问：讲话稿 工作会议", "看了本文的人还看了", "文明上网理性发言")
BYLINES = ("市委书记 王小平", "——县委副书记、县长 李卫东", "（2023年3月10日）", "二〇二三年二月十五日", "")


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    """A speech paragraph as a site shows it: sentences, maybe a mask, an injected ad, a glued marker."""
    sentences = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
    text = "".join(sentences)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(MASKS)) + text[at:]
    if draw(st.integers(0, 3)) == 0:
        cuts = [i + 1 for i, ch in enumerate(text) if ch in "。！"]
        at = draw(st.sampled_from(cuts)) if cuts else len(text)
        text = text[:at] + draw(st.sampled_from(ADS)) + text[at:]
    if draw(st.integers(0, 5)) == 0:
        text = draw(st.sampled_from(MARKERS)) + text
    return text


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str]:
    """(title, html) of a speech page: bylines, chrome, headings and paragraphs in a content div, maybe a tail."""
    title = draw(st.sampled_from(("在全县经济工作会议上的讲话", "市长王小平在全市经济工作会议上的讲话",
                                  "荆州市委书记吴锦:狠抓落地转化 重在行动奔跑", "2023年全县工作会议讲话稿")))
    lines = [draw(st.sampled_from(BYLINES)), draw(st.sampled_from(BYLINES))]
    body = draw(st.lists(st.one_of(paragraphs(), paragraphs(), st.sampled_from(CHROME), st.sampled_from(HEADINGS)),
                         min_size=3, max_size=12))
    lines += body + [SENTENCES[-1]]
    if draw(st.booleans()):
        lines += [draw(st.sampled_from(TAILS)), "在全县消防安全工作会议上的讲话"]
    return title, page_html(title, [line for line in lines if line])


def page_html(title: str, lines: list[str]) -> str:
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (f"<html><head><title>{html.escape(title)}_范文网</title></head><body><div class='nav'><a href='/'>首页</a></div>"
            f"<div class='content'><h1>{html.escape(title)}</h1>{paras}</div></body></html>")


def reclean(result: CleanResult, rules: SiteRules | None) -> list[str]:
    """Each record's text fed back through the cleaners as a page of its own."""
    out = []
    for record in result.records:
        again = clean([Page(url="http://example.test/again.html", html=page_html(record.title or "", record.text.split("\n")))],
                      rules)
        out.append("\n".join(r.text for r in again.records))
    return out


@QUICK
@given(st.text(max_size=3000))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for rules in (None, PROFILE):
        result = clean([Page(url="http://example.test/", html=text)], rules)
        assert isinstance(result, CleanResult) and (result.records or result.skipped)


@QUICK
@given(st.binary(max_size=3000))
def test_never_raises_on_arbitrary_bytes(body: bytes) -> None:
    decoded = decode_html(body)
    assert decoded.text is not None or decoded.reason.startswith("undecodable")
    clean([Page(url="http://example.test/", html=decoded.text or "")])


@QUICK
@given(st.sampled_from(FIXTURES), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_never_raises_on_truncated_or_holed_pages(path: Path, cut: float, hole: float) -> None:
    text = decode_html(path.read_bytes()).text or ""
    end, start = int(len(text) * cut), int(len(text) * cut * hole)
    for html_text in (text[:end], text[:start] + text[end:], text[end:]):
        result = clean([Page(url="http://example.test/1", html=html_text),
                        Page(url="http://example.test/2", html=text[:start])])
        # Either records, or a reason why there are none: a page never vanishes silently.
        assert result.records or result.skipped
        assert all(r.text.strip() for r in result.records)


@QUICK
@given(documents())
def test_never_raises_on_speech_pages(document: tuple[str, str]) -> None:
    texts = {}
    for mode in ("strip", "keep", "placeholder"):
        result = clean([Page(url="http://example.test/", html=document[1])], None, CleanOptions(mask_mode=mode))
        assert result.records or result.skipped
        texts[mode] = [r.text for r in result.records]
    # The mask mode changes how masked spans read, never which records there are.
    assert len(texts["strip"]) == len(texts["keep"]) == len(texts["placeholder"])
    assert all(len(s) <= len(k) for s, k in zip(texts["strip"], texts["keep"], strict=True))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_idempotent_on_its_own_output_with_a_profile(document: tuple[str, str]) -> None:
    result = clean([Page(url="http://example.test/", html=document[1])], PROFILE)
    assert reclean(result, PROFILE) == [r.text for r in result.records]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_idempotent_on_its_own_output_in_generic_mode(document: tuple[str, str]) -> None:
    result = clean([Page(url="http://example.test/", html=document[1])])
    long_enough = [r for r in result.records if len(r.text) >= 200]  # shorter texts may not pass as an article
    assert reclean(CleanResult(records=tuple(long_enough), mode="generic"), None) == [r.text for r in long_enough]
