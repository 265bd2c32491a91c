"""Head and footer of the 帝国CMS-style 范文 site (fanwen) and the 文档 site (wendang).

Both are typical Chinese content-farm templates: a top bar with login links, a logo and search
form, a ten-item channel navigation, ad slots driven by scripts, and a footer full of links and
disclaimers.  The text of all this is what boilerplate removal has to throw away.
"""

from __future__ import annotations

import logging

from sandbox.sites.base import esc

logger = logging.getLogger(__name__)

__all__ = ["cms_head", "cms_foot", "doc_head", "doc_foot"]

_FW_NAV = (("/", "首页"), ("/fanwen/gongzuozongjie/", "工作总结"), ("/fanwen/gongzuojihua/", "工作计划"),
           ("/fanwen/xindetihui/", "心得体会"), ("/fanwen/jianghuagao/", "讲话稿"), ("/fanwen/fayangao/", "发言稿"),
           ("/fanwen/yanjianggao/", "演讲稿"), ("/fanwen/shuzhibaogao/", "述职报告"),
           ("/fanwen/sixianghuibao/", "思想汇报"), ("/fanwen/cehuashu/", "策划书"))
_DOC_NAV = (("/", "首页"), ("/wd/zongjie/", "工作总结"), ("/wd/jihua/", "工作计划"), ("/wd/jianghua/", "讲话稿"),
            ("/wd/xinde/", "心得体会"), ("/wd/shuzhi/", "述职报告"), ("/wd/dangtuan/", "党团范文"),
            ("/wd/yanjiang/", "演讲稿"), ("/wd/hetong/", "合同范本"), ("/wd/jiaoan/", "教案"))


def cms_head(title: str, site: str) -> str:
    """<head>, top bar, logo, search and channel navigation of the 范文 site."""
    nav = "".join(f'<a href="{href}">{name}</a>' for href, name in _FW_NAV)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}_{site}</title>
<meta name="keywords" content="{esc(title)},讲话稿,范文">
<meta name="description" content="{esc(title)}由网友投稿,{site}为您整理,仅供参考。">
<link rel="stylesheet" href="/skin/css/article.css?v=3">
<script src="/skin/js/jquery-1.8.3.min.js"></script>
<script>var _hmt=_hmt||[];$(function(){{$(".hide-tip a").click(function(){{$(".content").removeClass("fold");return false;}});}});</script>
</head>
<body>
<div class="top"><div class="wrap"><span class="welcome">{site} - 您身边的写作助手</span>
<span class="login"><a href="/e/member/login/" rel="nofollow">登录</a> | <a href="/e/member/register/" rel="nofollow">注册</a></span></div></div>
<div class="header wrap"><a class="logo" href="/"><img src="/skin/images/logo.png" alt="{site}"></a>
<form class="search" action="/e/search/index.php" method="post"><input type="text" name="keyboard" placeholder="搜索范文"><input type="hidden" name="show" value="title"><button type="submit">搜索</button></form></div>
<div class="nav"><div class="wrap">{nav}</div></div>
<div class="wrap">"""


def cms_foot(site: str) -> str:
    return f"""</div>
<div class="footer"><div class="wrap">
<p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | <a href="/sitemap.html">网站地图</a> | <a href="/copyright/">版权声明</a> | <a href="/fanwen/">范文大全</a></p>
<p>Copyright &copy; 2012-2023 {site} All Rights Reserved. 声明:本站所有文章资源内容,如无特殊说明或标注,均为采集网络资源。如若本站内容侵犯了原著者的合法权益,可联系本站删除。</p>
</div></div>
<script src="/skin/js/common.js"></script>
</body>
</html>
"""


def doc_head(title: str, site: str) -> str:
    """<head>, login bar, logo and navigation of the 文档 site."""
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in _DOC_NAV)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}-{site}</title>
<meta name="keywords" content="{esc(title)}">
<meta name="description" content="{site}提供{esc(title)}免费下载,海量文档尽在{site}。">
<link rel="stylesheet" href="/static/css/style.css">
<script async src="/static/js/ads.js"></script>
<style>.doc-body p{{text-indent:0;line-height:2}}.doc-body h2{{font-size:16px;text-align:center}}</style>
</head>
<body>
<div class="topbar"><div class="w1200"><span>{site} - 海量文档免费下载</span>
<span class="user"><a href="/user/login.html" rel="nofollow">登录</a> <a href="/user/register.html" rel="nofollow">注册</a></span></div></div>
<div class="header w1200"><a class="logo" href="/"><img src="/static/images/logo.png" alt="{site}"></a>
<form class="so" action="/wd/search/" method="get"><input name="q" placeholder="请输入关键词"><button>搜文档</button></form></div>
<div class="navbar"><ul class="w1200">{nav}</ul></div>
<div class="w1200 clearfix">"""


def doc_foot(site: str) -> str:
    return f"""</div>
<div class="footer"><div class="w1200">
<p><a href="/about.html">关于我们</a> - <a href="/contact.html">联系我们</a> - <a href="/statement.html">免责声明</a> - <a href="/sitemap.xml">网站地图</a></p>
<p>Copyright &copy; 2019-2023 {site} 版权所有 本站文档均来自网友上传,仅供学习交流,如有侵权请联系删除。</p>
</div></div>
<script>(function(){{var s=document.createElement("script");s.src="/static/js/tj.js";document.body.appendChild(s);}})();</script>
</body>
</html>
"""
