"""Step 2b: chrome lines and tail blocks inside the content element, recognised by their wording."""

from __future__ import annotations

import pytest

from cleaners.blocks import Para
from cleaners.chrome import chrome_kind, cut_tail, strip_chrome_lines

SPEECH = ("要坚持问题导向，强化责任担当，推动各项工作落地见效，确保全年目标任务圆满完成，为全市高质量发展作出新的更大贡献。"
          "各级党组织要切实担负起主体责任，主要负责同志要当好第一责任人。")


@pytest.mark.parametrize("line", [
    # the seeds' own chrome
    "当前位置:文秘家园>> 文秘工作>> 政务性工作>> 范文学习",
    "以稿换稿】 作者: 王小平 来源: 焦作日报 阅读 次 【 】【收藏",
    "SUCAI198.COM —— 专注党建行政公文写作范文",
    "admin 分享 时间: 加入收藏 共计16698个字,预计阅读时长56分钟。",
    "手机扫码阅读本文",
    "(来源:荆州日报)",
    "上一页 1 2 3 下一页",
    # held-out forms
    "您所在的位置：第一文库网 > 讲话稿 > 领导讲话",
    "首页 » 讲话 » 正文",
    "发布时间：2023-03-15 10:12:05 来源：本站原创 浏览次数：1280",
    "【纠错】 【我要打印】 【关闭窗口】",
    "字体：大 中 小",
    "打印 | 关闭",
    "分享到：QQ空间 新浪微博 微信",
    "点赞(128) 收藏 分享",
    "本文共2页 ‹ 1 2 下一页 ›",
    "第一页 上一页 下一页 最后一页",
    "（本文来源：临川日报）",
    "责任编辑：李娜",
    "扫一扫在手机打开当前页",
    "本文由无忧考试网整理发布，转载请保留链接。",
    "（云溪时报记者 陈晨 整理）",
    "本站内容均来自网友分享，仅供学习参考，如有侵权请联系删除。",
    "未经允许不得转载：党政公文网 » 在全区优化营商环境大会上的讲话",
    "原文链接：http://example.cn/a/1.html",
    # site lines over and under a speech (issue 21)
    "原标题:《全市教育工作会议召开 王建国出席并讲话》",
    "【原标题】南湖：奋力开创教育高质量发展新局面",
    "(作者系南湖市教育局党组书记、局长)",
    "（根据录音整理，未经本人审阅）",
    "编辑:王倩  审核:周静",
    "责任编辑：李娜 | 校对：张帆 | 终审：刘洋",
    "编者按:6月26日,2017年全县招商引资工作会召开。市委常委、组织部长易立新出席会议并讲话。现将讲话全文刊发,供学习参考。",
    "编者按：现将副市长廖敏在全市安全生产调度会上的讲话予以刊发，请结合实际认真学习贯彻。",
    "Powered by Discuz! X3.4",
    "GMT+8, 2023-5-20 22:16 , Processed in 0.061224 second(s), 27 queries .",
    "Archiver|手机版|公文写作论坛 ( 京ICP备13045678号 )",
])
def test_chrome_lines(line: str) -> None:
    assert chrome_kind(line) == "chrome"


@pytest.mark.parametrize("line", [
    SPEECH, "同志们：", "一、清醒认识当前安全生产面临的严峻形势", "第一，全力以赴抓项目扩投资。", "谢谢大家！",
    "01", "●学湖州晋江是践行新思想的具体举措。", "——中共焦作市委党校经济管理教研部副教授徐恒杰",
    "评论人：蒋殿春（南开大学国际经济研究所）", "时间就是效率，效率就是生命。", "大中小学要落实“双减”要求。",
    "记者朋友们", "上下一心，共同推进", "专家点评:",
    # near the new site-line shapes, but speech
    "编者按", "编者按：为拆一幢房，断送了三条人命。前天的这场惨剧发生得实在太突然，太震惊了。",
    "（作者在会上强调，要把教育摆在优先发展的位置。）", "原题目已经讨论过了，今天不再重复。",
    "编辑部的同志们辛苦了，审核工作要严格把关。",
])
def test_speech_lines_are_not_chrome(line: str) -> None:
    assert chrome_kind(line) is None


@pytest.mark.parametrize("opener", [
    "相关文章", "【在全市开发区工作会议上的讲话】相关文章:", "用户评论", "网友评论共 0", "评论一下", "快来抢沙发",
    "推荐访问:高质量 工作会议上 讲话", "领取福利",
    "看了本文的人还看了", "相关热词搜索：安全生产 讲话稿", "更多相关范文：", "网友评论", "文明上网理性发言，请遵守新闻评论服务协议",
    "共有0条评论", "大家都在看", "你可能感兴趣的", "« 上一篇", "本文标签：招商引资 讲话", "相关阅读", "登录后才能发表评论",
])
def test_tail_blocks_are_cut_from_their_opener_on(opener: str) -> None:
    paras = [Para(text=SPEECH)] * 4 + [Para(text="221381"), Para(text=opener), Para(text="在全县消防安全工作会议上的讲话")]
    out = cut_tail(paras)
    assert [p.removed for p in out] == [None] * 4 + ["tail_blocks"] * 3


def test_a_tail_word_early_in_the_text_drops_only_its_line() -> None:
    paras = [Para(text="相关文章"), *[Para(text=SPEECH)] * 4]
    assert [p.removed for p in cut_tail(paras)] == ["chrome"] + [None] * 4


def test_profile_drop_lines_come_first() -> None:
    import re

    paras = strip_chrome_lines([Para(text="□中共荆州市委书记 吴 锦"), Para(text=SPEECH)], [re.compile("^□")])
    assert [p.removed for p in paras] == ["chrome", None]


def test_chrome_line_split_finds_what_the_whole_pattern_finds() -> None:
    """CHROME_LINE_START.match or CHROME_LINE_ANYWHERE.search stands in for CHROME_LINE.search (a speed-up):
    on every chrome line the sandbox writes, cut at every position and put after text, both say the same."""
    from cleaners.patterns import CHROME_LINE, CHROME_LINE_ANYWHERE, CHROME_LINE_START
    from sandbox.vocab import CHROME_LINES, CHROME_LINES_MORE

    seeds = [*CHROME_LINES, *CHROME_LINES_MORE, "如有侵权请联系删除", "转载请注明出处", "你可以用这个链接引用该篇文章",
             "本文由 小编 整理", "Copyright © 2024 某某网"]
    lines = {variant for seed in seeds for i in range(len(seed))
             for variant in (seed[i:], seed[:i + 1], f"讲话{seed[i:]}", SPEECH[:20] + seed)}
    found = {line for line in lines if CHROME_LINE.search(line)}
    assert found and found != lines
    assert found == {line for line in lines if CHROME_LINE_START.match(line) or CHROME_LINE_ANYWHERE.search(line)}


def test_top_level_alternatives_skip_groups_classes_and_escapes() -> None:
    from cleaners.patterns import top_level_alternatives

    assert top_level_alternatives(r"^a(?:b|c)|[|\]]d|\|e|^f") == [r"^a(?:b|c)", r"[|\]]d", r"\|e", "^f"]
    assert top_level_alternatives("[]|]x|y") == ["[]|]x", "y"]
