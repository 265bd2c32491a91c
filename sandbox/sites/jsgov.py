"""jsgov: a county portal's 领导活动 column whose pager is written by JavaScript (TRS WCM, GBK).

No ``<a>`` in the pager at all: the column page ends with
``<script>createPageHTML(4, 0, "index", "html");</script>``, which builds the 首页 / 下一页 / numbered
links in the browser, for pages ``index.html``, ``index_1.html`` … ``index_3.html``.  Article links
are relative to the column (``./202403/t20240315_123456.html``) and the list page carries a
``<base href>``.  Pages are GBK.  Inside ``div.TRS_Editor`` the speech comes with a centred byline, a
"(记者 …)" line on some and a 责任编辑 line; 信息来源 and 发布时间 sit in ``div.xxgk-info``.  The old
``/art/…`` address answers 301; print views under ``/print/`` are robots-disallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sandbox.model import CHROME, SPEAKER, SPEECH, Article, Block, Meta, shown
from sandbox.sites.base import Site, esc, para
from sandbox.vocab import COUNTY_ROLES, EDITORS, GIVEN, SURNAMES, cn_number
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

SITE = "青川县人民政府"
COLUMN = "/xxgk/ldhd/"
SOURCES = ("青川县人民政府办公室", "青川县融媒体中心", "青川县发展和改革局")
CHROME_TEXT = ("您现在的位置:首页 > 信息公开 > 领导活动", "【打印】", "【关闭】", "信息来源:", "网站标识码")
_NAV = (("/", "网站首页"), ("/xxgk/", "信息公开"), ("/zwfw/", "政务服务"), ("/hdjl/", "互动交流"),
        ("/zjqc/", "走进青川"))


def _head(title: str, meta: dict[str, str]) -> str:
    tags = "".join(f'<meta name="{k}" content="{esc(v)}">\n' for k, v in meta.items())
    nav = "".join(f'<a href="{h}">{n}</a>' for h, n in _NAV)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(title)}</title>
<meta name="SiteName" content="{SITE}">
{tags}<link href="/images/style.css" rel="stylesheet" type="text/css" />
<script language="javascript" src="/images/js/page.js"></script>
</head>
<body>
<div class="head"><div class="head-top">欢迎访问{SITE}门户网站 <a href="javascript:;" id="wza">无障碍</a></div>
<div class="logo"><img src="/images/logo.png" alt="{SITE}" /></div><div class="nav">{nav}</div></div>
<div class="container">
"""


def _foot() -> str:
    return f"""</div>
<div class="foot"><p>主办单位:{SITE}办公室 网站标识码:5108230001</p>
<p><a href="https://beian.miit.gov.cn/">蜀ICP备05012345号</a> 川公网安备51082302000045号</p></div>
</body>
</html>
"""


