"""phpcms: a PHPCMS v9 讲话 column with dynamic (query-string) addresses — the held-out shape.

Written after the other shape sites and measured without tuning anything for it
(docs/adding-a-site.md, "How well an unedited proposal covers a site").  Everything is a query on
``/index.php``: the column ``?m=content&c=index&a=lists&catid=12`` and its pages ``…&page=2``, the
articles ``?m=content&c=index&a=show&catid=12&id=345``, long articles continued on ``…&id=345&page=2``
with PHPCMS's ``<div id="pages">`` bar (上一页 1 2 下一页) under the text.  The pager of the column
sits after the list, and a "推荐阅读" box with title links stands beside it.  Print views under
``/index.php?m=content&c=print`` are not linked from the text; ``/api.php`` is robots-disallowed.
"""

from __future__ import annotations

import logging
from datetime import date

from sandbox.model import CHROME, SPEECH, Article, Block, Meta, shown
from sandbox.sites.base import Site, esc, para
from sandbox.vocab import CITY_ROLES, GIVEN, SOURCES, SURNAMES, cn_number
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

SITE = "党政讲话资料库"
BASE = "/index.php?m=content&c=index"
CHROME_TEXT = ("推荐阅读", "上一篇:", "下一篇:", "发布时间:", "来源:")


class Phpcms(Site):
    name = "phpcms"
    label = "PHPCMS v9 column, query-string lists and split articles (held-out shape)"
    page_size = 7
    disallow = ("/api.php",)
    newest = date(2023, 4, 10)
    content_attr = 'id="Article"'

    def aid(self, i: int) -> int:
        return 4120 - i * 3

    def page_count(self, i: int) -> int:
        return 1 + i % 3

    def article_path(self, i: int, page: int = 1) -> str:
        return f"{BASE}&a=show&catid=12&id={self.aid(i)}" + (f"&page={page}" if page > 1 else "")

    def old_path(self, i: int) -> str:
        return f"/html/jianghua/{self.date_of(i):%Y/%m%d}/{self.aid(i)}.html"

    def list_path(self, page: int) -> str:
        return f"{BASE}&a=lists&catid=12" + (f"&page={page}" if page > 1 else "")

    def trap_path(self, i: int) -> str:
        return f"/api.php?op=count&id={self.aid(i)}&modelid=1"

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        w = Writer(rng_for(self.name, "meta", i))
        title, occasion = w.title()
        office, _ = w.rng.choice(CITY_ROLES)
        name = w.rng.choice(SURNAMES) + w.rng.choice(GIVEN)
        return Meta(title=title, speaker=name, speaker_title=office, occasion=occasion,
                    date=self.date_of(i).isoformat(), source=w.rng.choice(SOURCES))

    def make_article(self, i: int, meta: Meta) -> Article:
        w = Writer(rng_for(self.name, "body", i))
        blocks: list[Block] = [Block(SPEECH, "同志们:"), Block(SPEECH, w.paragraph(3, 6))]
        for k, (heading, paragraphs) in enumerate(w.sections(2 + self.page_count(i), 2, 4), 1):
            blocks.append(Block(SPEECH, f"{cn_number(k)}、{heading}"))
            blocks += [Block(SPEECH, text) for text in paragraphs]
        blocks.append(Block(SPEECH, w.closing()))
        blocks.append(Block(CHROME, "(来源:" + (meta.source or "") + ")"))
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        return list(CHROME_TEXT)

    # -- templates -------------------------------------------------------------------------------
    def _head(self, title: str) -> str:
        return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(title)} - {SITE}</title>
<link href="/statics/css/reset.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/statics/js/jquery.min.js"></script>
</head>
<body>
<div class="header"><div class="logo"><a href="/"><img src="/statics/images/logo.png" /></a></div>
<div class="nav"><a href="/">首页</a><span>|</span><a href="{self.list_path(1)}">领导讲话</a><span>|</span><a href="{BASE}&a=lists&catid=13">工作报告</a><span>|</span><a href="{BASE}&a=lists&catid=14">心得体会</a></div></div>
<div class="main">
"""

    def _foot(self) -> str:
        return f"""</div>
<div class="footer"><p>{SITE} 版权所有 Powered by PHPCMS v9</p></div>
<script language="JavaScript" src="/api.php?op=count&amp;id=0&amp;modelid=1"></script>
</body>
</html>
"""

    def _recommend(self, i: int) -> str:
        links = "".join(f'<li><a href="{self.link_path(j)}" title="{esc(self.meta(j).title)}">{esc(self.meta(j).title)}</a></li>'
                        for j in self.neighbours(i, 6, "rec"))
        return f'<div class="col-right"><div class="box"><h5 class="title-2">推荐阅读</h5><ul class="content digg">{links}</ul></div></div>'

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        count = self.page_count(i)
        speech = [b for b in a.blocks if b.kind == SPEECH]
        size = -(-len(speech) // count)
        shown_blocks = speech[(page - 1) * size:page * size] + ([b for b in a.blocks if b.kind == CHROME]
                                                                if page == count else [])
        body = "\n".join(para(shown(b.text)) for b in shown_blocks)
        bar = ""
        if count > 1:
            links = "".join(f"<span>{p}</span>" if p == page else f'<a href="{self.article_path(i, p)}">{p}</a>'
                            for p in range(1, count + 1))
            prev = f'<a class="a1" href="{self.article_path(i, page - 1)}">上一页</a>' if page > 1 else ""
            nxt = f'<a class="a1" href="{self.article_path(i, page + 1)}">下一页</a>' if page < count else ""
            bar = f'<div id="pages" class="text-c">{prev}{links}{nxt}</div>'
        main = f"""<div class="crumbs"><a href="/">首页</a><span> &gt; </span><a href="{self.list_path(1)}">领导讲话</a> &gt; 正文</div>
<div class="col-left"><div id="Article"><h1>{esc(m.title)}<br /><span>发布时间:{m.date} 来源:{esc(m.source or "")}</span></h1>
<div class="content">
{body}
</div>
{bar}
<p class="f14"><strong>上一篇:</strong><a href="{self.link_path((i + 1) % self.count)}">{esc(self.meta((i + 1) % self.count).title)}</a><br />
<strong>下一篇:</strong><a href="{self.link_path((i + self.count - 1) % self.count)}">{esc(self.meta((i + self.count - 1) % self.count).title)}</a></p>
</div></div>
{self._recommend(i)}"""
        return self._head(m.title) + main + self._foot()

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><span class="rt">{self.meta(j).date}</span>·<a href="{self.link_path(j)}" target="_blank">'
                        f'{esc(self.meta(j).title)}</a></li>' for j in self.on_list(page))
        last = self.list_pages
        nums = "".join(f"<span>{p}</span>" if p == page else f'<a href="{self.list_path(p)}">{p}</a>'
                       for p in range(1, last + 1))
        prev = f'<a class="a1" href="{self.list_path(max(1, page - 1))}">上一页</a>'
        nxt = f'<a class="a1" href="{self.list_path(min(last, page + 1))}">下一页</a>'
        main = f"""<div class="crumbs"><a href="/">首页</a><span> &gt; </span>领导讲话</div>
<div class="col-left"><div class="box"><h5 class="title-2">领导讲话</h5>
<ul class="list lh24 f14">{items}</ul></div>
<div id="pages" class="text-c"><a class="a1">{len(self.live)}条</a> {prev}{nums}{nxt}</div></div>
{self._recommend(self.on_list(page)[0])}"""
        return self._head(f"领导讲话 第{page}页") + main + self._foot()

    def render_trap(self, i: int) -> str:
        return "document.write('1');"
