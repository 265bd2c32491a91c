"""Step 2: lines that only link to a page's attached files go, in profile and generic mode alike."""

from __future__ import annotations

import pytest

from cleaners import CleanRecord, Page, SiteRules, clean
from cleaners.chrome import chrome_kind

SPEECH = "".join(f"<p>第{n}段：要坚持问题导向，强化责任担当，推动各项工作落地见效，确保全年目标任务圆满完成。</p>"
                 for n in range(1, 7))
RULES = SiteRules(content=("div.zw",), title=("h2.tit",), date=("span.time",))
"""What a maintainer (or `site new`) writes for the page below: the text element, nothing about attachments."""


def page(inside: str, *, meta: str = "") -> str:
    """A district portal's article, a template none of the sandbox sites has: the text in ``div.zw``,
    its date in a ``span.time`` of the info bar, ``inside`` at the end of the text element."""
    return f"""<html><head><title>在全区重点工作推进会上的讲话_南湾区人民政府</title>{meta}</head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwgk/ldhd/">领导活动</a></div>
<div class="detail"><h2 class="tit">在全区重点工作推进会上的讲话</h2>
<div class="msg"><span class="time">2024-03-15</span> <span class="ly">南湾区人民政府办公室</span></div>
<div class="zw" id="zoom">
<p>3月12日，全区重点工作推进会召开，会议对今年的重点任务作了部署，要求各单位抓紧抓实。</p>
{SPEECH}
{inside}
</div></div>
<div class="foot">版权所有 南湾区人民政府 | 网站标识码 3301090001</div></body></html>"""


def records(html: str) -> dict[str, CleanRecord]:
    out = {}
    for mode, rules in (("profile", RULES), ("generic", None)):
        result = clean([Page(url="http://nanwan.example.gov.cn/zwgk/ldhd/202403/t20240315_88.html", html=html)], rules)
        assert result.mode == mode and len(result.records) == 1, result.skipped
        out[mode] = result.records[0]
    return out


ATTACHMENT_BOXES = {
    "a 附件下载 list, one docx and one download script": """<p>附件下载：</p>
<ul class="fj"><li><a href="/u/cms/nanwan/202403/15093512x1kq.docx">附件1：2024年全区重点工作任务分解表</a></li>
<li><a href="/attach/download.jsp?id=3">附件2：联系人回执.xls</a>（15KB）</li></ul>""",
    "a TRS attachment line": '<p style="text-indent: 2em;">附件:<a href="./P020240315338.pdf" '
                             'oldsrc="W020240315338.pdf">2024年全区重点工作任务分解表.pdf</a></p>',
    "several files on one line": '<p>附件：<a href="/a/1.pdf">1.任务分解表</a><br/><a href="/a/2.xlsx">2.回执</a></p>',
    "a label over a box of its own": '<div class="label">相关附件</div><div class="files"><p><a href="/a/1.wps">'
                                     '任务分解表</a> (23.5KB)</p><p><a href="/a/2.rar">汇总材料</a></p></div>',
    "the file's name as plain text": "<p>附件：2024年全区重点工作任务分解表.pdf</p>",
}


@pytest.mark.parametrize("box", ATTACHMENT_BOXES.values(), ids=list(ATTACHMENT_BOXES))
def test_attachment_lines_go_in_both_modes(box: str) -> None:
    for mode, record in records(page(box)).items():
        assert record.text.endswith("确保全年目标任务圆满完成。"), (mode, record.text[-80:])
        for leak in ("附件", "任务分解表", "回执", "KB", "汇总材料"):
            assert leak not in record.text, (mode, leak)
        assert record.audit["chrome"]["chars"] >= len("任务分解表")


KEPT = {
    "a sentence naming an attachment": ("<p>各单位要对照附件中的任务分解表逐项落实，于3月底前报送进展情况，"
                                        "具体要求见<a href=\"/a/1.pdf\">附件1</a>。</p>",
                                        "各单位要对照附件中的任务分解表逐项落实"),
    "the attachment printed on the page": ("<p>附件：2024年全区重点工作任务分解表</p><table border=\"1\"><tr><td>序号</td>"
                                           "<td>任务</td><td>牵头单位</td></tr><tr><td>1</td><td>优化营商环境</td>"
                                           "<td>区发改局</td></tr></table>",
                                           "附件：2024年全区重点工作任务分解表"),
}


@pytest.mark.parametrize(("box", "kept"), KEPT.values(), ids=list(KEPT))
def test_text_that_only_mentions_an_attachment_stays(box: str, kept: str) -> None:
    for mode, record in records(page(box)).items():
        assert kept in record.text, (mode, record.text[-120:])


def test_a_link_to_a_page_is_no_attachment() -> None:
    """Only files go: a profile keeps "附件：" over a link to another page (generic mode, as ever, drops
    every line that is mostly a link)."""
    box = '<p>附件：<a href="/zwgk/tzgg/202403/t20240310_80.html">关于做好全区重点工作的通知</a></p>'
    assert records(page(box))["profile"].text.endswith("附件：关于做好全区重点工作的通知")


def test_the_page_date_beats_a_date_in_the_prose() -> None:
    """The info bar's span.time dates the record, not "3月12日" in the first sentence; both modes."""
    for mode, record in records(page(ATTACHMENT_BOXES["a TRS attachment line"])).items():
        assert record.date == "2024-03-15", mode
    meta = '<meta name="PubDate" content="2024-03-16 09:30">'
    generic = records(page("", meta=meta))["generic"]
    assert generic.date == "2024-03-16"  # a publication date in <meta> before one read off the page's lines


@pytest.mark.parametrize(("line", "kind"), [
    ("附件:2017年全县招商引资工作会工作要点.pdf", "chrome"),
    ("附件2：联系人回执.xls（15KB）", "chrome"),
    ("附件下载：", "chrome"),
    ("附件：2020年度全市“最美家庭”推选名单", None),
    ("附件", None),
    ("请于3月20日前将附件1.doc填好报送区政府办公室，逾期不报的单位将予以通报。", None),
])
def test_attachment_line_by_its_wording(line: str, kind: str | None) -> None:
    assert chrome_kind(line) == kind
