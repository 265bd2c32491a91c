"""ribao: a city newspaper site (荆州日报 / 焦作日报 style, 方正 CMS URLs), seed 004.

The headline names the speaker ("荆州市委书记吴锦:狠抓落地转化 重在行动奔跑"); inside the content
element come the real title (h2), a subtitle, a byline "□中共荆州市委书记 吴 锦", numbered sections
"01" …, and "(来源:荆州日报)"; a comment widget follows.  Preview copies of articles live under the
robots-disallowed /preview/ and still match the article URL pattern, so robots.txt really matters.
Some articles show another paper's comment widget, some the headline form "市委书记王某在…上的讲话".
"""

from __future__ import annotations

import logging
from datetime import date

from sandbox.model import BLANK, SPEAKER, SPEECH, Article, Block, Meta, shown
from sandbox.seeds import load_seed
from sandbox.sites.base import Site, esc, para
from sandbox.sites.chrome import link_list
from sandbox.vocab import EDITORS, PAPERS, SLOGANS
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

SITE = "荆州新闻网"
NAV = (("/", "首页"), ("/node_101.htm", "要闻"), ("/node_102.htm", "时政"), ("/node_103.htm", "县市"),
       ("/node_104.htm", "民生"), ("/node_105.htm", "经济"), ("/node_106.htm", "文化"), ("/node_107.htm", "评论"),
       ("/node_108.htm", "专题"), ("/epaper/", "数字报"))
COMMENTS = ("评论一下", "评论 0人参与,0条评论", "还没有评论,快来抢沙发吧!", "最热评论", "最新评论",
            "已有0人参与,点击查看更多精彩评论")
COMMENTS_MORE = ("网友评论", "文明上网理性发言,请遵守新闻评论服务协议", "共有0条评论", "查看全部评论", "登录后才能发表评论")
"""Another paper's comment widget (held-out wording, docs/quality.md), shown on some articles."""
CHROME_TEXT = (*COMMENTS, f"您当前的位置 : {SITE} > 要闻 > 正文", "相关新闻", "热点排行", "分享到:")


