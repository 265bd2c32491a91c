"""luntan: a Discuz! X3 forum board of 讲话稿 posted by members; only a thread's first post is the speech.

Board pages ``forum-38-1.html``, ``forum-38-2.html`` … (static rewrite) list threads in
``table#threadlisttableid``, one ``<tbody id="normalthread_TID">`` each, with a page bar per long
thread (``thread-TID-2-1.html``: pages of replies, never a speech) and a sticky 版规 thread on top.
A thread page ``thread-TID-1-1.html`` holds the posts in ``div#postlist``: the first post (楼主) is
the speech, often opened by Discuz's "本帖最后由 … 于 … 编辑" line and closed by a member's signature;
the replies (沙发, 板凳 …) follow in the same template.  GBK, as most Discuz boards of that age.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sandbox.model import CHROME, SPEECH, Article, Block, Meta, shown
from sandbox.sites.base import Site, esc
from sandbox.vocab import GIVEN, SURNAMES, cn_number
from sandbox.writer import Writer, rng_for

logger = logging.getLogger(__name__)

FID = 38
BOARD = "讲话稿交流"
FORUM = "公文写作论坛"
REPLIES = ("支持楼主,写得很好,收藏了!", "学习了,感谢分享。", "正好需要,谢谢楼主!", "顶一个,好文章。",
           "楼主辛苦了,能不能发个word版的?", "mark一下,明天开会要用。", "写得很实在,借鉴了。")
FLOORS = ("楼主", "沙发", "板凳", "地板", "5#", "6#", "7#")
SIGNATURES = ("笔耕不辍,厚积薄发。", "公文写作交流QQ群:12345678", "天道酬勤")
CHROME_TEXT = ("本帖最后由", "只看该作者", "回复", "举报", "使用道具", "楼主", "沙发", "支持楼主", "收藏了")
STICKY = "【版规】本版发帖须知(新人必读)"


class Luntan(Site):
    name = "luntan"
    label = "Discuz! X3 board (forum-ID-N.html, thread-TID-1-1.html; first post only)"
    encoding = "gbk"
    page_size = 8
    disallow = ("/home.php", "/member.php")
    newest = date(2023, 5, 20)
    content_attr = 'id="postlist"'
    pinned = ("/thread-9-1-1.html",)
    """Threads pinned atop every board page that are no speech (the 版规): linked like the others."""

    def tid(self, i: int) -> int:
        return 56120 - i * 9

    def article_path(self, i: int, page: int = 1) -> str:
        return f"/thread-{self.tid(i)}-1-1.html"

    def reply_path(self, i: int, page: int) -> str:
        return f"/thread-{self.tid(i)}-{page}-1.html"

    def old_path(self, i: int) -> str:
        return f"/forum.php?mod=viewthread&tid={self.tid(i)}"

    def list_path(self, page: int) -> str:
        return f"/forum-{FID}-{page}.html"

    def trap_path(self, i: int) -> str:
        return f"/home.php?mod=space&uid={1000 + i}"

    def replies(self, i: int) -> int:
        return 2 + i % 5

    def reply_pages(self, i: int) -> int:
        return 2 if i % 3 == 0 else 1

    def extra_pages(self) -> dict[str, Callable[[], str]]:
        pages: dict[str, Callable[[], str]] = {"/thread-9-1-1.html": self._sticky}
        for i in range(self.count):
            for page in range(2, self.reply_pages(i) + 1):
                pages[self.reply_path(i, page)] = lambda i=i, page=page: self._replies_page(i, page)  # type: ignore[misc]
        return pages

    # -- content ---------------------------------------------------------------------------------
    def make_meta(self, i: int) -> Meta:
        w = Writer(rng_for(self.name, "meta", i))
        title, occasion = w.title()
        extra = {"user": w.rng.choice(SURNAMES) + w.rng.choice(GIVEN) + str(w.rng.randint(1, 99)),
                 "edited": "1" if w.rng.random() < 0.6 else "", "sig": str(w.rng.randrange(len(SIGNATURES)))}
        return Meta(title=title, occasion=occasion, date=self.date_of(i).isoformat(), extra=extra)

    def make_article(self, i: int, meta: Meta) -> Article:
        w = Writer(rng_for(self.name, "body", i))
        blocks: list[Block] = []
        if meta.extra["edited"]:
            blocks.append(Block(CHROME, f"本帖最后由 {meta.extra['user']} 于 {meta.date} 21:{i % 60:02d} 编辑"))
        blocks.append(Block(SPEECH, "同志们:"))
        blocks.append(Block(SPEECH, w.paragraph(3, 6)))
        for k, (heading, paragraphs) in enumerate(w.sections(w.rng.randint(2, 3), 2, 3), 1):
            blocks.append(Block(SPEECH, f"{cn_number(k)}、{heading}"))
            blocks += [Block(SPEECH, text) for text in paragraphs]
        blocks.append(Block(SPEECH, w.closing()))
        return Article(self.name, i, str(self.tid(i)), meta, tuple(blocks))

    def chrome_leaks(self, article: Article) -> list[str]:
        return [*CHROME_TEXT, SIGNATURES[int(article.meta.extra["sig"])], *REPLIES]

    # -- templates -------------------------------------------------------------------------------
    def _head(self, title: str) -> str:
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>{esc(title)} - {BOARD} - {FORUM} - Powered by Discuz!</title>
<meta name="keywords" content="{esc(title)}" />
<meta name="generator" content="Discuz! X3.4" />
<script type="text/javascript">var STYLEID = '1', STATICURL = 'static/', IMGDIR = 'static/image/common', VERHASH = 'Hx7';</script>
<script src="data/cache/common.js?Hx7" type="text/javascript"></script>
</head>
<body id="nv_forum" class="pg_viewthread">
<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="/">设为首页</a><a href="javascript:;">收藏本站</a></div>
<div class="y"><a href="/member.php?mod=logging&amp;action=login">登录</a> <a href="/member.php?mod=register">立即注册</a></div></div></div>
<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="/" title="{FORUM}"><img src="static/image/common/logo.png" alt="{FORUM}" /></a></h2></div>
<div id="nv"><ul><li class="a"><a href="/forum.php" hidefocus="true">论坛</a></li><li><a href="/home.php" hidefocus="true">家园</a></li><li><a href="/misc.php?mod=ranklist">排行榜</a></li></ul></div></div></div>
<div id="wp" class="wp">
<div id="pt" class="bm cl"><div class="z"><a href="/" class="nvhm" title="首页">{FORUM}</a> <em>&rsaquo;</em> <a href="/forum.php">论坛</a> <em>&rsaquo;</em> <a href="{self.list_path(1)}">{BOARD}</a></div></div>
"""

    def _foot(self) -> str:
        return f"""</div>
<div id="ft" class="wp cl"><div id="flk" class="y"><p><a href="/archiver/">Archiver</a><span class="pipe">|</span><a href="/forum.php?mobile=yes">手机版</a><span class="pipe">|</span><strong><a href="/" target="_blank">{FORUM}</a></strong> ( 京ICP备13045678号 )</p></div>
<div id="frt"><p>Powered by <strong><a href="http://www.discuz.net" target="_blank">Discuz!</a></strong> <em>X3.4</em></p><p class="xs0">GMT+8, 2023-5-20 22:16 , Processed in 0.061224 second(s), 27 queries .</p></div></div>
</body>
</html>
"""

    def _post(self, pid: int, floor: str, user: str, when: str, inner: str, sig: str = "") -> str:
        sign = f'<div class="sign" style="max-height:100px;maxHeightIE:100px;">{esc(sig)}</div>' if sig else ""
        return f"""<div id="post_{pid}"><table id="pid{pid}" class="plhin" summary="pid{pid}" cellspacing="0" cellpadding="0">
<tr><td class="pls" rowspan="2"><div class="pi"><div class="authi"><a href="/home.php?mod=space&amp;uid={pid % 9000}" class="xw1">{esc(user)}</a></div></div>
<p><em>积分</em> {pid % 977}</p></td>
<td class="plc"><div class="pi"><strong><a href="javascript:;" id="postnum{pid}">{floor}</a></strong>
<div class="pti"><div class="authi"><em id="authorposton{pid}">发表于 {when}</em><span class="pipe">|</span><a href="javascript:;">只看该作者</a></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_{pid}">
{inner}
</td></tr></table></div></div></div></td></tr>
<tr><td class="plc plm">{sign}<div class="po hin"><div class="pob cl"><em><a class="fastre" href="javascript:;">回复</a></em><p><a href="javascript:;">使用道具</a> <a href="javascript:;">举报</a></p></div></div></td></tr>
</table></div>
"""

    def _replies(self, i: int, first: int, count: int) -> str:
        rng = rng_for(self.name, "replies", i, first)
        return "".join(self._post(self.tid(i) * 10 + k, FLOORS[k] if k < len(FLOORS) else f"{k + 1}#",
                                  rng.choice(SURNAMES) + rng.choice(GIVEN), f"{self.date_of(i)} 2{k % 4}:0{k}",
                                  esc(rng.choice(REPLIES))) for k in range(first, first + count))

    def _pager(self, i: int, page: int) -> str:
        last = self.reply_pages(i)
        if last < 2:
            return ""
        links = "".join(f"<strong>{p}</strong>" if p == page else f'<a href="{self.reply_path(i, p)}">{p}</a>'
                        for p in range(1, last + 1))
        nxt = f'<a href="{self.reply_path(i, page + 1)}" class="nxt">下一页</a>' if page < last else ""
        return f'<div class="pgs mtm mbm cl"><div class="pg">{links}{nxt}</div></div>'

    def render_article(self, i: int, page: int) -> str:
        a = self.article(i)
        m = a.meta
        inner = []
        for b in a.blocks:
            text = esc(shown(b.text))
            inner.append(f'<i class="pstatus"> {text} </i><br />' if b.kind == CHROME else f"{text}<br />\r\n<br />")
        first = self._post(self.tid(i) * 10, "楼主", m.extra["user"], f"{m.date} 20:{i % 60:02d}", "\n".join(inner),
                           SIGNATURES[int(m.extra["sig"])])
        main = f"""<div id="ct" class="wp cl"><div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{300 + i * 7}</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">{self.replies(i)}</span></div></td>
<td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{esc(m.title)}</span></h1></td></tr></table>
{first}{self._replies(i, 1, self.replies(i))}
<div id="postlistreply" class="pl"><div id="post_new" class="viewthread_table" style="display: none"></div></div>
</div>{self._pager(i, 1)}</div>"""
        return self._head(m.title) + main + self._foot()

    def _replies_page(self, i: int, page: int) -> str:
        m = self.meta(i)
        main = f"""<div id="ct" class="wp cl"><div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{esc(m.title)}</span></h1></td></tr></table>
{self._replies(i, 10 * (page - 1) + 1, 6)}</div>{self._pager(i, page)}</div>"""
        return self._head(m.title) + main + self._foot()

    def _sticky(self) -> str:
        main = f"""<div id="ct" class="wp cl"><div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{STICKY}</span></h1></td></tr></table>
{self._post(90, "楼主", "版主", "2019-3-1 09:00", "一、本版只接受原创或注明出处的讲话稿。<br />二、禁止发布广告,违者删帖。<br />三、求助帖请在标题注明【求助】。")}
</div></div>"""
        return self._head(STICKY) + main + self._foot()

    def render_list(self, page: int) -> str:
        rows = [f"""<tbody id="stickthread_9"><tr><td class="icn"><img src="static/image/common/pin_1.gif" alt="本版置顶" /></td>
<th class="common"><a href="/thread-9-1-1.html" class="s xst">{STICKY}</a></th><td class="by"><cite><a href="/home.php?mod=space&amp;uid=1">版主</a></cite></td></tr></tbody>
<tbody id="separatorline"><tr class="ts"><td>&nbsp;</td><th>版块主题</th></tr></tbody>"""] if page == 1 else []
        for j in self.on_list(page):
            m = self.meta(j)
            tps = ""
            if self.reply_pages(j) > 1:
                tps = '<span class="tps">&nbsp;...' + "".join(
                    f'<a href="{self.reply_path(j, p)}">{p}</a>' for p in range(2, self.reply_pages(j) + 1)) + "</span>"
            rows.append(f"""<tbody id="normalthread_{self.tid(j)}"><tr><td class="icn"><a href="{self.link_path(j)}" target="_blank"><img src="static/image/common/folder_common.gif" /></a></td>
<th class="common"><a href="{self.link_path(j)}" onclick="atarget(this)" class="s xst">{esc(m.title)}</a>{tps}</th>
<td class="by"><cite><a href="/home.php?mod=space&amp;uid={j + 100}">{esc(m.extra["user"])}</a></cite><em><span>{m.date}</span></em></td>
<td class="num"><a href="{self.link_path(j)}" class="xi2">{self.replies(j)}</a><em>{300 + j * 7}</em></td></tr></tbody>""")
        last = self.list_pages
        nums = "".join(f"<strong>{p}</strong>" if p == page else f'<a href="{self.list_path(p)}">{p}</a>'
                       for p in range(max(1, page - 4), min(last, page + 5) + 1))
        tail = f'<a href="{self.list_path(last)}" class="last">... {last}</a>' if page + 5 < last else ""
        nxt = f'<a href="{self.list_path(page + 1)}" class="nxt">下一页</a>' if page < last else ""
        pager = f'<div class="pg">{nums}{tail}<label><input type="text" name="custompage" class="px" size="2" value="{page}" /><span title="共 {last} 页"> / {last} 页</span></label>{nxt}</div>'
        main = f"""<div class="boardnav"><div id="ct" class="wp cl"><div class="mn">
<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="{self.list_path(1)}">{BOARD}</a></h1></div></div>
<div id="pgt" class="bm bw0 pgs cl"><span id="fd_page_top">{pager}</span></div>
<div id="threadlist" class="tl bm bmw"><div class="bm_c"><form method="post" id="moderate" name="moderate">
<table summary="forum_{FID}" cellspacing="0" cellpadding="0" id="threadlisttableid">{"".join(rows)}</table></form></div></div>
<div class="bm bw0 pgs cl"><span id="fd_page_bottom">{pager}</span></div>
</div></div></div>"""
        return self._head(f"{BOARD} 第{page}页") + main + self._foot()

    def render_trap(self, i: int) -> str:
        return self._head("个人空间") + '<div id="ct">个人空间</div>' + self._foot()
