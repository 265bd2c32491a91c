"""Step 3: injected sentences and paywall markers go, the rest of the paragraph stays."""

from __future__ import annotations

import re

import pytest

from cleaners.ads import ad_spans, remove_injected_ads
from cleaners.blocks import Para, tally

BEFORE, AFTER = "要坚持问题导向，强化责任担当。", "推动各项工作落地见效。"


def cut(text: str) -> str:
    """``text`` without its injected spans."""
    out, pos = [], 0
    for start, end, _ in ad_spans(text):
        out.append(text[pos:start])
        pos = end
    return "".join(out) + text[pos:]


@pytest.mark.parametrize("ad", [
    # the seeds' own forms
    "下面是小编为大家整理的在全市开发区工作会议上的讲话，供大家参考。",
    "下面是众鑫文档网小编给大家带来的在全市高质量发展工作会议上的讲话稿，希望大家喜欢。",
    "下面是明月秘书网小编为您推荐在全市县域经济高质量发展工作会议上的讲话材料。",
    # held-out wordings of the same shapes: no 小编, other sites, other courtesies
    "以下是由第一文库网编辑为大家整理的安全生产讲话稿，欢迎阅读参考。",
    "本文是语文迷网为大家整理的全县安全生产工作会议讲话，希望对你有所帮助。",
    "下面是工作总结之家为您精心准备的讲话稿范文，希望对你有帮助！",
    "以下是好文网为大家带来的全县工作会议讲话，希望能帮助到大家。",
    "下面是文书帮为大家分享的招商引资推进会讲话3篇，欢迎大家阅读收藏。",
    "以上就是小编为大家整理的讲话全部内容，更多精彩内容请关注第一文库网。",
    "以上是文书帮为您整理的招商引资推进会讲话3篇，仅供参考。",
    "想了解更多讲话稿范文，请访问无忧考试网讲话稿频道。",
    "下面是一篇关于安全生产的讲话稿范文，供大家学习参考。",
    "为了帮助大家更好地写作，特意整理了以下讲话稿，供大家参考借鉴。",
])
def test_injected_sentence_goes_and_the_paragraph_stays(ad: str) -> None:
    assert cut(BEFORE + ad + AFTER) == BEFORE + AFTER


@pytest.mark.parametrize("ad", ["下面是星星阅读网小编为您推荐", "以下是文书帮为大家带来的", "下面是工作总结之家为您整理"])
def test_an_ad_cut_off_at_the_paragraphs_end(ad: str) -> None:
    assert cut(BEFORE + ad) == BEFORE


def test_an_ad_after_a_clause_of_the_same_sentence_leaves_the_clause() -> None:
    text = ("建立完善党委统一领导、政府主要领导负责、多部门参与的工作运行机制,下面是众鑫文档网小编给大家带来的"
            "在2022年全市百城建设提质工程推动城市高质量发展三年工作会议上的讲话稿,希望大家喜欢。")
    assert cut(text) == "建立完善党委统一领导、政府主要领导负责、多部门参与的工作运行机制,"
    heading = "一、主动适应新形势新要求,切实解决突出问题想了解更多讲话范文,请访问范文先生网讲话稿频道。"
    assert cut(heading) == "一、主动适应新形势新要求,切实解决突出问题"


@pytest.mark.parametrize("sentence", [
    "下面，我讲三点意见。", "以下是我们下一步的工作重点。", "以下是各单位为大家整理的工作建议，请认真研究。",
    "我讲几点意见，供大家参考。", "下面是我整理的几点体会，供大家参考。", "会议印发了讲话稿，供大家学习参考。",
    "以上意见，仅供参考。", "希望大家喜欢这次活动安排。", "这篇文章写得很好，希望对大家有所帮助。",
    "想了解更多情况，请访问市政府网站。", "下面请县长为大家讲话。", "本文件自印发之日起施行。",
])
def test_speech_sentences_of_a_similar_shape_stay(sentence: str) -> None:
    assert ad_spans(BEFORE + sentence + AFTER) == []


@pytest.mark.parametrize(("marker", "rest"), [
    ("当前隐藏内容免费查看", "办了30多所干部学校，掀起了“吃小米饭、攻理论山”的热潮。"),
    ("剩余2356字未读", "全党达到空前的团结。"),
    ("免费阅读已结束，点击下载阅读编辑剩下 ...", ""),
    ("展开全文", "要把学习成果转化为推动工作的实际成效。"),
])
def test_paywall_marker_glued_to_the_text(marker: str, rest: str) -> None:
    paras = remove_injected_ads([Para(text=marker + rest)])
    if rest:
        assert paras[0].removed is None and paras[0].text == rest
        assert paras[0].cuts == (("markers", len(marker)),)
    else:
        assert paras[0].removed == "markers"


def test_a_paragraph_that_is_only_an_ad_is_removed_and_audited() -> None:
    ad = "下面是小编为大家整理的讲话稿，供大家参考。"
    paras = remove_injected_ads([Para(text=ad), Para(text=BEFORE + ad + AFTER), Para(text=AFTER)])
    assert [p.removed for p in paras] == ["injected_ads", None, None]
    assert paras[1].text == BEFORE + AFTER and paras[2] == Para(text=AFTER)
    assert tally(paras) == {"injected_ads": {"count": 2, "chars": 2 * len(ad)}}


def test_site_patterns_from_a_profile() -> None:
    pattern = re.compile(r"【[^】]{1,10}网提示】[^。]*。")
    paras = remove_injected_ads([Para(text=BEFORE + "【某某网提示】本文仅代表作者观点。" + AFTER)], [pattern])
    assert paras[0].text == BEFORE + AFTER


def test_a_byline_that_carried_an_ad_is_still_chrome() -> None:
    paras = remove_injected_ads([Para(text="作者：佚名 来源：网络 下面是小编为大家整理的讲话稿")])
    assert paras[0].removed == "chrome"
