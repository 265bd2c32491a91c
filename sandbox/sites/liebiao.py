"""liebiao: a plain 讲话稿 list site whose pager sits outside the article list.

The shape that made an unedited ``site new`` proposal crawl 2 % of a real site: the column page
``/list/1.html`` holds ``<ul class="list">`` inside a box, and the pager — 首页 / 上一页 / 下一页 / 尾页,
no page numbers — is a ``<div class="pager">`` after the box, not inside it.  A sidebar of 热门文章
is a second list of title links.  Articles live at ``/a/YYYYMMDD/NNNN.html`` with a 原标题 line and
a 责任编辑 line inside the text box (site lines, never speech); the old ``/show.php?id=NNNN``
address answers 301; print views under ``/print/`` are robots-disallowed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sandbox.model import CHROME, SPEAKER, SPEECH, Article, Block, Meta, shown
from sandbox.sites.base import Site, esc, para
from sandbox.vocab import CITY_ROLES, EDITORS, GIVEN, SOURCES, SURNAMES, cn_number
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

SITE = "公文讲话网"
CHROME_TEXT = ("当前位置:首页 > 讲话稿", "热门文章", "本站声明", "上一篇:", "下一篇:", "分享到:")
_NAV = (("/", "首页"), ("/list/1.html", "讲话稿"), ("/zongjie/", "工作总结"), ("/jihua/", "工作计划"),
        ("/xinde/", "心得体会"), ("/about.html", "关于我们"))


def _head(title: str) -> str:
    nav = "".join(f'<li><a href="{h}">{n}</a></li>' for h, n in _NAV)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{esc(title)} - {SITE}</title>
<meta name="keywords" content="讲话稿,领导讲话,会议讲话">
<link rel="stylesheet" href="/static/css/style.css">
<script src="/static/js/jquery-1.8.3.min.js"></script>
</head>
<body>
<div class="top"><div class="wrap"><a class="logo" href="/">{SITE}</a>
<form class="so" action="/search.php"><input name="q" type="text"><input type="submit" value="搜索"></form></div></div>
<div class="menu"><ul class="wrap">{nav}</ul></div>
<div class="wrap">
<div class="ad-top"><script src="/static/js/ad_top.js"></script></div>
"""


def _foot() -> str:
    return f"""</div>
<div class="footer"><p><a href="/about.html">关于我们</a> | <a href="/contact.html">联系我们</a> | <a href="/sitemap.html">网站地图</a></p>
<p>本站声明:本站文章均来自网络,如有侵权请联系删除。 Copyright © 2014-2023 {SITE} 版权所有 京ICP备14012345号-2</p></div>
<script src="/static/js/tongji.js"></script>
</body>
</html>
"""


