"""Step 1 (parse) on pages libxml2 cannot take as they are: deep nesting, short pages, junk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners import Page, clean, decode_html
from cleaners.blocks import text_of
from cleaners.parse import _needs_repair, parse, read_html

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


def test_text_below_libxml2s_depth_limit_is_not_cut_off() -> None:
    """An unclosed ``<font>`` on every line: libxml2 stops at depth 2048, and the text of the lines above
    the limit hid that from the text probe (the page kept its first 2,046 lines, silently)."""
    html = "<html><body>" + "".join(f"<font>第{i}行：同志们，要认真学习。\n" for i in range(3_000)) + "</body></html>"
    parsed = read_html(html)
    assert "第2999行：同志们，要认真学习。" in parsed.tree.text_content() and parsed.unreadable is None


def test_markup_no_parser_reads_is_reported_not_silently_empty() -> None:
    """A page that holds text yet parses to nothing says why; one that holds no text is simply empty."""
    commented = "<!-- <html><body><p>同志们，今天我们召开全市工作会议。</p></body></html> -->"
    parsed = read_html(commented)
    assert parsed.tree.text_content() == ""
    assert parsed.unreadable == "libxml2 could not parse it (Document is empty)"
    assert read_html("<!-- x -->").unreadable is None and read_html("<p>a</p>").unreadable is None
    result = clean([Page(url="http://s.test/a.html", html=commented)])
    assert result.records == () and result.skipped == "unparsable: libxml2 could not parse it (Document is empty)"
    assert result.unreadable == ((0, "libxml2 could not parse it (Document is empty)"),)


@given(st.text(alphabet=st.sampled_from([*map(chr, range(0x80)), "\xa0", "\x85", "\u3000", "中", "\ufeff",
                                         "\ud800", "\udbff", "\udc00", "\udfff", "\U0001f600"]), max_size=8))
def test_repair_is_needed_exactly_where_a_control_character_or_a_lone_surrogate_is(text: str) -> None:
    """The byte test of read_html finds what one regular expression over the page found before."""
    assert _needs_repair(text) == (re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", text) is not None)


def test_text_of_is_text_content_on_every_element_of_the_saved_pages() -> None:
    """cleaners.blocks.text_of stands in for lxml's text_content() everywhere the cleaners read an element."""
    fixtures = Path(__file__).parent / "fixtures"
    for path in sorted(fixtures.glob("**/*.html")):
        tree = parse(decode_html(path.read_bytes()).text or "")
        for el in tree.iter():
            if isinstance(el.tag, str):
                assert text_of(el) == el.text_content(), (path.name, el.tag)
