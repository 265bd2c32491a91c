"""The sandbox is at least as hard as the real pages it reproduces.

Each sandbox site serves its seed capture as one of its articles.  Every line of the capture —
the speech lines of the annotated seed and the chrome lines listed in fixtures/seed_chrome.json
(breadcrumbs, byline bars, banners, 领取福利 tails, comment widgets …) — must appear on the
rendered page(s), so that no chrome, ad, mask or filler form the real page shows was simplified
away to make a cleaner pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from sandbox import SITES
from sandbox.model import BLANK, PAGE, PART, shown
from sandbox.seeds import load_seed
from sandbox.sites import make_site

SEED_CHROME: dict[str, Any] = json.loads((Path(__file__).parent / "fixtures" / "seed_chrome.json").read_text("utf-8"))


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _rendered_text(site: str) -> str:
    s = make_site(site, 20)
    i = s.seed_index
    texts = []
    for page in range(1, s.page_count(i) + 1):
        doc = lxml_html.fromstring(s.render_article(i, page))
        for el in doc.xpath("//script|//style"):
            el.drop_tree()
        texts.append(_squeeze(doc.text_content()))
    return "\n".join(texts)


@pytest.mark.parametrize("site", SITES)
def test_seed_page_shows_every_line_of_its_capture(site: str) -> None:
    rendered = _rendered_text(site)
    _, blocks = load_seed(site)
    speech = [shown(b.heading if b.kind == PART else b.text) for b in blocks if b.kind not in (BLANK, PAGE)]
    chrome = SEED_CHROME[site]["chrome"]
    assert len(speech) + len(chrome) >= SEED_CHROME[site]["lines"] - 1  # the capture's lines, one repeat at most
    missing = [line for line in [*speech, *chrome] if _squeeze(line) not in rendered]
    assert not missing, missing


def test_seed_chrome_covers_the_hard_forms() -> None:
    """The forms the design names for each seed are among the chrome lines checked above."""
    expected = {
        "wenmi": ["当前位置", "以稿换稿】", "阅读 次", "手机扫码阅读本文", "相关文章", "用户评论", "网友评论共 0"],
        "fanwen": ["(优秀19篇)"],
        "wendang": ["推荐访问:"],
        "sucai": ["SUCAI198.COM —— 专注党建行政公文写作范文", "(第2/3页)", "admin 分享", "共计16698个字,预计阅读时长56分钟。",
                  "领取福利", "微信扫码领取福利", "微信扫码分享"],
        "ribao": ["荆州市委书记吴锦:", "(来源:荆州日报)", "评论一下", "还没有评论,快来抢沙发吧!", "最热评论"],
    }
    for site, forms in expected.items():
        chrome = "\n".join(SEED_CHROME[site]["chrome"])
        assert all(form in chrome for form in forms), site