class Ribao(Site):
    name = "ribao"
    label = "city newspaper (荆州日报/焦作日报 style)"
    page_size = 10
    disallow = ("/preview/", "/comment/")
    conditional = True
    content_attr = 'id="ozoom"'
    newest = date(2021, 6, 24)

    def date_of(self, i: int) -> date:
        if i == self.seed_index:
            return date.fromisoformat(load_seed(self.name)[0]["date"])
        return super().date_of(i)

    def aid(self, i: int) -> int:
        return 4817000 - i * 11

    def _dir(self, i: int) -> str:
        day = self.date_of(i)
        return f"{day:%Y-%m}/{day:%d}/content_{self.aid(i)}.htm"

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/content/{self._dir(i)}"

    def old_path(self, i: int) -> str:
        return f"/html/{self._dir(i)}"

    def list_path(self, page: int) -> str:
        return "/node_101.htm" if page == 1 else f"/node_101_{page}.htm"

    def trap_path(self, i: int) -> str:
        return f"/preview/content/{self._dir(i)}"

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        day = self.date_of(i).isoformat()
        if i == self.seed_index:
            m = load_seed(self.name)[0]
            return Meta(title=m["title"], headline=m["headline"], subtitle=m["subtitle"], speaker=m["speaker"],
                        speaker_title=m["speaker_title"], source=m["source"], date=day)
        w = Writer(rng_for(self.name, "meta", i))
        first, second = w.rng.sample(SLOGANS, 2)
        title = f"{first} {second}"
        source = w.rng.choice(PAPERS)
        roll = w.rng.random()
        subtitle, occasion = None, None
        if roll < 0.4:
            occasion = w.occasion()
            subtitle = f"——在{occasion}上的讲话(摘要)"
        elif roll < 0.6:
            subtitle = f"学习贯彻{w.rng.choice(('省委全会', '市党代会', '全省经济工作会议'))}精神体会"
        if w.rng.random() < 0.75:
            sp = w.speaker()
            byline = ("□中共" if sp.party else "□") + sp.title + " " + (" ".join(sp.name) if len(sp.name) == 2 else sp.name)
            extra = {"byline": byline, "comments": self._comment_style(i)}
            if occasion and rng_for(self.name, "headline-form", i).random() < 0.4:
                # "市委书记王某在…上的讲话": the speech's own title, the speaker named before 在
                title = f"在{occasion}上的讲话"
                return Meta(title=title, headline=f"{sp.title}{sp.name}{title}", speaker=sp.name,
                            speaker_title=sp.title, occasion=occasion, source=source, date=day, extra=extra)
            return Meta(title=title, headline=f"{sp.title}{sp.name}:{title}", subtitle=subtitle, speaker=sp.name,
                        speaker_title=sp.title, occasion=occasion, source=source, date=day, extra=extra)
        return Meta(title=title, headline=title, subtitle=subtitle, occasion=occasion, source=source, date=day,
                    extra={"comments": self._comment_style(i)})

    def _comment_style(self, i: int) -> str:
        """Which comment widget article ``i`` shows (its own stream: the article text does not move)."""
        return "more" if rng_for(self.name, "comments", i).random() < 0.5 else "default"

    def make_article(self, i: int, meta: Meta) -> Article:
        if i == self.seed_index:
            return Article(self.name, i, str(self.aid(i)), meta, load_seed(self.name)[1], seed=True)
        w = Writer(rng_for(self.name, "body", i))
        spaced = w.rng.random() < 0.5
        blocks: list[Block] = []
        if "byline" in meta.extra:
            blocks.append(Block(SPEAKER, meta.extra["byline"]))
        blocks.append(Block(SPEECH, w.paragraph(3, 6)))
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(2, 4), 2, 4), 1):
            blocks += [Block(SPEECH, f"{k:02d}"), Block(SPEECH, heading)]
            for text in paragraphs:
                indent = w.rng.choice(("", "  ", "\xa0 \xa0 \xa0 ", "\xa0 \xa0 \xa0"))
                blocks.append(Block(SPEECH, indent + text))
                if spaced:
                    blocks.append(Block(BLANK))
        return Article(self.name, i, str(self.aid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        m = article.meta
        out = [*CHROME_TEXT, f"(来源:{m.source})"]
        if m.extra.get("comments") == "more":  # the other widget replaces the default one
            out = [s for s in out if s not in COMMENTS] + list(COMMENTS_MORE)
        if m.headline != m.title:
            out.append(m.headline or "")
        if m.subtitle:
            out.append(m.subtitle)
        return out

    # -- templates -------------------------------------------------------------------------------
    def _page(self, title: str, main: str, i: int) -> str:
        nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in NAV)
        preview = (i + 1) % self.count
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(title)}_{SITE}</title>
<link href="/res/css/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/res/js/jquery.js"></script>
<script type="text/javascript">function fontZoom(size){{document.getElementById('ozoom').style.fontSize=size+'px';}}</script>
</head><body>
<div class="topbar"><a href="/">{SITE}</a> | <a href="/epaper/">荆州日报数字报</a> | <a href="/node_201.htm">荆州晚报</a> | <a href="/node_301.htm">江汉商报</a></div>
<div class="logo"><a href="/"><img src="/res/images/logo.png" alt="{SITE}" /></a></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="main">
{main}
<div class="side">
<div class="box"><h3>热点排行</h3><ul>{link_list(self, self.neighbours(i, 10, "hot"))}</ul></div>
<div class="box"><h3>明日预告</h3><ul><li><a href="{self.trap_path(preview)}">{esc(self.meta(preview).title)}</a></li></ul></div>
</div></div>
<div class="footer"><a href="/about/">关于我们</a> | <a href="/ad/">广告服务</a> | <a href="/contact/">联系我们</a> | <a href="/jubao/">违法和不良信息举报</a>
<p>荆州日报社主办 版权所有 未经授权禁止复制或建立镜像 <a href="https://beian.miit.gov.cn/">鄂ICP备05003651号</a></p></div>
<script type="text/javascript" src="/res/js/count.js"></script>
</body></html>
"""

    def _block(self, block: Block) -> str:
        text = shown(block.text)
        if block.kind == BLANK:
            return "<p><br /></p>"
        if block.kind == SPEAKER or (text.isdigit() and len(text) == 2):
            return para(text, ' style="text-align: center;"')
        return para(text)

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        editor = EDITORS[i % len(EDITORS)]
        subtitle = f"<h3>{esc(m.subtitle)}</h3>" if m.subtitle else ""
        body = "\n".join(self._block(b) for b in a.blocks)
        comments = self._more_comments(i) if m.extra.get("comments") == "more" else f"""<div id="comment" class="cmt-box"><div class="cmt-title">评论一下</div>
