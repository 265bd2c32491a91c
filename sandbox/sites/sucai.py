"""sucai: a sucai198.com-style 党建公文 site, one speech split over 2–4 pages (seed 003).

Page titles get "(第2/3页)", a WordPress-like ``wp_link_pages`` bar (上一页 1 2 3 下一页) sits inside
the content element, the header says "admin 分享 时间: … 加入收藏 共计N个字,预计阅读时长N分钟。"
and the tail carries a like counter and 领取福利 / 微信扫码 widgets.  Place names are masked as X.
A one-page "VIP" copy of every article lives under the robots-disallowed /vip/.
"""

from __future__ import annotations

import logging
import math
from datetime import date

from sandbox.model import PAGE, SPEECH, Article, Block, Meta, gold_paragraph, shown, split_pages
from sandbox.seeds import load_seed
from sandbox.sites.base import Site, esc, para
from sandbox.sites.chrome import link_list
from sandbox.vocab import cn_number
from sandbox.writer import MaskStyle, Writer, rng_for

logger = logging.getLogger(__name__)

BANNER = "SUCAI198.COM —— 专注党建行政公文写作范文"
STYLE = MaskStyle(places=("X",), place_p=1.0)
NAV = (("/", "首页"), ("/dangjian/", "党建公文"), ("/jianghua/", "讲话稿"), ("/xinde/", "心得体会"),
       ("/zongjie/", "工作总结"), ("/shuzhi/", "述职报告"), ("/huibao/", "汇报材料"), ("/zhuti/", "主题教育"),
       ("/diaoyan/", "调研报告"))
CHROME_TEXT = (BANNER, "admin 分享", "加入收藏", "领取福利", "微信扫码领取福利", "微信扫码分享", "VIP全文下载", "热门文章")


class Sucai(Site):
    name = "sucai"
    label = "sucai198.com-style 党建公文 site (paginated articles)"
    page_size = 12
    disallow = ("/vip/", "/go/")
    content_attr = 'class="entry-content"'
    newest = date(2024, 3, 28)

    def aid(self, i: int) -> int:
        return 23000 - i * 3

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/{self.aid(i)}.html" if page == 1 else f"/{self.aid(i)}_{page}.html"

    def old_path(self, i: int) -> str:
        return f"/?p={self.aid(i)}"

    def list_path(self, page: int) -> str:
        return "/dangjian/" if page == 1 else f"/dangjian/page/{page}/"

    def trap_path(self, i: int) -> str:
        return f"/vip/{self.aid(i)}.html"

    def page_count(self, i: int) -> int:
        return int(self.meta(i).extra["pages"])

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        if i == self.seed_index:
            m = load_seed(self.name)[0]
            occasion = m["title"].removeprefix("在").removesuffix("上的讲话")
            return Meta(title=m["title"], occasion=occasion, extra={"pages": "3", "words": m["words"],
                                                                      "minutes": m["minutes"], "likes": m["likes"]})
        w = Writer(rng_for(self.name, "meta", i))
        year, scope, topic, meeting = w.occasion_parts()
        if w.rng.random() < 0.4:  # the place is masked even in the title, as on the real site
            scope = w.rng.choice(("X区", "X县", "X市"))
        occasion = f"{scope}{year}{topic}{meeting}"
        return Meta(title=f"在{occasion}上的讲话", occasion=occasion, date=self.date_of(i).isoformat(),
                    extra={"pages": str(w.rng.randint(2, 4)), "likes": str(w.rng.randint(1000, 300000))})

    def make_article(self, i: int, meta: Meta) -> Article:
        if i == self.seed_index:
            return Article(self.name, i, str(self.aid(i)), meta, load_seed(self.name)[1], seed=True)
        w = Writer(rng_for(self.name, "body", i))
        masked = w.rng.random() < 0.6
        texts = ["同志们:", w.paragraph(4, 7)]
        question = w.rng.random() < 0.5
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(3, 5), 2, 4), 1):
            texts.append(f"第{cn_number(k)}个问题,{heading}?" if question else f"{cn_number(k)}、{heading}")
            for n, text in enumerate(paragraphs, 1):
                texts.append(f"({cn_number(n)}){w.unnumbered(text)}")
        texts.append(w.closing())
        pages = self.page_count(i)
        breaks = {round(k * len(texts) / pages) for k in range(1, pages)}
        blocks: list[Block] = []
        for n, text in enumerate(texts):
            if n in breaks:
                blocks.append(Block(PAGE))
            blocks.append(Block(SPEECH, w.mask(text, STYLE) if masked else text))
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks))

    def counts(self, a: Article) -> tuple[str, str]:
        """The "共计N个字,预计阅读时长M分钟" figures of an article."""
        if "words" in a.meta.extra:
            return a.meta.extra["words"], a.meta.extra["minutes"]
        words = sum(len(gold_paragraph(b.text)) for b in a.blocks if b.kind == SPEECH)
        return str(words), str(math.ceil(words / 300))

    def chrome_leaks(self, article: Article) -> list[str]:
        words, minutes = self.counts(article)
        return [*CHROME_TEXT, f"共计{words}个字,预计阅读时长{minutes}分钟。", article.meta.extra["likes"], "下一页"]

    # -- templates -------------------------------------------------------------------------------
    def _page(self, title: str, main: str, i: int) -> str:
        nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in NAV)
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} - SUCAI198.COM</title>
<link rel="stylesheet" id="sucai-style-css" href="/wp-content/themes/sucai/style.css?ver=5.8" type="text/css" media="all">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.6.0" id="jquery-core-js"></script>
<script>function addFavorite(){{try{{window.external.addFavorite(location.href,document.title);}}catch(e){{alert("请使用Ctrl+D加入收藏");}}}}</script>
</head>
<body class="post-template-default single single-post">
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/" rel="home">{BANNER}</a></p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{nav}<li><a href="/vip/">VIP会员</a></li></ul></nav></header>
<div id="content" class="site-content">
{main}
<aside id="secondary" class="widget-area"><section class="widget"><h2 class="widget-title">热门文章</h2><ul>{link_list(self, self.neighbours(i, 10, "hot"))}</ul></section>
<section class="widget"><h2 class="widget-title">标签</h2><a href="/tag/jianghua/">讲话</a> <a href="/tag/dongyuan/">动员部署</a> <a href="/tag/dangjian/">党建</a></section></aside>
</div>
<footer id="colophon" class="site-footer"><a href="/about/">关于本站</a> | <a href="/sitemap.xml">网站地图</a> | Copyright &copy; 2024 SUCAI198.COM 版权所有 <a href="https://beian.miit.gov.cn/" rel="nofollow">鄂ICP备2021012345号</a></footer>
<script src="/wp-content/themes/sucai/js/main.js?ver=1.2"></script>
</body>
</html>
"""

    def _pager(self, i: int, page: int, count: int) -> str:
        links = [f'<a href="{self.article_path(i, page - 1)}">上一页</a>'] if page > 1 else []
        for n in range(1, count + 1):
            links.append(f'<span class="current">{n}</span>' if n == page else f'<a href="{self.article_path(i, n)}">{n}</a>')
        if page < count:
            links.append(f'<a class="next" href="{self.article_path(i, page + 1)}">下一页</a>')
        return f'<div class="page-links">{" ".join(links)}</div>'

    def render_article(self, i: int, page: int) -> str:
        a, aid = self.article(i), self.aid(i)
        pages = split_pages(a.blocks)
        words, minutes = self.counts(a)
        title = a.meta.title + (f"(第{page}/{len(pages)}页)" if page > 1 else "")
        body = "\n".join(para(shown(b.text)) for b in pages[page - 1])
        main = f"""<main id="main" class="site-main"><div class="breadcrumb"><a href="/">首页</a> &raquo; <a href="/dangjian/">党建公文</a> &raquo; 正文</div>
