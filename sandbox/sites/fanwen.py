"""fanwen: a 范文 compilation site, "…讲话精神(优秀19篇)" (seed 001).

One page holds several different speeches under headings "…篇一" … "…篇十九", after an SEO filler
intro.  Inside the content: standalone 下面是小编为大家整理的… lines, the 当前隐藏内容免费查看 marker
glued to a paragraph, masks (******, xx, ××, *, 20xx) and machine-spun wording, and at the end a
"【title】相关文章:" link list.  The 帝国CMS print view under /e/ is robots-disallowed.
Some generated pages use other SEO intros and chrome lines and a second mask style (×××, ＸＸ, ⅹⅹ).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sandbox.model import CHROME, FILLER, PART, SPEECH, Article, Block, Meta, shown
from sandbox.seeds import load_seed
from sandbox.sites.base import Site, esc, para
from sandbox.sites.chrome import link_list
from sandbox.sites.chrome_cms import cms_foot, cms_head
from sandbox.vocab import (
    CHROME_LINES,
    CHROME_LINES_MORE,
    FILLER_INTROS,
    FILLER_INTROS_MORE,
    cn_number,
)
from sandbox.writer import MaskStyle, Writer, rng_for

logger = logging.getLogger(__name__)

STYLE = MaskStyle(name="******", places=("xx", "××", "*", "xxx"), place_p=0.6, years=("20xx",), year_p=0.6,
                  digits="x", digit_p=0.06)
STYLE_ALT = MaskStyle(name="×××", places=("XX", "ＸＸ", "ⅹⅹ", "XXX"), place_p=0.6, years=("20××",), year_p=0.6,
                      digits="X", digit_p=0.06)
"""The same shape (and the same draws from the article's stream) with other tokens: ×××同志, ＸＸ市, 20××年."""
CRUMB = ('当前位置:<a href="/">范文网</a> &gt; <a href="/fanwen/">范文大全</a> &gt; '
         '<a href="/fanwen/jianghuagao/">讲话稿</a> &gt; 正文')
CHROME_TEXT = ("当前位置:范文网 > 范文大全 > 讲话稿 > 正文", "作者:网友投稿", "打印本文", "下载本文", "猜你喜欢", "热门范文", "上一篇:",
               "下一篇:")
HIDDEN = "当前隐藏内容免费查看"


class Fanwen(Site):
    name = "fanwen"
    label = "范文 compilation pages (…优秀19篇)"
    page_size = 8
    disallow = ("/e/",)
    content_attr = 'id="article-content"'

    def aid(self, i: int) -> int:
        return 1520000 - i * 13

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/fanwen/{self.aid(i)}.html"

    def old_path(self, i: int) -> str:
        return f"/fanwen/jianghuagao/{self.aid(i)}.html"

    def list_path(self, page: int) -> str:
        return "/fanwen/jianghuagao/" if page == 1 else f"/fanwen/jianghuagao/index_{page}.html"

    def trap_path(self, i: int) -> str:
        return f"/e/DoPrint/?classid=12&id={self.aid(i)}"

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        return {"/e/member/login/": lambda: cms_head("会员登录", "范文网") + "<form>登录</form>" + cms_foot("范文网")}

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        day = self.date_of(i).isoformat()
        if i == self.seed_index:
            return Meta(title=load_seed(self.name)[0]["title"], date=day)
        w = Writer(rng_for(self.name, "meta", i))
        base, _ = self._base(w)
        count = w.rng.randint(3, 8)
        year = f"{w.rng.randint(2019, 2024)}年" if w.rng.random() < 0.5 else ""
        kind = w.rng.choice(("优秀", "通用", "精选", "热门", ""))
        return Meta(title=f"{year}{base}({kind}{count}篇)", date=day, extra={"base": base, "count": str(count)})

    @staticmethod
    def _base(w: Writer) -> tuple[str, str | None]:
        occasion = w.occasion().split("年", 1)[-1]
        form = w.rng.random()
        if form < 0.45:
            return f"{occasion}讲话精神", None
        if form < 0.75:
            return f"在{occasion}上的讲话", occasion
        return f"{occasion}讲话稿", None

    def make_article(self, i: int, meta: Meta) -> Article:
        if i == self.seed_index:
            return Article(self.name, i, str(self.aid(i)), meta, load_seed(self.name)[1], compilation=True, seed=True)
        w = Writer(rng_for(self.name, "body", i))
        base, count = meta.extra["base"], int(meta.extra["count"])
        alt = rng_for(self.name, "variant", i)  # other wordings, drawn apart from the article's own stream
        intro = w.rng.choice(FILLER_INTROS)
        intro = alt.choice(FILLER_INTROS_MORE) if alt.random() < 0.4 else intro
        style = STYLE_ALT if alt.random() < 0.4 else STYLE
        blocks: list[Block] = [Block(FILLER, intro.format(topic=base))]
        speeches: list[list[str]] = []
        for k in range(1, count + 1):
            blocks.append(Block(PART, base, f"篇{cn_number(k)}"))
            if w.rng.random() < 0.2:
                line = w.rng.choice(CHROME_LINES)
                line = alt.choice(CHROME_LINES_MORE) if alt.random() < 0.4 else line
                blocks.append(Block(CHROME, line.format(topic=base)))
            if speeches and w.rng.random() < 0.2:  # a near-copy of an earlier 篇, spun differently
                clean = list(w.rng.choice(speeches))
                del clean[w.rng.randrange(len(clean))]
            else:
                clean = self._speech(w)
                speeches.append(clean)
            masked, spun = w.rng.random() < 0.6, w.rng.random() < 0.3
            for text in clean:
                text = w.spin(text) if spun else text
                blocks.append(Block(SPEECH, w.mask(text, style) if masked else text))
        speech_at = [n for n, b in enumerate(blocks) if b.kind == SPEECH and len(b.text) > 60]
        if speech_at:  # the "read the rest" marker, glued to a paragraph about a third down the page
            n = speech_at[len(speech_at) // 3]
            blocks[n] = Block(SPEECH, f"⟪{HIDDEN}⟫" + blocks[n].text)
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks), compilation=True)

    @staticmethod
    def _speech(w: Writer) -> list[str]:
        out = ["同志们:"] if w.rng.random() < 0.5 else []
        out.append(w.paragraph())
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(1, 3), 1, 3), 1):
            out.append(f"{cn_number(k)}、{heading}。")
            out.extend(paragraphs)
        if w.rng.random() < 0.4:
            out.append(w.closing())
        return out

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME_TEXT, f"【{article.meta.title}】相关文章:"]

    # -- templates -------------------------------------------------------------------------------
    def _block(self, block: Block) -> str:
        if block.kind == PART:
            return f'<h3 class="fw-title">{esc(block.heading)}</h3>'
        if block.kind == SPEECH and block.text.startswith(f"⟪{HIDDEN}⟫"):
            rest = shown(block.text)[len(HIDDEN):]
            return f'<p><span class="hide-tip"><a href="/e/member/login/">{HIDDEN}</a></span>{esc(rest)}</p>'
        return para(shown(block.text))

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        body = "\n".join(self._block(b) for b in a.blocks)
        prev_i, next_i = (i - 1) % self.count, (i + 1) % self.count
        return f"""{cms_head(a.meta.title, "范文网")}
<div class="crumb">{CRUMB}</div>
<div class="main"><div class="article">
<h1 class="title">{esc(a.meta.title)}</h1>
<div class="meta">时间:{a.meta.date} &nbsp; 栏目:<a href="/fanwen/jianghuagao/">讲话稿</a> &nbsp; 作者:网友投稿</div>
<div class="ad-banner"><script type="text/javascript">document.write('<div class="gg">'+'</div>');</script></div>
<div class="content" id="article-content">
{body}
<p class="tail">【{esc(a.meta.title)}】相关文章:</p>
<ul class="tail-list">{link_list(self, self.neighbours(i, 6, "tail"))}</ul>
</div>
<div class="print"><a href="{self.trap_path(i)}" target="_blank">打印本文</a> | <a href="/e/member/login/">下载本文</a></div>
<div class="prenext"><p>上一篇:<a href="{self.link_path(prev_i)}">{esc(self.meta(prev_i).title)}</a></p>
<p>下一篇:<a href="{self.link_path(next_i)}">{esc(self.meta(next_i).title)}</a></p></div>
<div class="related"><h3>猜你喜欢</h3><ul>{link_list(self, self.neighbours(i, 8))}</ul></div>
</div>
<div class="side"><div class="box"><h3>热门范文</h3><ul>{link_list(self, self.neighbours(i, 10, "hot"))}</ul></div></div>
</div>
{cms_foot("范文网")}"""

    def render_list(self, page: int) -> str:
        items = []
        for j in self.on_list(page):
            a = self.article(j)
            intro = shown(next((b.text for b in a.blocks if b.kind == SPEECH), ""))[:100]
            items.append(f'<li><h3><a href="{self.link_path(j)}">{esc(a.meta.title)}</a></h3>'
                         f'<p>{esc(intro)}…</p><span class="date">{a.meta.date}</span></li>')
        links = []
        if page > 1:
            links.append(f'<a href="{self.list_path(page - 1)}">上一页</a>')
        for p in range(1, self.list_pages + 1):
            links.append(f"<b>{p}</b>" if p == page else f'<a href="{self.list_path(p)}">{p}</a>')
        if page < self.list_pages:
            links.append(f'<a href="{self.list_path(page + 1)}">下一页</a>')
        return f"""{cms_head(f"讲话稿_第{page}页", "范文网")}
<div class="crumb">当前位置:<a href="/">范文网</a> &gt; <a href="/fanwen/">范文大全</a> &gt; 讲话稿</div>
<div class="main"><div class="list"><ul class="fw-list">{"".join(items)}</ul>
<div class="pages">{" ".join(links)}</div></div>
<div class="side"><div class="box"><h3>热门范文</h3><ul>{link_list(self, self.neighbours(0, 10, "hot"))}</ul></div></div></div>
{cms_foot("范文网")}"""

    def render_trap(self, i: int) -> str:
        """帝国CMS print view: title and the whole text, nothing else (robots-disallowed)."""
        a = self.article(i)
        body = "\n".join(self._block(b) for b in a.blocks)
        return (f'<html><head><meta charset="utf-8"><title>{esc(a.meta.title)}</title></head><body>'
                f'<h1>{esc(a.meta.title)}</h1><div class="content">{body}</div></body></html>')
