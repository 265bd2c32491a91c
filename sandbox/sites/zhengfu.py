"""zhengfu: a city government portal's 领导讲话 column (TRS WCM-style 政府门户网站), the tutorial site.

Not one of the five seed sites: ``docs/adding-a-site.md`` walks a maintainer from nothing to a
checked, crawled profile on it, so its template is used nowhere else.  What it brings that the
others do not: relative TRS URLs (``./202306/t20230612_1352000.html``), list pages numbered off by
one (``index.html``, ``index_1.html`` … as TRS publishes them), the 政府网站 ``<meta name="ArticleTitle">``
/ ``PubDate`` / ``ContentSource`` tags, a 信息公开 index table above the text, and inside the
``TRS_Editor`` element an editor's note, a centred speaker line, the meeting date "(2023年6月9日)"
and sometimes a "(根据录音整理)" line, none of them speech; every third speech ends with its attachment
(``附件:…工作要点.pdf``, a link to the PDF).  The meeting date under the speaker is not the page's
publication date (``PubDate``, 发布时间) on most articles: which one a record carries is the tutorial's
``date_from`` lesson.  The 大汉 CMS URLs of the old portal
(``/art/2023/6/12/art_1352_…html``) answer 301; print views live under the robots-disallowed /print/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from sandbox.hooks import Request, Response
from sandbox.model import CHROME, SPEAKER, SPEECH, Article, Block, Meta, shown
from sandbox.sites.base import Site, esc, para
from sandbox.sites.chrome_gov import CRUMB, gov_foot, gov_head, xxgk_table
from sandbox.vocab import CITY_ROLES, GIVEN, SURNAMES, cn_number
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

CITY = "临江"
SOURCES = ("临江市人民政府办公室", "临江日报", "临江市发展和改革委员会", "临江市人民政府研究室")
CHROME_TEXT = ("当前位置:首页 > 政务公开 > 领导讲话", "【打印本页】", "【关闭窗口】", "扫一扫在手机打开当前页", "索引号",
               "发布机构", "网站标识码", "相关链接", "字体:大 中 小")
NOTES = ("编者按:{month}月{day}日,{occasion}召开。{office}{name}出席会议并讲话。现将讲话全文刊发,供学习参考。",
         "编者按:现将{office}{name}在{occasion}上的讲话予以刊发,请结合实际认真学习贯彻。")
RECORDED = "(根据录音整理,未经本人审阅)"
ATTACHMENT = "附件:"
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_COLUMN = "/zwgk/ldjh/"


class Zhengfu(Site):
    name = "zhengfu"
    label = "city government portal, 领导讲话 column (TRS WCM style; tutorial site)"
    page_size = 8
    disallow = ("/print/", "/search/")
    newest = date(2023, 6, 28)
    content_attr = 'class="TRS_Editor"'

    def docid(self, i: int) -> int:
        return 1352960 - i * 17

    def article_path(self, i: int, page: int = 1) -> str:
        day = self.date_of(i)
        return f"/zwgk/ldjh/{day:%Y%m}/t{day:%Y%m%d}_{self.docid(i)}.html"

    def old_path(self, i: int) -> str:
        day = self.date_of(i)
        return f"/art/{day.year}/{day.month}/{day.day}/art_1352_{self.docid(i)}.html"

    def list_path(self, page: int) -> str:
        # TRS numbers the pages of a column off by one: page 2 is index_1.html.
        return "/zwgk/ldjh/index.html" if page == 1 else f"/zwgk/ldjh/index_{page - 1}.html"

    def trap_path(self, i: int) -> str:
        return f"/print/zwgk/ldjh/t{self.date_of(i):%Y%m%d}_{self.docid(i)}.html"

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        return {"/zwgk/ldjh/": lambda: self.render_list(1)}

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        w = Writer(rng_for(self.name, "meta", i))
        occasion = w.occasion()
        office, _ = w.rng.choice(CITY_ROLES)
        name = w.rng.choice(SURNAMES) + w.rng.choice(GIVEN)
        title = f"{office}{name}在{occasion}上的讲话" if w.rng.random() < 0.8 else f"在{occasion}上的讲话"
        held = self.date_of(i) - timedelta(days=w.rng.randint(0, 3))
        extra = {"held": held.isoformat(), "note": str(w.rng.randrange(len(NOTES) + 1)),
                 "recorded": "1" if w.rng.random() < 0.3 else "", "hour": f"{8 + i % 9:02d}:{i * 13 % 60:02d}"}
        return Meta(title=title, speaker=name, speaker_title=office, occasion=occasion,
                    date=self.date_of(i).isoformat(), source=w.rng.choice(SOURCES), extra=extra)

    def make_article(self, i: int, meta: Meta) -> Article:
        w = Writer(rng_for(self.name, "body", i))
        held = date.fromisoformat(meta.extra["held"])
        blocks: list[Block] = []
        note = int(meta.extra["note"])
        if note < len(NOTES):
            blocks.append(Block(CHROME, NOTES[note].format(month=held.month, day=held.day, occasion=meta.occasion,
                                                           office=meta.speaker_title, name=meta.speaker)))
        blocks.append(Block(SPEAKER, f"{CITY}{meta.speaker_title}  {meta.speaker}"))
        blocks.append(Block(SPEAKER, f"({held.year}年{held.month}月{held.day}日)"))
        if w.rng.random() < 0.7:
            blocks.append(Block(SPEECH, "同志们:"))
        blocks.append(Block(SPEECH, w.paragraph(3, 6)))
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(2, 4), 2, 4), 1):
            blocks.append(Block(SPEECH, f"{cn_number(k)}、{heading}"))
            for n, text in enumerate(paragraphs, 1):
                blocks.append(Block(SPEECH, f"({cn_number(n)}){w.unnumbered(text)}" if n % 2 else text))
        if w.rng.random() < 0.7:
            blocks.append(Block(SPEECH, w.closing()))
        if meta.extra["recorded"]:
            blocks.append(Block(CHROME, RECORDED))
        if self.has_attachment(i):
            blocks.append(Block(CHROME, f"{ATTACHMENT}{meta.occasion}工作要点.pdf"))
        return Article(self.name, i, str(self.docid(i)), meta, tuple(blocks))

    def has_attachment(self, i: int) -> bool:
        return i % 3 == 0

    def attachment_path(self, i: int) -> str:
        return f"{_COLUMN}{self.date_of(i):%Y%m}/P0{self.date_of(i):%Y%m%d}{self.docid(i)}.pdf"

    def answer(self, request: Request) -> Response:
        """The attachments are PDF files; everything else as every site answers."""
        if request.target.endswith(".pdf") and request.target.startswith(_COLUMN):
            for i in self.live:
                if self.has_attachment(i) and request.target == self.attachment_path(i):
                    return Response(200, _PDF, "application/pdf")
        return super().answer(request)

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME_TEXT, f"来源:{article.meta.source}"]

    # -- templates -------------------------------------------------------------------------------
    def _href(self, j: int, up: str) -> str:
        """TRS writes links inside the column relative to the page ("./202306/…", "../202305/…")."""
        path = self.link_path(j)
        return up + path.removeprefix(_COLUMN) if path.startswith(_COLUMN) else path

    def _block(self, block: Block, i: int = 0) -> str:
        text = shown(block.text)
        if block.kind == CHROME and text.startswith(ATTACHMENT):
            name = text.removeprefix(ATTACHMENT)
            return (f'<p style="text-indent: 2em;">{ATTACHMENT}<a href="{self.attachment_path(i)}" '
                    f'oldsrc="W020{self.docid(i)}.pdf">{esc(name)}</a></p>')
        if block.kind == SPEAKER:
            return para(text, ' style="text-align: center;"')
        if block.kind == CHROME and text.startswith("编者按"):
            return f'<p style="text-indent: 2em;"><strong>编者按:</strong>{esc(text.removeprefix("编者按:"))}</p>'
        if block.kind == CHROME:
            return para(text, ' style="text-align: right;"')
        if len(text) < 40 and text[:1] in "一二三四五六七八九" and text[1:2] == "、":
            return f'<p style="text-indent: 2em;"><strong>{esc(text)}</strong></p>'
        return para(text, ' style="text-indent: 2em;"')

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        body = "\n".join(self._block(b, i) for b in a.blocks)
        related = "".join(f'<li><a href="{self._href(j, "../")}" target="_blank">{esc(self.meta(j).title)}</a></li>'
                          for j in self.neighbours(i, 5))
        stamp = f"{m.date} {m.extra['hour']}"
        main = f"""<div class="position">{CRUMB}</div>