class Jsgov(Site):
    name = "jsgov"
    label = "county portal 领导活动 column, JavaScript pager only (TRS createPageHTML, GBK)"
    encoding = "gbk"
    page_size = 5
    disallow = ("/print/",)
    newest = date(2024, 3, 15)
    content_attr = 'class="TRS_Editor"'

    def docid(self, i: int) -> int:
        return 123456 - i * 11

    def article_path(self, i: int, page: int = 1) -> str:
        day = self.date_of(i)
        return f"{COLUMN}{day:%Y%m}/t{day:%Y%m%d}_{self.docid(i)}.html"

    def old_path(self, i: int) -> str:
        day = self.date_of(i)
        return f"/art/{day.year}/{day.month}/{day.day}/art_2301_{self.docid(i)}.html"

    def list_path(self, page: int) -> str:
        return f"{COLUMN}index.html" if page == 1 else f"{COLUMN}index_{page - 1}.html"

    def trap_path(self, i: int) -> str:
        return f"/print{COLUMN}t{self.date_of(i):%Y%m%d}_{self.docid(i)}.html"

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        w = Writer(rng_for(self.name, "meta", i))
        occasion = w.occasion()
        office, _ = w.rng.choice(COUNTY_ROLES)
        name = w.rng.choice(SURNAMES) + w.rng.choice(GIVEN)
        title = f"{office}{name}在{occasion}上的讲话"
        extra = {"editor": w.rng.choice(EDITORS), "reporter": w.rng.choice(SURNAMES) + w.rng.choice(GIVEN)
                 if w.rng.random() < 0.5 else ""}
        return Meta(title=title, speaker=name, speaker_title=office, occasion=occasion,
                    date=self.date_of(i).isoformat(), source=w.rng.choice(SOURCES), extra=extra)

    def make_article(self, i: int, meta: Meta) -> Article:
        w = Writer(rng_for(self.name, "body", i))
        blocks: list[Block] = [Block(SPEAKER, f"{meta.speaker_title}  {meta.speaker}")]
        if meta.extra["reporter"]:
            blocks.append(Block(CHROME, f"(记者 {meta.extra['reporter']})"))
        blocks.append(Block(SPEECH, "同志们:"))
        blocks.append(Block(SPEECH, w.paragraph(3, 6)))
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(2, 4), 2, 3), 1):
            blocks.append(Block(SPEECH, f"{cn_number(k)}、{heading}"))
            blocks += [Block(SPEECH, text) for text in paragraphs]
        blocks.append(Block(SPEECH, w.closing()))
        blocks.append(Block(CHROME, f"责任编辑:{meta.extra['editor']}"))
        return Article(self.name, i, str(self.docid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        return list(CHROME_TEXT)

    # -- templates -------------------------------------------------------------------------------
    def _block(self, block: Block) -> str:
        text = shown(block.text)
        if block.kind == SPEAKER:
            return para(text, ' align="center"')
        if block.kind == CHROME and text.startswith("责任编辑"):
            return para(text, ' align="right"')
        return para(text, ' style="text-indent: 2em"')

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        body = "\n".join(self._block(b) for b in a.blocks)
        main = f"""<div class="location">您现在的位置:<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; <a href="../">领导活动</a></div>
<div class="detail"><h2 class="detail-title">{esc(m.title)}</h2>
<div class="xxgk-info">信息来源:{esc(m.source or "")}&nbsp;&nbsp;发布时间:{m.date}&nbsp;&nbsp;
<a href="{self.trap_path(i)}" target="_blank">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div>
<div class="detail-con"><div class="TRS_Editor">
{body}
</div></div></div>"""
        return _head(m.title, {"ArticleTitle": m.title, "PubDate": m.date or "", "ContentSource": m.source or ""}) \
            + main + _foot()

    def _href(self, j: int) -> str:
        return "./" + self.link_path(j).removeprefix(COLUMN) if self.link_path(j).startswith(COLUMN) \
            else self.link_path(j)

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><a href="{self._href(j)}" target="_blank" title="{esc(self.meta(j).title)}">'
                        f'{esc(self.meta(j).title)}</a><span>{self.meta(j).date}</span></li>' for j in self.on_list(page))
        main = f"""<base href="{COLUMN}{"index.html" if page == 1 else f"index_{page - 1}.html"}" />
<div class="location">您现在的位置:<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; 领导活动</div>
<div class="column"><div class="column-title">领导活动</div>
<ul class="column-list">{items}</ul>
<div class="fanye"><script language="javascript">createPageHTML({self.list_pages}, {page - 1}, "index", "html");</script></div>
</div>"""
        return _head(f"领导活动_{SITE}", {"ColumnName": "领导活动"}) + main + _foot()

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        return {COLUMN: lambda: self.render_list(1)}

    def render_trap(self, i: int) -> str:
        a = self.article(i)
        body = "\n".join(self._block(b) for b in a.blocks)
        return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
                f'<title>{esc(a.meta.title)}</title></head><body onload="window.print()">'
                f'<h2>{esc(a.meta.title)}</h2><div class="TRS_Editor">{body}</div></body></html>')
