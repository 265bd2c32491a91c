"""cleaners.patterns: patterns behind a first-character lookahead (``guarded``) find what the plain ones find."""

from __future__ import annotations

import re
import re._constants as c  # the parser's own view of a pattern: what a match can start with
import re._parser as sre_parse
from pathlib import Path

import pytest

from cleaners import patterns
from cleaners.patterns import guarded

FIXTURES = Path(__file__).parent / "fixtures"
GUARDED = [("BYLINE_TOKEN", "BYLINE_TOKEN_PLAIN"), ("PROMO_LINE", "PROMO_LINE_PLAIN"),
           ("CHROME_LINE_ANYWHERE", "CHROME_LINE_ANYWHERE_PLAIN"), ("AD_TRIGGER", "AD_TRIGGER_PLAIN"),
           ("HIDDEN_MARKERS", "HIDDEN_MARKERS_PLAIN"), ("MASK", "MASK_PLAIN")]


def _first(items: object, out: set[object]) -> bool:
    """Add to ``out`` what a match of the parsed ``items`` can start with; whether it can match empty."""
    for op, av in items:  # type: ignore[attr-defined]
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the next item starts the match
        if op is c.BRANCH:
            empty = False
            for branch in av[1]:
                empty |= _first(branch, out)
            if not empty:
                return False
        elif op is c.SUBPATTERN:
            if not _first(av[3], out):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            if not _first(av[2], out) and av[0] > 0:
                return False
        elif op is c.LITERAL:
            out.add(chr(av))
            return False
        elif op is c.IN:
            out.update(chr(v) if o is c.LITERAL else (o, v) for o, v in av)
            return False
        else:
            out.add((op, av))  # any other item: the guard would have to admit anything
            return False
    return True


@pytest.mark.parametrize(("name", "plain"), GUARDED)
def test_the_guard_admits_every_first_character(name: str, plain: str) -> None:
    pattern: re.Pattern[str] = getattr(patterns, plain)
    starts: set[object] = set()
    assert not _first(sre_parse.parse(pattern.pattern, pattern.flags), starts), "a pattern that matches empty"
    guard = re.compile(getattr(patterns, name).pattern[:getattr(patterns, name).pattern.index("]") + 1][3:],
                       pattern.flags)
    for start in starts:
        if isinstance(start, str):
            assert guard.fullmatch(start), f"{name}: a match can start with {start!r}, the guard refuses it"
        else:
            assert start == (c.CATEGORY, c.CATEGORY_SPACE) and guard.fullmatch(" "), f"{name}: {start}"


def _lines() -> list[str]:
    from cleaners import Page, clean, decode_html
    from sandbox.vocab import CHROME_LINES, CHROME_LINES_MORE

    out = [*CHROME_LINES, *CHROME_LINES_MORE, "admin 分享 时间:", "xadmin", "主时间：", "责任编辑：李", "【 小 】",
           "扫一扫 关注公众号“某某发布”", "下载某某新闻客户端APP", "长按识别二维码", "订阅我们的早报", "如有侵权请联系删除",
           "转载请注明出处", "本文由 小编 整理", "Powered by DedeCMS", "processed in 0.02 second", "京ICP备12345678号",
           "版权归原作者所有", "你可以用这个链接引用该篇文章", "引用地址：http://x.test/",
           "下面是小编为大家整理的讲话稿，希望大家喜欢。", "以下是本站为大家整理的范文", "想了解更多请访问本站",
           "当前隐藏内容免费查看", "还剩 300 字未读", "试读结束", "张XX同志在20XX年", "二〇xx年", "××局", "**市",
           "姓名：______", "□□□", "○○同志", "1x2", "iPhone X"]
    for path in sorted((FIXTURES / "realpages").glob("*.html"))[:8]:
        result = clean([Page(url="http://x.test/", html=decode_html(path.read_bytes()).text or "")])
        out += [line for record in result.records for line in record.text.split("\n")]
    return out


@pytest.mark.parametrize(("name", "plain"), GUARDED)
def test_guarded_patterns_find_what_the_plain_ones_find(name: str, plain: str) -> None:
    fast, slow = getattr(patterns, name), getattr(patterns, plain)
    lines = _lines()
    variants = [v for line in lines for v in (line, f"讲话{line}", f"{line} 分享 ", line.upper())]
    hits = [v for v in variants if slow.search(v)]
    assert hits, "the lines exercise the pattern"
    spans = [[(m.span(), m.lastgroup) for m in fast.finditer(v)] for v in variants]
    assert spans == [[(m.span(), m.lastgroup) for m in slow.finditer(v)] for v in variants]


def test_guarded_keeps_flags() -> None:
    pattern = guarded(re.compile(r"\bab|cd", re.I), "aAcC")
    assert pattern.flags & re.I
    assert pattern.findall("AB cd xab") == ["AB", "cd"]
