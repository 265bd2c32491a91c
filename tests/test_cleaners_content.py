"""Main-text detection's walk (cleaners.content.score_paragraphs): which boxes it passes over, and which not."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from lxml.html import HtmlElement

from cleaners import Page, clean
from cleaners.content import _measure, find_main_text, score_paragraphs
from cleaners.parse import parse

PROSE = ("各级党组织要把学习贯彻工作抓紧抓实，确保取得实效，推动各项工作不断取得新成效。"
         "要坚持问题导向，聚焦群众急难愁盼，切实解决好群众最关心最直接最现实的利益问题。")
LINKS = "".join(f'<li><a href="/a/{i}.html">关于做好第{i}季度重点工作的通知</a></li>' for i in range(1, 6))


def _body(body: str) -> HtmlElement:
    found: HtmlElement = parse(f"<html><body>{body}</body></html>").find("body")
    return found


def _texts(body: str) -> list[str]:
    return [s.text for s in score_paragraphs(_body(body), [])]


def test_a_box_of_links_named_like_furniture_is_passed_over() -> None:
    texts = _texts(f'<div class="related"><h3>相关文章</h3><ul>{LINKS}</ul></div>尾注<p>{PROSE}</p>')
    assert texts == ["尾注", PROSE]  # the box's tail belongs to its parent and is still read


def test_a_column_named_like_furniture_that_holds_sentences_is_walked() -> None:
    """DedeCMS names the text's own column ``pleft``: the text and the links beside it are read."""
    body = f'<div class="pleft"><h1>标题</h1><p>{PROSE}</p><p>{PROSE}</p><ul>{LINKS}</ul></div>'
    assert _texts(body)[:3] == ["标题", PROSE, PROSE]
    text = "\n".join(r.text for r in clean([Page(url="http://content.test/a.html",
                                                  html=f"<html><body>{body}</body></html>")]).records)
    assert PROSE in text


def test_a_box_with_fewer_than_three_links_or_with_sentences_is_walked() -> None:
    two = '<div class="side"><a href="/1">上一篇</a> <a href="/2">下一篇</a></div>'
    assert _texts(two) == ["上一篇 下一篇"]
    said = f'<div class="comment"><ul>{LINKS}</ul><p>说得好，支持。</p></div>'
    assert "说得好，支持。" in _texts(said)


def test_a_list_of_links_is_passed_over_whatever_its_name_and_a_box_of_links_that_is_no_list_is_walked() -> None:
    assert _texts(f"<div><ul>{LINKS}</ul></div><p>{PROSE}</p>") == [PROSE]
    links = "".join(f'<a href="/a/{i}.html">第{i}季度重点工作</a> ' for i in range(1, 6))
    assert len(_texts(f"<div>{links}</div>")) == 1


def test_without_a_list_for_the_skipped_boxes_every_box_is_walked() -> None:
    """spiders.infer reads every line of a page: it calls the walk without skipping."""
    assert len(score_paragraphs(_body(f'<div class="related"><ul>{LINKS}</ul></div>'))) == 5


def test_a_box_skipped_inside_the_text_is_read_again_and_counted_in_the_audit() -> None:
    """A related list between two parts of the article: its link lines go, counted, as when every box is walked."""
    body = _body(f'<div class="content"><p>{PROSE}</p><p>{PROSE}</p><ul class="xg">{LINKS}</ul>'
                 f"<p>{PROSE}</p><p>{PROSE}</p></div>")
    skipped: list[int] = []
    score_paragraphs(body, skipped)
    assert skipped == [2]
    main = find_main_text(body)
    assert [p.text for p in main.paras] == [PROSE] * 4
    assert main.link_chars == sum(len(f"关于做好第{i}季度重点工作的通知") for i in range(1, 6))


def test_every_cjk_unified_ideograph_is_a_word_character() -> None:
    """_measure takes them out before counting the \\W characters: that is exact only if none of them is one."""
    assert all(re.match(r"\w", chr(cp)) for cp in range(0x4E00, 0xA000))


@given(st.text(alphabet=st.sampled_from(["中", "国", "，", "。", "“", "a", "_", "1", "-", " ", "\u3000", "\xa0",
                                         "\u200b", "\U00020000", "\U0001f600", "①", "Ⅲ", "ｱ"]), max_size=30))
def test_measuring_a_run_counts_the_word_characters(raw: str) -> None:
    measured = _measure(raw)
    if measured is not None:
        text, chars, words, _ = measured
        solid = text.replace(" ", "")
        assert (chars, words) == (len(solid), len(solid) - len("".join(re.findall(r"\W+", solid))))
