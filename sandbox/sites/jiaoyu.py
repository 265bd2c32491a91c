"""jiaoyu: a city education bureau's 领导讲话 column — the second held-out shape, not tuned for.

Written after the other sites and measured before any change for it (docs/adding-a-site.md, "How
well an unedited proposal covers a site").  The shape is the JSP portal of many 市/县 bureaus:

- the column ``/jyzx/ldjh/`` is ``list_1.html``, ``list_2.html`` …; its pager has no address in it:
  a script states ``var countPage = N`` and ``currentPage``, writes 首页 / 上一页 / 下一页 / 尾页 as
  ``javascript:goPage(n)`` links, and ``goPage`` builds ``"jyzx/ldjh/list_" + n + ".html"`` (relative to
  the base, as a browser resolves it; no prefix variable);
- every page carries ``<base href="/">`` and writes its links relative to it (``info/1023/5678.htm``),
  so a link resolved against the page's own address points nowhere;
- articles ``/info/1023/ID.htm`` continue on ``ID_2.htm``, ``ID_3.htm`` with a VSB-style page bar
  (共3页 上一页 1 2 3 下一页) under the text; 上一篇 / 下一篇 links close every article;
- inside ``div.v_news_content``: a "原标题:" line on republished speeches, the speaker and meeting-date
  lines, and at the end a "(作者系…)" signature, a 责任编辑 line and an "编辑 … 审核 …" line.

UTF-8.  The old address ``/jyzx/ldjh/ID.html`` answers 301; downloads under ``/system/`` are
robots-disallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from sandbox.model import CHROME, SPEAKER, SPEECH, Article, Block, Meta, shown
from sandbox.sites.base import Site, esc, para
from sandbox.vocab import EDITORS, GIVEN, SURNAMES, cn_number
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

SITE = "南湖市教育局"
COLUMN = "/jyzx/ldjh/"
OWNER = 1023
ROLES = ("局党组书记、局长", "局党组副书记、副局长", "局党组成员、副局长", "市委教育工委书记", "局党组成员、总督学")
SOURCES = ("南湖市教育局办公室", "南湖教育发布", "南湖日报", "南湖市教育局组织人事科")
PAPERS = ("南湖日报", "南湖教育", "中国教育报")
CHROME_TEXT = ("当前位置:首页 >> 教育资讯 >> 领导讲话", "发布时间:", "浏览次数:", "【打印】", "【关闭】", "上一篇:",
               "下一篇:", "共3页", "版权所有:南湖市教育局")
_NAV = (("index.htm", "首页"), ("jyzx.htm", "教育资讯"), ("zwgk.htm", "政务公开"), ("bsfw.htm", "办事服务"),
        ("hdjl.htm", "互动交流"))


def _head(title: str) -> str:
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in _NAV)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<base href="/" />
<title>{esc(title)}-{SITE}</title>
<meta name="description" content="{SITE}门户网站" />
<link rel="stylesheet" type="text/css" href="style/style.css" />
<script type="text/javascript" src="system/resource/js/jquery/jquery-latest.min.js"></script>
<script type="text/javascript" src="system/resource/js/counter.js"></script>
</head>
<body>
<div class="top"><div class="wid"><span class="fl">今天是:<script>document.write(new Date().toLocaleDateString());</script></span>
<span class="fr"><a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> | <a href="javascript:void(0)" onclick="AddFavorite(window.location,document.title)">加入收藏</a></span></div></div>
<div class="header wid"><a href="index.htm"><img src="images/logo.png" alt="{SITE}" /></a>
<form name="searchform" action="system/search.jsp" method="post"><input type="text" name="showkeycode" /><input type="submit" value="搜索" /></form></div>
<div class="nav"><ul class="wid">{nav}</ul></div>
<div class="main wid">
"""


def _foot() -> str:
    return f"""</div>
<div class="footer"><div class="wid"><p>版权所有:{SITE} 地址:南湖市建设路88号 邮编:413000</p>
<p>联系电话:0737-4221234 <a href="https://beian.miit.gov.cn/" target="_blank">湘ICP备10012345号-1</a> 网站标识码:4309000012</p></div></div>
</body>
</html>
"""