<div class="cmt-count">评论 <span>0</span>人参与,<span>0</span>条评论</div>
<textarea placeholder="我来说两句"></textarea><div class="cmt-empty">还没有评论,快来抢沙发吧!</div>
<div class="cmt-hot">最热评论</div><div class="cmt-new">最新评论</div>
<div class="cmt-more">已有<span>0</span>人参与,<a href="/comment/{self.aid(i)}.htm">点击查看更多精彩评论</a></div></div>"""
        main = f"""<div class="position">您当前的位置 : <a href="/">{SITE}</a> &gt; <a href="/node_101.htm">要闻</a> &gt; 正文</div>
<div class="article">
<h1 class="headline">{esc(m.headline or m.title)}</h1>
<div class="info"><span class="time">{m.date} {8 + i % 10:02d}:{i * 7 % 60:02d}</span> <span>编辑:{editor}</span> <span>字号:<a href="javascript:fontZoom(18)">大</a> <a href="javascript:fontZoom(16)">中</a> <a href="javascript:fontZoom(14)">小</a></span></div>
<div class="content" id="ozoom">
<h2>{esc(m.title)}</h2>
{subtitle}
{body}
<p>(来源:{esc(m.source or "")})</p>
</div>
<div class="editor">【责任编辑:{editor}】</div>
<div class="share">分享到:<a href="javascript:;" class="wx">微信</a> <a href="javascript:;" class="wb">微博</a></div>
{comments}
<div class="related"><h3>相关新闻</h3><ul>{link_list(self, self.neighbours(i, 6))}</ul></div>
</div>"""
        return self._page(m.headline or m.title, main, i)

    def _more_comments(self, i: int) -> str:
        return (f'<div class="pl-box"><h3>网友评论</h3><p class="tip">文明上网理性发言,请遵守新闻评论服务协议</p>'
                f'<p>共有0条评论 <a href="/comment/{self.aid(i)}.htm">查看全部评论</a></p>'
                f'<textarea></textarea><p>登录后才能发表评论</p></div>')

    def render_list(self, page: int) -> str:
        items = "".join(f'<li><a href="{self.link_path(j)}">{esc(self.meta(j).headline or self.meta(j).title)}</a>'
                        f'<span class="date">{self.meta(j).date}</span></li>' for j in self.on_list(page))
        nums = " ".join(f"<b>{p}</b>" if p == page else f'<a href="{self.list_path(p)}">{p}</a>'
                        for p in range(1, self.list_pages + 1))
        nxt = f' <a href="{self.list_path(page + 1)}">下一页</a>' if page < self.list_pages else ""
        preview = self.on_list(page)[0]
        main = (f'<div class="position">您当前的位置 : <a href="/">{SITE}</a> &gt; 要闻</div>'
                f'<div class="list"><div class="preview">明日预告:<a href="{self.trap_path(preview)}">'
                f'{esc(self.meta(preview).title)}</a></div><ul class="newslist">{items}</ul>'
                f'<div class="page">{nums}{nxt}</div></div>')
        return self._page(f"要闻 第{page}页", main, 0)

    def render_trap(self, i: int) -> str:
        """Preview copy of an article (robots-disallowed, yet its URL matches the article pattern)."""
        return self.render_article(i, 1).replace('<div class="article">', '<div class="article preview">', 1)
