"""Pagination: the pages of one article come out as one record, in order, without repeats at the joins."""

from __future__ import annotations

import pytest

from cleaners import Page, SiteRules, clean

TITLE = "在全区优化营商环境大会上的讲话"
PARAS = [
    "同志们：",
    "今天召开全区优化营商环境大会，主要任务是动员全区上下进一步统一思想、凝聚共识。",
    "营商环境就是生产力，就是竞争力，我们必须下大力气加以",  # cut by the page break
    "解决。这是全区上下的共同责任。",
    "一要打造高效便捷的政务环境，全面推行“一件事一次办”，进一步精简审批事项和环节。",
    "二要打造公平公正的法治环境，严格规范公正文明执法，全面推行包容审慎监管。",
    "同志们，让我们以更大的决心、更实的举措，全力打造一流营商环境！",
]
BARS = {
    "numbers": "上一页 {links} 下一页",
    "wordpress": "本文共{count}页 ‹ {links} ›",
    "dede": "共{count}页: 上一页 {links} 下一页",
}


def pages(bar: str, suffix: str) -> list[Page]:
    chunks = [PARAS[:3], PARAS[3:5], PARAS[5:]]
    out = []
    for n, chunk in enumerate(chunks, 1):
        shown = TITLE + (suffix.format(n=n, count=3) if n > 1 else "")
        links = " ".join(str(k) for k in range(1, 4))
        body = "".join(f"<p>{p}</p>" for p in chunk)
        html = (f"<html><head><title>{shown}_公文网</title></head><body><div class='post'><h1>{shown}</h1>"
                f"<div class='meta'>admin 分享 时间: 2023-06-02 加入收藏</div><div class='entry'><p>{shown}</p>{body}"
                f"<p>{BARS[bar].format(links=links, count=3)}</p></div></div></body></html>")
        out.append(Page(url=f"http://example.test/a_{n}.html", html=html))
    return out


@pytest.mark.parametrize("bar", list(BARS))
@pytest.mark.parametrize("suffix", ["(第{n}/{count}页)", "_第{n}页", "（第{n}页）"])
@pytest.mark.parametrize("rules", [None, SiteRules(content=("div.entry",), title=("h1",))])
def test_pages_stitched_in_order_without_repeats(bar: str, suffix: str, rules: SiteRules | None) -> None:
    result = clean(pages(bar, suffix), rules)
    assert len(result.records) == 1
    record = result.records[0]
    assert record.title == TITLE
    expected = PARAS[:2] + [PARAS[2] + PARAS[3]] + PARAS[4:]
    assert record.text.split("\n") == expected
    assert "页" not in record.text.replace("一页", "") and TITLE not in record.text


def test_audit_counts_the_repeats_removed_at_the_joins() -> None:
    record = clean(pages("numbers", "(第{n}/{count}页)"), SiteRules(content=("div.entry",), title=("h1",))).records[0]
    assert record.audit["title"]["count"] == 3  # the headline repeated at the top of each page
    assert record.audit["chrome"]["count"] == 3  # one page bar per page