<article id="post-{aid}" class="post-{aid} post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{esc(title)}</h1>
<div class="entry-meta"><a href="/author/admin/">admin</a> 分享 时间: {a.meta.date or ""} <a href="javascript:void(0)" onclick="addFavorite()">加入收藏</a> 共计{words}个字,预计阅读时长{minutes}分钟。</div></header>
<div class="entry-content">
{body}
{self._pager(i, page, len(pages))}
</div>
<div class="post-like"><a href="javascript:;" class="like"><i class="icon-like"></i><span class="count">{a.meta.extra["likes"]}</span></a></div>
<div class="fuli"><a href="/go/fuli?post={aid}" rel="nofollow" target="_blank">领取福利</a>
<div class="wx"><img src="/wp-content/uploads/qr-fuli.png" alt=""><p>微信扫码领取福利</p></div>
<div class="wx"><img src="/wp-content/uploads/qr-share.png" alt=""><p>微信扫码分享</p></div></div>
<div class="vip-download"><a href="{self.trap_path(i)}" rel="nofollow">VIP全文下载</a></div>
<div class="related-posts"><h3>相关文章</h3><ul>{link_list(self, self.neighbours(i, 8))}</ul></div>
</article></main>"""
        return self._page(title, main, i)

    def render_list(self, page: int) -> str:
        items = "".join(f'<article class="post"><h2 class="entry-title"><a href="{self.link_path(j)}">'
                        f'{esc(self.meta(j).title)}</a></h2><div class="entry-meta">admin 分享 {self.meta(j).date or ""} '
                        f'<a class="vip" href="{self.trap_path(j)}" rel="nofollow">[VIP下载]</a></div></article>'
                        for j in self.on_list(page))
        nums = " ".join(f'<span class="page-numbers current">{p}</span>' if p == page else
                        f'<a class="page-numbers" href="{self.list_path(p)}">{p}</a>' for p in range(1, self.list_pages + 1))
        nxt = f' <a class="next page-numbers" href="{self.list_path(page + 1)}">下一页</a>' if page < self.list_pages else ""
        main = (f'<main id="main" class="site-main"><h1 class="page-title">党建公文</h1>{items}'
                f'<nav class="navigation pagination"><div class="nav-links">{nums}{nxt}</div></nav></main>')
        return self._page(f"党建公文 第{page}页", main, 0)

    def render_trap(self, i: int) -> str:
        """VIP one-page copy of the whole article (robots-disallowed)."""
        a = self.article(i)
        body = "\n".join(para(shown(b.text)) for b in a.blocks if b.kind != PAGE)
        main = (f'<main id="main"><article class="post vip"><h1 class="entry-title">{esc(a.meta.title)}</h1>'
                f'<div class="entry-content">{body}</div></article></main>')
        return self._page(a.meta.title, main, i)