class Liebiao(Site):
    name = "liebiao"
    label = "plain 讲话稿 list site, pager outside ul.list (下一页/尾页 only)"
    page_size = 6
    disallow = ("/print/",)
    content_attr = 'class="content"'

    def aid(self, i: int) -> int:
        return 8830 - i * 7

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/a/{self.date_of(i):%Y%m%d}/{self.aid(i)}.html"

    def old_path(self, i: int) -> str:
        return f"/show.php?id={self.aid(i)}"

    def list_path(self, page: int) -> str:
        return f"/list/{page}.html"

    def trap_path(self, i: int) -> str:
        return f"/print/{self.aid(i)}.html"

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        w = Writer(rng_for(self.name, "meta", i))
        title, occasion = w.title()
        office, _ = w.rng.choice(CITY_ROLES)
        name = w.rng.choice(SURNAMES) + w.rng.choice(GIVEN)
        extra = {"editor": w.rng.choice(EDITORS), "original": "1" if w.rng.random() < 0.4 else "",
                 "held": (self.date_of(i) - timedelta(days=w.rng.randint(1, 5))).isoformat()}
        return Meta(title=title, speaker=name, speaker_title=office, occasion=occasion,
                    date=self.date_of(i).isoformat(), source=w.rng.choice(SOURCES), extra=extra)

    def make_article(self, i: int, meta: Meta) -> Article:
        w = Writer(rng_for(self.name, "body", i))
        blocks: list[Block] = []
        if meta.extra["original"]:
            blocks.append(Block(CHROME, f"原标题:{meta.speaker_title}{meta.speaker}{meta.title}"))
        blocks.append(Block(SPEAKER, f"{meta.speaker_title} {meta.speaker}"))
        blocks.append(Block(SPEECH, "同志们:"))
        blocks.append(Block(SPEECH, w.paragraph(3, 6)))
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(2, 3), 2, 4), 1):
            blocks.append(Block(SPEECH, f"{cn_number(k)}、{heading}"))
            blocks += [Block(SPEECH, text) for text in paragraphs]
        blocks.append(Block(SPEECH, w.closing()))
        blocks.append(Block(CHROME, f"(责任编辑:{meta.extra['editor']})"))
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME_TEXT, f"来源:{article.meta.source}"]

    # -- templates -------------------------------------------------------------------------------
    def _side(self, i: int) -> str:
        hot = "".join(f'<li><a href="{self.link_path(j)}">{esc(self.meta(j).title)}</a></li>'
                      for j in self.neighbours(i, 8, "hot"))
        return f'<div class="side"><div class="side-box"><h3>热门文章</h3><ul>{hot}</ul></div>' \
               f'<div class="side-ad"><script src="/static/js/ad_side.js"></script></div></div>'

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        body = "\n".join(para(shown(b.text)) for b in a.blocks)
        prev_next = []
        if i > 0:
            prev_next.append(f'<p>上一篇:<a href="{self.link_path(i - 1)}">{esc(self.meta(i - 1).title)}</a></p>')
        if i + 1 < self.count:
            prev_next.append(f'<p>下一篇:<a href="{self.link_path(i + 1)}">{esc(self.meta(i + 1).title)}</a></p>')
        main = f"""<div class="main"><div class="place">当前位置:<a href="/">首页</a> &gt; <a href="/list/1.html">讲话稿</a></div>
<div class="article"><h1 class="title">{esc(m.title)}</h1>
<div class="info">时间:{m.date}&nbsp;&nbsp;来源:{esc(m.source or "")}&nbsp;&nbsp;<a href="{self.trap_path(i)}">打印</a></div>
<div class="content">
{body}
</div>
<div class="share">分享到:<a href="javascript:;" class="wx">微信</a> <a href="javascript:;" class="wb">微博</a></div>
<div class="prenext">{"".join(prev_next)}</div>
</div></div>
{self._side(i)}"""
        return _head(m.title) + main + _foot()

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><span class="time">{self.meta(j).date}</span><a href="{self.link_path(j)}" '
                        f'target="_blank">{esc(self.meta(j).title)}</a></li>' for j in self.on_list(page))
        last = self.list_pages
        links = [f'<a href="{self.list_path(1)}">首页</a>']
        if page > 1:
            links.append(f'<a href="{self.list_path(page - 1)}">上一页</a>')
        if page < last:
            links.append(f'<a href="{self.list_path(page + 1)}">下一页</a>')
        links.append(f'<a href="{self.list_path(last)}">尾页</a>')
        main = f"""<div class="main"><div class="place">当前位置:<a href="/">首页</a> &gt; 讲话稿</div>
<div class="box"><h2 class="box-tit">讲话稿</h2><ul class="list">{items}</ul></div>
<div class="pager"><span>共{len(self.live)}条 第{page}/{last}页</span> {" ".join(links)}</div>
</div>
{self._side(self.on_list(page)[0])}"""
        return _head(f"讲话稿 第{page}页") + main + _foot()

    def render_trap(self, i: int) -> str:
        a = self.article(i)
        body = "\n".join(para(shown(b.text)) for b in a.blocks)
        return (f'<html><head><meta charset="utf-8"><title>{esc(a.meta.title)}</title></head>'
                f'<body onload="window.print()"><h1>{esc(a.meta.title)}</h1><div class="content">{body}</div></body></html>')
