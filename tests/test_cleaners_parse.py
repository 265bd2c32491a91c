"""Step 1 (parse) on pages libxml2 cannot take as they are: deep nesting, short pages, junk."""

from __future__ import annotations

import pytest

from cleaners import Page, clean
from cleaners.parse import parse

PARAGRAPHS = "".join(f"<p>同志们，今天我们召开全市工作会议，第{i}段讲话内容很重要，要认真贯彻落实。</p>" for i in range(10))


@pytest.mark.parametrize("depth", [300, 3_000, 100_000])
def test_deeply_nested_pages_keep_their_text(depth: int) -> None:
    """Unclosed ``<div>``/``<font>`` on every line nests deeper than libxml2 goes: the text must survive."""
    html = ("<html><head><title>在全市工作会议上的讲话</title></head><body>" + "<div>" * depth + PARAGRAPHS
            + "</div>" * depth + "</body></html>")
    result = clean([Page(url="http://s.test/a.html", html=html)])
    [record] = result.records
    assert record.title == "在全市工作会议上的讲话"
    assert record.text.splitlines()[0] == "同志们，今天我们召开全市工作会议，第0段讲话内容很重要，要认真贯彻落实。"
    assert len(record.text.splitlines()) == 10


def test_a_short_page_is_parsed_as_it_is() -> None:
    """Little text in the markup is little text in the tree: no second parse, the structure stays."""
    doc = parse("<html><body><div id='msg'><b>404</b> 页面不存在</div></body></html>")
    assert doc.get_element_by_id("msg").text_content() == "404 页面不存在"


def test_nothing_but_markup_is_an_empty_document() -> None:
    assert parse("<div>" * 50_000).text_content() == ""
    assert parse("").text_content() == ""