class Jiaoyu(Site):
    name = "jiaoyu"
    label = "education bureau column: var countPage + goPage() pager, list_N.html, <base href>, split articles"
    page_size = 9
    disallow = ("/system/",)
    newest = date(2024, 4, 26)
    content_attr = 'class="v_news_content"'

    def aid(self, i: int) -> int:
        return 5678 - i * 5

    def page_count(self, i: int) -> int:
        return 1 + (i % 4 == 1) + (i % 8 == 1)

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/info/{OWNER}/{self.aid(i)}" + (f"_{page}" if page > 1 else "") + ".htm"

    def old_path(self, i: int) -> str:
        return f"{COLUMN}{self.aid(i)}.html"

    def list_path(self, page: int) -> str:
        return f"{COLUMN}list_{page}.html"

    def trap_path(self, i: int) -> str:
        return f"/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner={OWNER}&wbnewsid={self.aid(i)}"

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        return {COLUMN: lambda: self.render_list(1)}

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        w = Writer(rng_for(self.name, "meta", i))
        occasion = w.occasion()
        office = w.rng.choice(ROLES)
        name = w.rng.choice(SURNAMES) + w.rng.choice(GIVEN)
        title = f"{office.rpartition('、')[2]}{name}在{occasion}上的讲话" if w.rng.random() < 0.7 \
            else f"在{occasion}上的讲话"
        held = self.date_of(i) - timedelta(days=w.rng.randint(0, 4))
        extra = {"held": held.isoformat(), "editor": w.rng.choice(EDITORS), "checker": w.rng.choice(EDITORS),
                 "original": w.rng.choice(PAPERS) if w.rng.random() < 0.4 else "",
                 "signed": "1" if w.rng.random() < 0.35 else "", "office": office}
        return Meta(title=title, speaker=name, speaker_title=office.rpartition("、")[2], occasion=occasion,
                    date=self.date_of(i).isoformat(), source=w.rng.choice(SOURCES), extra=extra)

    def make_article(self, i: int, meta: Meta) -> Article:
        w = Writer(rng_for(self.name, "body", i))
        held = date.fromisoformat(meta.extra["held"])
        blocks: list[Block] = []
        if meta.extra["original"]:
            blocks.append(Block(CHROME, f"原标题:《{meta.occasion}召开 {meta.speaker}出席并讲话》"))
        blocks.append(Block(SPEAKER, f"{meta.extra['office']} {meta.speaker}"))
        blocks.append(Block(SPEAKER, f"({held.year}年{held.month}月{held.day}日)"))
        blocks.append(Block(SPEECH, "同志们:"))
        blocks.append(Block(SPEECH, w.paragraph(3, 6)))
        for k, (heading, paragraphs) in enumerate(w.sections(2 + self.page_count(i), 2, 4), 1):
            blocks.append(Block(SPEECH, f"{cn_number(k)}、{heading}"))
            blocks += [Block(SPEECH, text) for text in paragraphs]
        blocks.append(Block(SPEECH, w.closing()))
        if meta.extra["signed"]:
            blocks.append(Block(CHROME, f"(作者系南湖市教育局{meta.extra['office']})"))
        blocks.append(Block(CHROME, f"责任编辑:{meta.extra['editor']}"))
        blocks.append(Block(CHROME, f"编辑:{meta.extra['editor']}  审核:{meta.extra['checker']}"))
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME_TEXT, f"来源:{article.meta.source}"]

    # -- templates -------------------------------------------------------------------------------
    def _href(self, path: str) -> str:
        """Every link is written relative to ``<base href="/">``."""
        return path.removeprefix("/")

    def _block(self, block: Block) -> str:
        text = shown(block.text)
        if block.kind == SPEAKER:
            return para(text, ' style="text-align: center;"')
        if block.kind == CHROME and not text.startswith("原标题"):
            return para(text, ' style="text-align: right;"')
        if len(text) < 40 and text[:1] in "一二三四五六七八九" and text[1:2] == "、":
            return f'<p style="text-indent: 2em;"><strong>{esc(text)}</strong></p>'
        return f'<p class="vsbcontent_start" style="text-indent: 2em;">{esc(text)}</p>' if text == "同志们:" \
            else para(text, ' style="text-indent: 2em;"')

    def _page_blocks(self, a: Article, page: int) -> list[Block]:
        """The blocks page ``page`` shows: the opening lines on the first, the closing lines on the last."""
        count = self.page_count(a.index)
        speech = [b for b in a.blocks if b.kind == SPEECH]
        first = a.blocks.index(speech[0])
        last = a.blocks.index(speech[-1])
        size = -(-len(speech) // count)
        shown_blocks = list(a.blocks[:first]) if page == 1 else []
        shown_blocks += speech[(page - 1) * size:page * size]
        return shown_blocks + (list(a.blocks[last + 1:]) if page == count else [])

    def _page_bar(self, i: int, page: int) -> str:
        count = self.page_count(i)
        if count < 2:
            return ""
        links = [f"<span>共{count}页</span>"]
        if page > 1:
            links.append(f'<a href="{self._href(self.article_path(i, page - 1))}">上一页</a>')
        links += [f'<span class="curr">{p}</span>' if p == page else
                  f'<a href="{self._href(self.article_path(i, p))}">{p}</a>' for p in range(1, count + 1)]
        if page < count:
            links.append(f'<a href="{self._href(self.article_path(i, page + 1))}">下一页</a>')
        return f'<p align="center" class="pagebar">{"&nbsp;&nbsp;".join(links)}</p>'

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        body = "\n".join(self._block(b) for b in self._page_blocks(a, page))
        older, newer = (i + 1) % self.count, (i + self.count - 1) % self.count
        main = f"""<div class="location">当前位置:<a href="index.htm">首页</a> &gt;&gt; <a href="jyzx.htm">教育资讯</a> &gt;&gt; <a href="{self._href(self.list_path(1))}">领导讲话</a></div>
<div class="content"><form name="_newscontent_fromname">
<h1 class="arti_title">{esc(m.title)}</h1>
<div class="arti_metas"><span>发布时间:{m.date}</span>&nbsp;&nbsp;<span>来源:{esc(m.source or "")}</span>&nbsp;&nbsp;<span>浏览次数:<script>_showDynClicks("wbnews", 1691234567, {self.aid(i)})</script></span></div>
<div id="vsb_content"><div class="v_news_content">
{body}
</div></div>
{self._page_bar(i, page)}
<div id="div_vote_id"></div>
<div class="arti_tools"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div>
<div class="arti_prevnext"><p>上一篇:<a href="{self._href(self.link_path(older))}">{esc(self.meta(older).title)}</a></p>
<p>下一篇:<a href="{self._href(self.link_path(newer))}">{esc(self.meta(newer).title)}</a></p></div>
</form></div>"""
        return _head(m.title) + main + _foot()

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><span class="date">{self.meta(j).date}</span><a href="{self._href(self.link_path(j))}" '
                        f'target="_blank" title="{esc(self.meta(j).title)}">{esc(self.meta(j).title)}</a></li>'
                        for j in self.on_list(page))
        last = self.list_pages
        notices = "".join(f'<li><a href="{esc(self._href(self.trap_path(j)))}">{esc(self.meta(j).title)}(附件下载)</a></li>'
                          for j in self.on_list(page)[:2])
        main = f"""<div class="location">当前位置:<a href="index.htm">首页</a> &gt;&gt; <a href="jyzx.htm">教育资讯</a> &gt;&gt; 领导讲话</div>
<div class="left"><div class="lm_tit">教育资讯</div><ul class="lm_list"><li><a href="jyzx/jyyw.htm">教育要闻</a></li><li class="on"><a href="{self._href(self.list_path(1))}">领导讲话</a></li><li><a href="jyzx/tzgg.htm">通知公告</a></li></ul>
<div class="lm_tit">附件下载</div><ul class="lm_list">{notices}</ul></div>
<div class="right"><div class="r_tit">领导讲话</div>
<ul class="news_list">{items}</ul>
<div class="pagebar" id="pagebar"></div>
<script type="text/javascript">
var countPage = {last};//总页数
var currentPage = {page};//当前页
var recordCount = {len(self.live)};
function goPage(n) {{
    if (n < 1 || n > countPage || n == currentPage) {{ return false; }}
    window.location.href = "{self._href(COLUMN)}list_" + n + ".html";
}}
var bar = "<span>共" + recordCount + "条 " + currentPage + "/" + countPage + "页</span>";
bar += "<a href=\\"javascript:goPage(1)\\">首页</a>";
if (currentPage > 1) {{ bar += "<a href=\\"javascript:goPage(" + (currentPage - 1) + ")\\">上一页</a>"; }}
if (currentPage < countPage) {{ bar += "<a href=\\"javascript:goPage(" + (currentPage + 1) + ")\\">下一页</a>"; }}
bar += "<a href=\\"javascript:goPage(" + countPage + ")\\">尾页</a>";
document.getElementById("pagebar").innerHTML = bar;
</script>
</div>"""
        return _head(f"领导讲话 第{page}页") + main + _foot()

    def render_trap(self, i: int) -> str:
        """The attachment download (robots-disallowed): the speech as a bare page."""
        a = self.article(i)
        body = "\n".join(self._block(b) for b in a.blocks)
        return (f'<html><head><meta charset="utf-8"><title>{esc(a.meta.title)}</title></head><body>'
                f'<h1>{esc(a.meta.title)}</h1><div class="v_news_content">{body}</div></body></html>')