<div class="article-box">
{xxgk_table(m.title, m.source or "", m.date or "", self.docid(i))}
<div class="article">
<h1 class="article-tit">{esc(m.title)}</h1>
<div class="article-info"><span>发布时间:{stamp}</span><span>来源:{esc(m.source or "")}</span><span>浏览次数:<em id="clicks">{120 + i * 31 % 900}</em></span><span class="font">字体:<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span></div>
<div class="article-con" id="zoom">
<div class="TRS_Editor">
{body}
</div>
</div>
<div class="article-tools"><a href="{self.trap_path(i)}" target="_blank">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="article-qr"><img src="/images/qr/{self.docid(i)}.png" alt="" /><p>扫一扫在手机打开当前页</p></div>
<div class="related"><h3>相关链接</h3><ul>{related}</ul></div>
</div></div>"""
        return gov_head(m.title, {"ArticleTitle": m.title, "PubDate": stamp, "ContentSource": m.source or "",
                                  "ColumnName": "领导讲话"}) + main + gov_foot()

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><a href="{self._href(j, "./")}" title="{esc(self.meta(j).title)}" '
                        f'target="_blank">{esc(self.meta(j).title)}</a><span class="date">{self.meta(j).date}</span></li>'
                        for j in self.on_list(page))
        last = self.list_pages

        def href(p: int) -> str:
            return "index.html" if p == 1 else f"index_{p - 1}.html"

        links = [f'<a href="{href(1)}">首页</a>']
        links.append(f'<a href="{href(page - 1)}">上一页</a>' if page > 1 else "<span>上一页</span>")
        links += [f'<span class="current">{p}</span>' if p == page else f'<a href="{href(p)}">{p}</a>'
                  for p in range(1, last + 1)]
        links.append(f'<a href="{href(page + 1)}">下一页</a>' if page < last else "<span>下一页</span>")
        links.append(f'<a href="{href(last)}">尾页</a>')
        main = f"""<div class="position">{CRUMB.rsplit(" &gt; ", 1)[0]} &gt; 领导讲话</div>
<div class="list-box"><div class="list-tit"><h2>领导讲话</h2></div>
<ul class="list-ul">{items}</ul>
<script type="text/javascript">var countPage = {last}; var currentPage = {page - 1}; var prefix = "index"; var suffix = "html";</script>
<div class="page">共{last}页 {" ".join(links)}</div>
</div>"""
        return gov_head(f"领导讲话 第{page}页", {"ColumnName": "领导讲话"}) + main + gov_foot()

    def render_trap(self, i: int) -> str:
        """Print view of an article (robots-disallowed): title and text only."""
        a = self.article(i)
        body = "\n".join(self._block(b, i) for b in a.blocks)
        return (f'<html><head><meta charset="utf-8"><title>{esc(a.meta.title)}</title></head><body onload="window.print()">'
                f'<h1>{esc(a.meta.title)}</h1><div class="TRS_Editor">{body}</div></body></html>')
