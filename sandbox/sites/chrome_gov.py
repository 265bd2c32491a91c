"""Head, 信息公开 table and footer of the government portal (zhengfu), as 政府网站 templates have them.

China's government-website guideline (政府网站发展指引) makes every portal carry the same furniture:
``<meta name="SiteName">`` … ``<meta name="ArticleTitle">`` tags, an accessibility bar (无障碍 / 长者模式),
the 网站标识码 and ICP / 公安备案 numbers, the 党政机关 and 政府网站找错 badges, and on disclosure pages a
信息公开 index table (索引号, 发布机构, 成文日期 …).  Kept apart so the article template stays readable.
"""

from __future__ import annotations

import logging

from sandbox.sites.base import esc

logger = logging.getLogger(__name__)

__all__ = ["CRUMB", "gov_head", "gov_foot", "xxgk_table"]

SITE = "临江市人民政府"
CRUMB = ('当前位置:<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
         '<a href="/zwgk/ldjh/">领导讲话</a>')
_NAV = (("/", "首页"), ("/zwgk/", "政务公开"), ("/zwfw/", "政务服务"), ("/hdjl/", "互动交流"), ("/zjlj/", "走进临江"),
        ("/ztzl/", "专题专栏"))
_SITE_META = {"SiteName": f"{SITE}门户网站", "SiteDomain": "www.linjiang.gov.cn", "SiteIDCode": "4210000001"}


def gov_head(title: str, meta: dict[str, str]) -> str:
    """<head> with the guideline's meta tags, the accessibility bar, logo, search and navigation."""
    tags = "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in {**_SITE_META, **meta}.items())
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in _NAV)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{esc(title)}_{SITE}</title>
{tags}
<link rel="stylesheet" type="text/css" href="/images/css/common.css">
<script type="text/javascript" src="/images/js/jquery.min.js"></script>
<script type="text/javascript" src="/images/js/wza.js" id="wza"></script>
<script type="text/javascript">function doZoom(size){{document.getElementById('zoom').style.fontSize=size+'px';}}</script>
</head>
<body>
<div class="top-bar"><div class="w1200"><span class="welcome">您好,欢迎访问{SITE}门户网站!</span>
<span class="top-links"><a href="javascript:void(0)" id="wzaBtn">无障碍浏览</a> | <a href="javascript:void(0)" id="oldMode">长者模式</a> | <a href="/fanti/">繁體</a> | <a href="/zwfw/login/">登录</a> | <a href="/zwfw/register/">注册</a></span></div></div>
<div class="header w1200"><a class="logo" href="/"><img src="/images/logo_gh.png" alt="{SITE}"></a>
<form class="search" action="/search/index.jsp" method="get" target="_blank"><input type="text" name="q" placeholder="请输入关键字"><button type="submit">搜索</button></form></div>
<div class="nav"><ul class="w1200">{nav}</ul></div>
<div class="main w1200">
"""


def xxgk_table(title: str, publisher: str, day: str, docid: int) -> str:
    """The 信息公开 index table shown above a disclosed document."""
    ymd = day.replace("-", "")
    cn = f"{day[:4]}年{day[5:7]}月{day[8:10]}日" if len(day) == 10 else day
    return f"""<table class="xxgk-table" width="100%" cellspacing="0" cellpadding="0">
<tr><th>索引号:</th><td>11421000MB1734512X/{ymd[:4]}-{docid % 100000:05d}</td><th>主题分类:</th><td>综合政务\\其他</td></tr>
<tr><th>发布机构:</th><td>{esc(publisher)}</td><th>成文日期:</th><td>{cn}</td></tr>
<tr><th>标　　题:</th><td colspan="3">{esc(title)}</td></tr>
<tr><th>发文字号:</th><td></td><th>发布日期:</th><td>{cn}</td></tr>
</table>"""


def gov_foot() -> str:
    """Footer: sponsor, site id code, ICP and police filing numbers, the two badges, stats script."""
    return f"""</div>
<div class="footer"><div class="w1200">
<div class="foot-links"><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/sybz/">使用帮助</a> | <a href="/yssm/">隐私声明</a></div>
<div class="foot-info"><p>主办:{SITE}办公室 承办:临江市大数据中心</p>
<p>网站标识码:4210000001 <a href="https://beian.miit.gov.cn/" target="_blank">鄂ICP备12034567号</a> 鄂公网安备 42100002000123号</p></div>
<div class="foot-badges"><a href="http://bszs.conac.cn/" target="_blank"><img src="/images/dzjg.png" alt="党政机关"></a>
<a href="https://zfwzzc.www.gov.cn/" target="_blank"><img src="/images/zfzc.png" alt="政府网站找错"></a></div>
</div></div>
<script type="text/javascript" src="/images/js/tongji.js"></script>
</body>
</html>
"""
