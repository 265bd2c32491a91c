"""wendang: a 文档 site (众鑫文档网 / 明月秘书网 / 星星阅读网 style), "…讲话9篇" (seed 002).

A compilation whose 篇 are often near-copies of each other (re-masked, a paragraph dropped or cut
short), with other doc sites' ad sentences injected mid-paragraph or at a paragraph's end (one of
them truncated), X / ** / *** masks, the title repeated inside the body and a 推荐访问: keyword tail
inside the content element.  Article URLs carry a hex id; an old ``show.php?id=`` URL answers 301.
Half of the generated ads use held-out wordings of other doc sites (vocab ``DOC_ADS_MORE``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from sandbox.model import BLANK, PART, SPEECH, Article, Block, Meta, shown
from sandbox.seeds import load_seed
from sandbox.sites.base import Site, esc, para
from sandbox.sites.chrome import link_list
from sandbox.sites.chrome_cms import doc_foot, doc_head
from sandbox.vocab import DOC_ADS, DOC_ADS_MORE, DOC_ADS_MORE_CUT, DOC_SITES, DOC_SITES_MORE
from sandbox.writer import MaskStyle, Writer, inject_ad, rng_for

logger = logging.getLogger(__name__)

SITE = "众鑫文档网"
STYLES = (MaskStyle(name="***", places=("**", "XXX", "X"), place_p=0.7, years=("20**", "****"), year_p=0.5,
                    digits="X", digit_p=0.35),
          MaskStyle(name="***", places=("**",), place_p=0.9, years=("****",), year_p=0.8, digits="**", digit_p=0.2))
CRUMB = f'当前位置:<a href="/">{SITE}</a> &gt; <a href="/wd/jianghua/">讲话稿</a> &gt; 正文'
CHROME_TEXT = (f"当前位置:{SITE} > 讲话稿 > 正文", "推荐访问:", "下载文档", "下载完整文档", "本文档为word格式,可直接编辑",
               "相关文档", "热门文档")
SEED_KEY = "c16298974d168fd3"


class Wendang(Site):
    name = "wendang"
    label = "文档 site compilations (…讲话9篇)"
    page_size = 10
    disallow = ("/download/", "/user/")
    content_attr = 'class="doc-body"'
    newest = date(2023, 7, 12)

    def key(self, i: int) -> str:
        if i == self.seed_index:
            return SEED_KEY
        return hashlib.sha1(f"wendang/{i}".encode()).hexdigest()[:16]

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/wd/{self.key(i)}.html"

    def old_path(self, i: int) -> str:
        return f"/wd/show.php?id={880000 - i}"

    def list_path(self, page: int) -> str:
        return "/wd/jianghua/" if page == 1 else f"/wd/jianghua/?page={page}"

    def trap_path(self, i: int) -> str:
        return f"/download/{self.key(i)}.html"

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        return {"/user/login.html": lambda: doc_head("用户登录", SITE) + "<form>登录</form>" + doc_foot(SITE)}

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        day = self.date_of(i).isoformat()
        if i == self.seed_index:
            m = load_seed(self.name)[0]
            return Meta(title=m["title"], date=day, extra={"recommend": m["recommend"]})
        w = Writer(rng_for(self.name, "meta", i))
        year, scope, topic, meeting = w.occasion_parts()
        occasion = year + scope + topic + meeting
        base = f"在{occasion}上的讲话" if w.rng.random() < 0.7 else f"{occasion}讲话稿"
        count = w.rng.randint(3, 9)
        words = [topic, meeting + "上", "讲话", f"{base}范文", f"{base}心得体会", f"{base}内容", f"{topic}座谈会发言",
                 f"{topic}{meeting}讲话稿", f"推动{topic}发言", "讲话稿范文"]
        return Meta(title=f"{base}{count}篇", date=day, extra={"base": base, "count": str(count),
                                                               "recommend": " ".join(dict.fromkeys(words))})

    def make_article(self, i: int, meta: Meta) -> Article:
        if i == self.seed_index:
            return Article(self.name, i, self.key(i), meta, load_seed(self.name)[1], compilation=True, seed=True)
        w = Writer(rng_for(self.name, "body", i))
        base, count = meta.extra["base"], int(meta.extra["count"])
        originals: list[list[str]] = []
        blocks: list[Block] = []
        for k in range(1, count + 1):
            blocks.append(Block(PART, base, f"篇{k}"))
            copy = bool(originals) and w.rng.random() < 0.45
            clean = list(w.rng.choice(originals)) if copy else self._speech(w)
            if copy and len(clean) > 3:
                del clean[w.rng.randrange(1, len(clean))]
            else:
                originals.append(list(clean))
            style = w.rng.choice(STYLES)
            if w.rng.random() < 0.3:
                blocks.append(Block(BLANK))
            if w.rng.random() < 0.15:  # cut short mid-sentence, as doc sites do to sell the download
                n = w.rng.randrange(len(clean))
                clean[n] = clean[n][: max(10, len(clean[n]) * 2 // 3)]
            texts = [w.mask(t, style) if w.rng.random() < 0.8 else t for t in clean]
            if w.rng.random() < 0.55:
                n = w.rng.randrange(len(texts))
                ad = w.rng.choice(DOC_ADS).format(site=w.rng.choice(DOC_SITES), title=base)
                ad = self._reworded(ad, i, k, base)
                texts[n] = inject_ad(texts[n], ad, w.rng, at_end=not ad.endswith("。"))
            blocks.extend(Block(SPEECH, "  " + t) for t in texts)
        return Article(self.name, i, self.key(i), meta, tuple(blocks), compilation=True)

    @staticmethod
    def _reworded(ad: str, i: int, k: int, title: str) -> str:
        """Half of the ads in other doc sites' wordings, from a stream of their own (the rest of the
        article is unchanged); a cut-off ad stays cut off, so it is still injected at a paragraph's end."""
        rng = rng_for("wendang", "ad-wording", i, k)
        if rng.random() >= 0.5:
            return ad
        pool = DOC_ADS_MORE if ad.endswith("。") else DOC_ADS_MORE_CUT
        return rng.choice(pool).format(site=rng.choice(DOC_SITES_MORE), title=title)

    @staticmethod
    def _speech(w: Writer) -> list[str]:
        out = ["同志们:"] if w.rng.random() < 0.6 else []
        out.append(w.paragraph())
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(1, 3), 1, 3), 1):
            out.append(f"{'一二三四'[k - 1]}、{heading}")
            out.extend(paragraphs)
        return out

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME_TEXT, f"推荐访问:{article.meta.extra['recommend'][:20]}"]

    # -- templates -------------------------------------------------------------------------------
    def _block(self, block: Block) -> str:
        if block.kind == PART:
            return f"<h2>{esc(block.heading)}</h2>"
        if block.kind == BLANK:
            return "<p>&nbsp;</p>"
        return para(shown(block.text))

    def _tags(self, meta: Meta) -> str:
        return " ".join(f'<a href="/wd/tag/{quote(kw)}.html" target="_blank">{esc(kw)}</a>'
                        for kw in meta.extra["recommend"].split())

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        body = "\n".join(self._block(b) for b in a.blocks)
        words = sum(len(shown(b.text).strip()) for b in a.blocks if b.kind == SPEECH)
        return f"""{doc_head(a.meta.title, SITE)}
<div class="crumb">{CRUMB}</div>
<div class="doc-main">
<h1>{esc(a.meta.title)}</h1>
<div class="doc-info"><span>发布时间:{a.meta.date}</span> <span>浏览:{300 + i * 41 % 5000}次</span> <span>字数:{words}</span>
<a class="dl" href="{self.trap_path(i)}" rel="nofollow">下载文档</a></div>
<div class="doc-ad"><ins class="adsbygoogle" style="display:block" data-ad-slot="2368113"></ins><script>(adsbygoogle = window.adsbygoogle || []).push({{}});</script></div>
<div class="doc-body" id="contents">
<p><strong>{esc(a.meta.title)}</strong></p>
{body}
<div class="tags">推荐访问:{self._tags(a.meta)}</div>
</div>
<div class="doc-download"><a href="{self.trap_path(i)}" rel="nofollow">下载完整文档</a> 本文档为word格式,可直接编辑</div>
<div class="related"><h3>相关文档</h3><ul>{link_list(self, self.neighbours(i, 8))}</ul></div>
</div>
<div class="sidebar"><div class="box"><h3>热门文档</h3><ul>{link_list(self, self.neighbours(i, 10, "hot"))}</ul></div></div>
{doc_foot(SITE)}"""

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><a href="{self.link_path(j)}">{esc(self.meta(j).title)}</a>'
                        f'<span>{self.meta(j).date}</span></li>' for j in self.on_list(page))
        nums = "".join(f"<span class=\"cur\">{p}</span>" if p == page else f'<a href="{self.list_path(p)}">{p}</a>'
                       for p in range(1, self.list_pages + 1))
        nxt = f'<a class="next" href="{self.list_path(page + 1)}">下一页</a>' if page < self.list_pages else ""
        return f"""{doc_head(f"讲话稿 第{page}页", SITE)}
<div class="crumb">当前位置:<a href="/">{SITE}</a> &gt; 讲话稿</div>
<div class="doc-list"><ul>{items}</ul><div class="pagination">{nums}{nxt}</div></div>
<div class="sidebar"><div class="box"><h3>热门文档</h3><ul>{link_list(self, self.neighbours(0, 10, "hot"))}</ul></div></div>
{doc_foot(SITE)}"""

    def render_trap(self, i: int) -> str:
        """The "download" page: the whole document again for VIP users (robots-disallowed)."""
        return self.render_article(i, 1).replace("<h1>", '<div class="vip">VIP文档下载</div><h1>', 1)
