"""wenmi: a 文秘家园-style DedeCMS 范文 portal, served as GBK (seed 000).

What makes it hard for a crawler and a cleaner, as on the real site: GBK bytes, the body sits in a
layout table inside ``div.content`` together with a centred speaker line and the 手机扫码阅读本文 QR
block, and the byline bar / 相关文章 / 用户评论 chrome surrounds it.  DedeCMS's dynamic view
``/plus/view.php?aid=N`` shows the same article but is disallowed by robots.txt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sandbox.model import SPEAKER, SPEECH, Article, Block, Meta, shown
from sandbox.seeds import load_seed
from sandbox.sites.base import Site, esc, para
from sandbox.sites.chrome import dede_foot, dede_head, dede_sidebar
from sandbox.vocab import SOURCES
from sandbox.writer import Writer, rng_for, spin_all

logger = logging.getLogger(__name__)

CRUMB = ('当前位置:<a href="/">文秘家园</a>&gt;&gt; <a href="/wmgz/">文秘工作</a>&gt;&gt; '
         '<a href="/wmgz/zwxgz/">政务性工作</a>&gt;&gt; <a href="/wmgz/fwxx/">范文学习</a>')
SPUN = (6, 4)
"""(original, copy): article 4 republishes article 6 through a 伪原创 spinner (城市化→乡村化, 安全→平安 …),
under a spun title and another 来源, as 范文 portals do; near-duplicate detection must pair them."""
CHROME = ("当前位置:文秘家园>> 文秘工作>> 政务性工作>> 范文学习", "以稿换稿】", "阅读 次", "【收藏",
          "手机扫码阅读本文", "相关文章", "用户评论", "(以下评论仅代表网友意见,与本站立场无关)", "网友评论共 0")


class Wenmi(Site):
    name = "wenmi"
    label = "文秘家园-style 范文 portal (DedeCMS, GBK)"
    encoding = "gbk"
    page_size = 10
    disallow = ("/plus/", "/member/")
    conditional = True
    content_attr = 'class="content"'
    newest = date(2020, 5, 26)

    def aid(self, i: int) -> int:
        return 61000 - i * 7 - i % 5

    def article_path(self, i: int, page: int = 1) -> str:
        day = self.date_of(i)
        return f"/wmgz/fwxx/{day:%Y}/{day:%m%d}/{self.aid(i)}.html"

    def old_path(self, i: int) -> str:
        return f"/wmgz/fwxx/{self.aid(i)}.html"

    def list_path(self, page: int) -> str:
        return f"/wmgz/fwxx/list_12_{page}.html"

    def trap_path(self, i: int) -> str:
        return f"/plus/view.php?aid={self.aid(i)}"

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        return {"/member/login.php": self._login, "/wmgz/fwxx/": lambda: self.render_list(1)}

    # -- content ---------------------------------------------------------------------------------
    def spun_from(self, i: int) -> int | None:
        """The article that article ``i`` is a spun copy of (only when the site has both)."""
        original, copy = SPUN
        return original if i == copy and original < self.count else None

    def make_meta(self, i: int) -> Meta:
        original = self.spun_from(i)
        if original is not None:
            of = self.meta(original)
            return Meta(title=spin_all(of.title), occasion=spin_all(of.occasion) if of.occasion else None,
                        speaker=of.speaker, speaker_title=of.speaker_title, source="网络", author=of.author)
        if i == self.seed_index:
            m = load_seed(self.name)[0]
            return Meta(title=m["title"], speaker=m["speaker"], speaker_title=m["speaker_title"],
                        occasion=m["occasion"], source=m["source"], author=m["author"])
        w = Writer(rng_for(self.name, "meta", i))
        title, occasion = w.title()
        source = w.rng.choice(SOURCES)
        if w.rng.random() < 0.7:
            sp = w.speaker()
            return Meta(title=title, occasion=occasion, speaker=sp.name, speaker_title=sp.title, source=source,
                        author=sp.name)
        return Meta(title=title, occasion=occasion, source=source, author="佚名")

    def make_article(self, i: int, meta: Meta) -> Article:
        original = self.spun_from(i)
        if original is not None:
            spun = tuple(Block(b.kind, spin_all(b.text)) if b.kind == SPEECH else b
                         for b in self.article(original).blocks)
            return Article(self.name, i, str(self.aid(i)), meta, spun, copy_of=original)
        if i == self.seed_index:
            return Article(self.name, i, str(self.aid(i)), meta, load_seed(self.name)[1], seed=True)
        w = Writer(rng_for(self.name, "body", i))
        blocks: list[Block] = []
        if meta.speaker:
            blocks.append(Block(SPEAKER, f"{meta.speaker_title}  {meta.speaker}"))
        if w.rng.random() < 0.4:
            blocks.append(Block(SPEECH, "同志们:"))
        blocks.append(Block(SPEECH, w.paragraph()))
        seed_like = w.rng.random() < 0.5
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(2, 4)), 1):
            if seed_like:  # "1过往四年" then ●-bullets, as in the seed
                blocks.append(Block(SPEECH, f"{k}{heading}"))
                for text in paragraphs:
                    blocks.append(Block(SPEECH, f"●{w.heading()}。"))
                    blocks.append(Block(SPEECH, text))
            else:
                blocks.append(Block(SPEECH, f"{'一二三四'[k - 1]}、{heading}"))
                blocks.extend(Block(SPEECH, text) for text in paragraphs)
        if w.rng.random() < 0.6:
            blocks.append(Block(SPEECH, w.closing()))
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME, "范文学习", f"作者: {article.meta.author}", f"来源: {article.meta.source}"]

    # -- templates -------------------------------------------------------------------------------
    def _block(self, block: Block) -> str:
        text = shown(block.text)
        if block.kind == SPEAKER:
            return para(text, ' style="text-align: center;"')
        if text.startswith("●"):
            return f"<p><strong>{esc(text)}</strong></p>"
        return para(text)

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        aid = self.aid(i)
        body = "\n".join(self._block(b) for b in a.blocks)
        related = "".join(f'<li><a href="{self.link_path(j)}">{esc(self.meta(j).title)}</a></li>'
                          for j in self.neighbours(i, 8))
        description = shown(next((b.text for b in a.blocks if b.kind == SPEECH), ""))[:80]
        return f"""{dede_head(f"{m.title}_范文学习_文秘家园", m.title, description)}
