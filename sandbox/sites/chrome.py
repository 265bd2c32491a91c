"""Page chrome (head, navigation, sidebars, footers) of the DedeCMS- and 帝国CMS-style sites.

Kept apart from the article templates so each site module stays readable.  The chrome is verbose
on purpose: real templates carry scripts, styles, ad slots, tag clouds and dozens of links, and the
crawler's link extraction and the cleaners' boilerplate removal must cope with all of it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sandbox.sites.base import esc

if TYPE_CHECKING:
    from sandbox.sites.base import Site

logger = logging.getLogger(__name__)

__all__ = ["dede_head", "dede_foot", "dede_sidebar", "link_list"]

_DEDE_NAV = (("/", "主页"), ("/wmgz/", "文秘工作"), ("/wmgz/zwxgz/", "政务性工作"), ("/wmgz/fwxx/", "范文学习"),
             ("/jhg/", "讲话稿"), ("/zjbg/", "总结报告"), ("/xdth/", "心得体会"), ("/gzjh/", "工作计划"),
             ("/dwgz/", "党务工作"), ("/yjg/", "演讲稿"))
_DEDE_TAGS = ("讲话稿", "动员大会", "高质量发展", "学习体会", "工作会议", "表态发言")


def link_list(site: Site, indexes: list[int], cls: str = "") -> str:
    """<li> links to other articles of ``site`` (using the URLs the site itself links to)."""
    attr = f' class="{cls}"' if cls else ""
    return "".join(f'<li{attr}><a href="{site.link_path(j)}" title="{esc(site.meta(j).title)}">'
                   f"{esc(site.meta(j).title[:22])}</a></li>" for j in indexes)


def dede_head(title: str, keywords: str, description: str) -> str:
    """DedeCMS <head> + top bar + logo + navigation + search box (GBK page)."""
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in _DEDE_NAV)
    tags = "".join(f"<li><a href='/tags.php?/{t}/'>{t}</a></li>" for t in _DEDE_TAGS)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="gbk" />
<title>{esc(title)}</title>
<meta name="keywords" content="{esc(keywords)}" />
<meta name="description" content="{esc(description)}" />
<link href="/templets/default/style/dedecms.css" rel="stylesheet" media="screen" type="text/css" />
<style type="text/css">.pleft{{float:left;width:720px}}.pright{{float:right;width:230px}}.content td p{{text-indent:2em;line-height:1.9}}</style>
<script language="javascript" type="text/javascript" src="/include/dedeajax2.js"></script>
<script language="javascript" type="text/javascript">
function doZoom(size){{ var el=document.getElementById('contentMidPicAD'); if(el){{ el.style.fontSize=size+'px'; }} }}
function CheckLogin(){{ var taget_obj=document.getElementById('_ajax_feedback'); myajax=new DedeAjax(taget_obj,false,false,'','',''); myajax.SendGet2("/member/ajax_feedback.php"); DedeXHTTP=null; }}
</script>
</head>
<body class="articleview">
<div class="header_top"><div class="w960 center"><span id="time" class="time">文秘家园 —— 公文写作、讲话稿、范文学习的园地</span>
<div class="toplinks"><a href="/member/login.php">会员登录</a>|<a href="/member/index_do.php?fmdo=user&amp;dopost=regnew">免费注册</a>|<a href="/data/sitemap.html" target="_blank">网站地图</a>|<a href="/data/rss/12.xml">RSS订阅</a></div></div></div>
<div class="header"><div class="top w960 center"><div class="title"><h1><a href="/"><img src="/templets/default/images/logo.gif" height="54" width="216" alt="文秘家园" /></a></h1></div>
<div class="banner"><script src="/plus/ad_js.php?aid=1" language="javascript"></script></div></div>
<div class="module blue mT10 wrapper w963"><div id="navMenu"><ul>{nav}</ul></div>
<div class="search"><form name="formsearch" action="/plus/search.php"><input type="hidden" name="kwtype" value="0" />
<input name="q" type="text" class="search-keyword" id="search-keyword" value="在这里搜索..." onfocus="if(this.value=='在这里搜索...'){{this.value='';}}" />
<select name="searchtype" class="search-option"><option value="title" selected="selected">检索标题</option><option value="titlekeyword">智能模糊</option></select>
<button type="submit" class="search-submit">搜索</button></form>
<div class="tags"><h4>热门标签:</h4><ul>{tags}</ul></div></div></div></div>"""


def dede_sidebar(site: Site, i: int) -> str:
    """Right column: 推荐内容 and 热点内容 lists plus an ad slot."""
    return f"""<div class="pright">
<div class="commend mt1"><dl class="tbox light"><dt class="light"><strong>推荐内容</strong></dt><dd class="light"><ul class="d4">
{link_list(site, site.neighbours(i, 8, "commend"))}</ul></dd></dl></div>
<div id="contentRtPicAD" style="margin:10px auto"><script src="/plus/ad_js.php?aid=3" language="javascript"></script></div>
<div class="hot mt1"><dl class="tbox light"><dt class="light"><strong>热点内容</strong></dt><dd class="light"><ul class="c1 ico2">
{link_list(site, site.neighbours(i, 8, "hot"))}</ul></dd></dl></div>
</div>"""


def dede_foot() -> str:
    """Footer links, copyright, ICP number and the stats script."""
    return """<div class="footer w960 center mt1 clear">
<div class="footer_left"></div><div class="footer_body">
<p class="powered"><a href="/plus/flink.php">友情链接</a> | <a href="/about/">关于我们</a> | <a href="/about/contact.html">联系我们</a> | <a href="/about/disclaimer.html">免责声明</a> | <a href="/member/article_add.php">在线投稿</a></p>
<div class="copyright">Copyright &copy; 2008-2020 文秘家园 版权所有 本站部分文章来源于网络,如有侵权请联系删除 <a href="https://beian.miit.gov.cn/" rel="nofollow" target="_blank">豫ICP备08012345号</a></div>
</div><div class="footer_right"></div></div>
<script type="text/javascript">var _hmt = _hmt || []; (function() { var hm = document.createElement("script"); hm.src = "/js/stat.js?v=2020"; var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); })();</script>
</body>
</html>
"""
