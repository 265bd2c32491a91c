"""Step 4 and rendering: masks are found in context without eating real text; the three mask modes."""

from __future__ import annotations

import pytest

from cleaners.blocks import Para
from cleaners.masks import find_masks, mask_spans
from cleaners.render import PLACEHOLDER, render_masks, render_text


def masked(text: str) -> list[str]:
    return [text[s.start:s.end] for s in mask_spans(text)]


@pytest.mark.parametrize(("text", "masks"), [
    ("紧密团结在以******同志为核心的党中央周围", ["******"]),
    ("坚决维护党***权威和集中统一领导", ["***"]),
    ("推进**县域经济高质量发展", ["**"]),
    ("让财富的源泉在*充分涌动", ["*"]),
    ("全年实现营业收入**x亿元，同比增长*%", ["**x", "*"]),
    ("工业增加值增长X%，X个项目建成投产", ["X", "X"]),
    ("全县共有XX个乡镇、xxx个行政村，完成投资xx.x亿元", ["XX", "xxx", "xx.x"]),
    ("对35个××市级文明单位进行表彰", ["××"]),
    ("在以×××同志为核心的党中央坚强领导下", ["×××"]),
    ("ＸＸ乡、县应急管理局作了表态发言", ["ＸＸ"]),
    ("落实好党的十八届__精神，填写____", ["__", "____"]),
    ("20xx年是我市建设的关键之年，20XX年以来，20××年目标", ["20xx", "20XX", "20××"]),
    ("总结20ⅹⅹ年全县工作，二〇XX年目标已定", ["20ⅹⅹ", "二〇XX"]),
    ("隆重举行20*年工作总结暨201x年工作会议", ["20*", "201x"]),
    ("X月X日，邻县一家化工企业发生事故", ["X", "X"]),
    ("会议由□□□同志主持，○○镇的同志参加", ["□□□", "○○"]),
    ("现在已经进入x月了，查处案件x件", ["x", "x"]),
    ("焦作GDP写作XGDP时，X是被隐去的地名", ["X", "X"]),
    ("加快5G建设，XG基站覆盖率达到X%", ["X", "X"]),
])
def test_masks_are_found(text: str, masks: list[str]) -> None:
    assert masked(text) == masks


@pytest.mark.parametrize("text", [
    "四年间，焦作GDP保持年均7.5%的中高速增长",
    "新建5G基站2100个，乡镇卫生院要配齐X光机，X射线检查正常",
    "推广Excel台账，引进CEO和职业经理人，发展B2B、O2O，推进EOD项目",
    "有的企业买iPhone X当奖品，Windows XP系统已停用，SpaceX发射火箭，XL码",
    "学校组织4×100米接力和3×3篮球，x86架构，4x4越野车，x轴上的点",
    "用新思想WZ头脑、指导实践，X-Man不是一个遮蔽",
    "二○○八年是不平凡的一年",
])
def test_real_text_survives(text: str) -> None:
    assert masked(text) == []


PARA = "深入学习贯彻******新时代中国特色社会主义思想，ＸＸ乡20xx年增长X%。"


def test_strip_removes_every_mask_character_and_records_offsets() -> None:
    text, masks = render_text(find_masks([Para(text=PARA)]), "strip")
    assert text == "深入学习贯彻新时代中国特色社会主义思想，乡年增长%。"
    assert [(m.original, m.offset) for m in masks] == [("******", 6), ("ＸＸ", 20), ("20xx", 21), ("X", 24)]
    assert not any(ch in text for ch in "*ＸxX")


def test_keep_and_placeholder_show_the_page() -> None:
    keep, masks = render_text(find_masks([Para(text=PARA)]), "keep")
    assert keep == PARA and all(keep[m.offset:m.offset + len(m.original)] == m.original for m in masks)
    shown, masks = render_text(find_masks([Para(text=PARA)]), "placeholder")
    assert shown == "深入学习贯彻□新时代中国特色社会主义思想，□乡□年增长□%。"
    assert all(shown[m.offset] == PLACEHOLDER for m in masks)


def test_a_stored_strip_record_renders_in_the_other_modes() -> None:
    text, masks = render_text(find_masks([Para(text=PARA)]), "strip")
    assert render_masks(text, masks, "keep")[0] == PARA
    assert render_masks(text, masks, "placeholder")[0] == render_text(find_masks([Para(text=PARA)]), "placeholder")[0]
    with pytest.raises(ValueError, match="unknown mask mode"):
        render_masks(text, masks, "hide")  # type: ignore[arg-type]


def test_strip_is_idempotent_when_removal_forms_a_new_mask() -> None:
    text, _ = render_text(find_masks([Para(text="请填写_*_处，x*x处")]), "strip")
    assert mask_spans(text) == [] and render_text(find_masks([Para(text=text)]), "strip")[0] == text


def test_removed_paragraphs_are_not_searched() -> None:
    paras = find_masks([Para(text="XX县", removed="chrome"), Para(text="XX县")])
    assert paras[0].masks == () and len(paras[1].masks) == 1