<div class="w960 center clear mt1">
<div class="pleft">
<div class="place">{CRUMB}</div>
<div class="viewbox">
<div class="tit"><h3>范文学习</h3></div>
<div class="title"><h2>{esc(m.title)}</h2></div>
<div class="info"><small>【<a href="/member/article_add.php">以稿换稿</a>】</small>&nbsp;&nbsp;作者: {esc(m.author or "")}&nbsp;&nbsp; 来源: {esc(m.source or "")}&nbsp;&nbsp; 阅读 <script src="/plus/count.php?view=yes&amp;aid={aid}&amp;mid=1" type="text/javascript"></script>次&nbsp;【<a href="javascript:doZoom(16)"><img src="/templets/default/images/zoom_b.gif" alt="" /></a>&nbsp; &nbsp;<a href="javascript:doZoom(12)"><img src="/templets/default/images/zoom_s.gif" alt="" /></a>】【<a href="/plus/stow.php?aid={aid}" target="_blank">收藏</a></div>
<div class="content">
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td>
{body}
</td></tr></table>
<div class="qrcode" style="text-align:center"><img src="/plus/qrcode.php?id={aid}" width="120" height="120" alt="" /><p>手机扫码阅读本文</p></div>
</div>
<div class="boxoff">&nbsp;</div>
<div class="handle"><div class="actbox"><ul><li id="act-pnt"><a href="{self.trap_path(i)}">打印</a></li></ul></div></div>
</div>
<div class="related"><dl class="tbox"><dt><strong>相关文章</strong></dt><dd><ul class="d1 ico3">{related}</ul></dd></dl></div>
<div class="feedback"><dl class="tbox"><dt><strong>用户评论</strong></dt><dd>
<p class="tip">(以下评论仅代表网友意见,与本站立场无关)</p>
<div class="dcmp-content"></div>
<div class="fbox">网友评论共 0</div>
<form action="/plus/feedback_ajax.php" method="post"><input type="hidden" name="aid" value="{aid}" /><textarea name="msg" cols="60" rows="5"></textarea><button type="submit">发表评论</button></form>
</dd></dl></div>
</div>
{dede_sidebar(self, i)}
</div>
{dede_foot()}"""

    def render_list(self, page: int) -> str:
        items = []
        for j in self.on_list(page):
            a = self.article(j)
            intro = shown(next((b.text for b in a.blocks if b.kind == SPEECH), ""))
            items.append(f'<li><a href="{self.link_path(j)}" class="title">{esc(a.meta.title)}</a>'
                         f'<span class="info">点击:{100 + j * 37 % 900}</span><p class="intro">{esc(intro[:90])}...</p></li>')
        pages = "".join(f'<li class="thisclass">{p}</li>' if p == page else
                        f'<li><a href="list_12_{p}.html">{p}</a></li>' for p in range(1, self.list_pages + 1))
        prev = f'<li><a href="list_12_{page - 1}.html">上一页</a></li>' if page > 1 else "<li>上一页</li>"
        nxt = f'<li><a href="list_12_{page + 1}.html">下一页</a></li>' if page < self.list_pages else "<li>下一页</li>"
        return f"""{dede_head(f"范文学习_文秘家园 第{page}页", "范文学习", "范文学习栏目")}
<div class="w960 center clear mt1"><div class="pleft">
<div class="place">{CRUMB}</div>
<div class="listbox"><ul class="e2">
{"".join(items)}
</ul></div>
<div class="dede_pages"><ul class="pagelist"><li><a href="list_12_1.html">首页</a></li>{prev}{pages}{nxt}
<li><a href="list_12_{self.list_pages}.html">末页</a></li><span class="pageinfo">共 <strong>{self.list_pages}</strong>页<strong>{len(self.live)}</strong>条</span></ul></div>
</div>
{dede_sidebar(self, 0)}
</div>
{dede_foot()}"""

    def render_trap(self, i: int) -> str:
        """DedeCMS dynamic view: the same article again (robots-disallowed, not a gold record)."""
        return self.render_article(i, 1)

    def _login(self) -> str:
        return (f'{dede_head("会员登录_文秘家园", "会员登录", "会员登录")}<div class="login"><form action="/member/index_do.php" '
                f'method="post"><input name="userid" /><input name="pwd" type="password" /><button>登录</button></form>'
                f"</div>{dede_foot()}")
