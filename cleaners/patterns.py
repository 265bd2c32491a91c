"""Generic knowledge of Chinese template sites: tags, chrome lines, ads, masks, headings.

Everything a step matches against lives here, compiled once at import, so that a
maintainer reads the whole vocabulary in one place and a profile only has to add
what is truly site-specific (``SiteRules``).  Each group says which step uses it.
"""

from __future__ import annotations

import re

# --- encoding: the ~600 most frequent hanzi, to tell Chinese from mojibake -------
COMMON_HANZI = (
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用"
    "道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军"
    "者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见"
    "被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真"
    "论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直"
    "德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记"
    "南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持"
    "组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需"
    "价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查"
    "轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众"
    "构房半节土投某案黑维革划敢习县镇村乡省州党员干部群众工作会议讲话同志发展经济建设推进落实加强坚持全面"
)

# --- step 2: turning elements into paragraphs ---------------------------------
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "template", "svg", "math", "select", "option", "button",
    "input", "textarea", "object", "embed", "canvas", "audio", "video", "map", "link", "meta", "title",
})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
    "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead",
    "tfoot", "tr", "td", "th", "ul", "caption", "br", "body", "html", "legend",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
"""Zero-width characters, BOMs and soft hyphens: deleted, not turned into spaces."""
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def guarded(pattern: re.Pattern[str], first: str) -> re.Pattern[str]:
    """``pattern`` behind a lookahead for the characters a match of it can start with (``first``, the body of
    a character class): the same matches, found faster.  ``re`` skips quickly only to where a pattern's
    first literal or class matches; an alternation with a branch that starts otherwise (a lookbehind,
    ``\\b``, ``\\s``, a group) has every branch tried at every position of the text.  The lookahead
    fails at once where no branch can start (3-5x faster on the short lines the chrome step reads).
    tests/test_cleaners_patterns.py checks that ``first`` holds every possible first character."""
    return re.compile(f"(?=[{first}])(?:{pattern.pattern})", pattern.flags)


# --- step 2 (generic): hidden elements and comment/reply threads ----------------
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
"""An inline style (or a page ``<style>`` rule body) that hides its element."""
HIDDEN_CLASSES = frozenset({
    "hidden", "hide", "d-none", "invisible", "sr-only", "visually-hidden", "screen-reader-text", "mw-collapsed",
    "collapsed",
})
"""Class names that mean "not shown" in the common CSS frameworks and wiki skins."""

COMMENT_STAMP = re.compile(
    r"(?:(?:19|20)\d{2}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*(?:[上下]午\s*)?\d{1,2}:\d{2}"
    r"|\d+\s*(?:秒|分钟|小时|天)前|刚刚发表"
)
"""When a comment or post was written: a date with a time of day (2008-02-12 09:12, 2012年3月5日 下午 2:30,
03-05 14:22) or a relative time (3小时前).  A date alone does not do: articles date their sections."""

LEAD_CLASS = re.compile(
    r"(?:^|[-_\s])(?:lead|summary|abstract|daoyu|daodu|zy|zhaiyao|digest|intro|brief|excerpt|standfirst|tips?|notice"
    r"|notes?|rules?|kuang|shuoming|xuzhi)(?:$|[-_\s])",
    re.I,
)
"""Class or id of the box that holds a lead (导语/摘要) or notes (说明/须知) above the body: div.summary,
p.lead, div.zy, div.tips."""
BOX_STYLE = re.compile(r"border(?:-(?:top|bottom|left|right))?\s*:\s*(?:[1-9]|thin|medium|thick|solid|dashed|dotted|double)", re.I)
"""An inline style that draws a box around its element."""
LEAD_LABEL = re.compile(r"^[【\[]?\s*(?:导语|导读|摘要|内容提要|内容摘要|提要|编者按)\s*[】\]]?\s*[:：]?")
"""A lead that names itself: 导语：…, 【导读】…, 摘要：…"""
PROMO_CLASS = re.compile(
    r"(?:^|[-_\s])(?:promo|promotion|newsletter|subscribe|subscription|app|download|open-app|qrcode|qr|ewm|erweima"
    r"|wx|weixin|wechat|gzh|follow|douyin)(?:$|[-_\s])",
    re.I,
)
"""Class or id of a promo box inside an article: app downloads, newsletters, follow-us QR codes."""

# --- step 2: chrome lines (a whole paragraph that is site furniture) -----------
SENTENCE_END = re.compile(r"[。！？!?；;]")
PROSE_LINE = re.compile(r"[，。！？；,!?;]")
"""A line with any of these is a sentence; titles, dates and link labels have none."""
BREADCRUMB_START = re.compile(r"^(?:(?:您|你)(?:现在|当前)?(?:所在)?的|当前|现在|所在)?位置\s*[:：]")
"""当前位置: / 您的位置: / 您现在的位置: / 你所在的位置: / 所在位置: …"""
BREADCRUMB_SEP = re.compile(r">>|»|›|＞|→|>")
BYLINE_TOKEN_PLAIN = re.compile(
    r"作者\s*[:：]|来源\s*[:：]|阅读\s*\d*\s*次|点击\s*(?:数|量)?\s*[:：]?\s*\d*\s*次|浏览\s*(?:次数|量)?\s*[:：]"
    r"|【\s*收藏|加入收藏|收藏本文|以稿换稿|(?:发布|更新|发表)(?:时间|日期)\s*[:：]|(?<![主])时间\s*[:：]|日期\s*[:：]"
    r"|(?:责任)?编辑\s*[:：]|字号\s*[:：]|【\s*[大中小]\s*】|打印本页|关闭窗口|分享到|\badmin\b|\s分享\s"
    r"|共计\s*\d+\s*个字|预计阅读时长|阅读时长|【\s*打印\s*】|【\s*关闭\s*】|访问统计"
)
BYLINE_TOKEN = guarded(BYLINE_TOKEN_PLAIN, r"作来阅点浏【加收以发更时日责编字打关分a共预访\s")
BYLINE_STAMP = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)|(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
"""A date or time: counts once towards a byline, and never makes one alone."""
PROMO_LINE_PLAIN = re.compile(
    r"(?:下载|安装|打开)[^，。！？]{0,12}(?:客户端|APP|App|app)|(?:关注|订阅)[^，。！？]{0,16}(?:公众号|微信号|抖音号|快手号|视频号|微博|"
    r"头条号|简报|早报|晚报|newsletter|邮件)|扫描?二维码|扫一扫|长按识别|(?:送到|发送到)(?:你|您)的邮箱"
)
PROMO_LINE = guarded(PROMO_LINE_PLAIN, "下安打关订扫长送发")
"""What a promo box says (download the app, follow the account, subscribe, scan the code)."""
PROMO_MAX_CHARS = 60
"""A promo is a line or two; a longer paragraph that mentions an app is text."""
_CHROME_BRANCHES = (
    r"^[A-Za-z0-9.-]+\.(?:com|cn|net|org|cc|top|vip|info)(?:\.cn)?\s*[—–-]{1,3}",  # SUCAI198.COM —— 专注…
    r"^(?:手机扫码阅读本文|手机扫码|扫一扫|手机扫一扫|微信扫一扫|扫码阅读|扫描二维码|用手机扫描二维码|微信扫码分享|分享到\s*[:：]?"
    r"|打印本页|关闭窗口|返回顶部|返回列表|返回首页|【\s*打印\s*】|【\s*关闭\s*】|收藏本文|加入收藏)\s*\S{0,12}$",
    r"^[（(【\[]?\s*(?:本文来源|来源|稿件来源|文章来源|信息来源|原文来源|新闻来源|消息来源|内容来源|资料来源|稿源|出处|作者|责任编辑|编辑"
    r"|审核|校对|通讯员)\s*[:：]\s*\S{1,30}\s*[)）】\]]?$",
    r"^[（(【\[]?\s*(?:转自|转载自|本文转自|文章转自|转载于|摘自|选自)\s*[:：]?\s*\S{1,30}\s*[)）】\]]?$",  # 转自：中国文明网
    r"^(?:转载请注明|本文来源于|版权所有|版权声明|免责声明|声明\s*[:：]|未经(?:允许|授权|许可)不得转载).{0,80}$",
    r"^(?:本文地址|本文链接|本文网址|原文链接|原文地址|文章地址|文章链接|本页地址)\s*[:：]",  # permalink lines
    r"(?:如有|若有|如涉及|涉嫌)侵权.{0,12}(?:删除|联系)|版权归(?:原)?作者所有",  # "uploaded by users" disclaimers
    r"^(?:扫一扫|扫码|扫描二维码|长按(?:识别)?二维码|微信扫码)?\s*关注(?:我们|本站|公众号|微信公众号|官方微信)\S{0,10}$",
    r"^(?:Copyright|\(c\)|©|&copy;)\s*(?:©\s*)?(?:\d{4}|[\u4e00-\u9fff]).{0,160}$",  # site footer
    r"^(?:文档为\w{1,6}格式|点击下载|下载本文|免费下载|立即下载|下载文档|VIP免费下载).{0,30}$",
    r"^\(?以下评论仅代表网友意见.{0,30}$|^（以下评论仅代表网友意见.{0,30}$",
    r"^本贴由.{0,60}发表",
    r"^[-—=~*·•]{3,}$",  # a rule drawn with dashes
    r"(?:你|您)?可以(?:使用|用)这个链接引用|^引用(?:通告|地址)\s*[:：]",  # blog trackback lines
    r"^(?:我的|个人)?(?:博客|主页|微博|空间)\s*[:：]?.{0,30}https?://\S+$",  # the author's own blog link
    r"^(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\s*[\u4e00-\u9fff]{2,10}(?:报|网|社|刊|台|杂志)$",  # 2003-7-24 钱江晚报
    r"^[（(]?\s*(?:文|撰文|供稿|整理|图文)\s*[:：/]\s*[\u4e00-\u9fffA-Za-z·]{1,12}\s*[)）]?$",  # 文：眉间尺
    r"^[【\[]?(?:摘要|导语|导读|内容提要|提要)[】\]]?\s*[:：]?$",  # a lead's bare label
    r"^(?:本文|本稿|此文)(?:为|系|是).{0,30}?(?:原创|独家|首发).{0,30}?(?:不得|禁止|谢绝)(?:转载|使用|复制)",
    r"^(?:本报|本网)?(?:记者|通讯员)(?:\s*[\u4e00-\u9fff]{2,4})+\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$",  # 记者 林溪 2021-11-30 18:06
    r"^[\[【(（]?\s*(?:本帖|该帖|本贴|此帖|该贴)(?:子)?(?:最后由|被).{1,40}?(?:于|在)\s*\S{0,4}\s*[\d\-/年月日: ]{6,}\s*"
    r"(?:重新)?编辑\s*[\]】)）]?$",  # BBS edit stamps: 本帖最后由 X 于 2011-4-12 22:05 编辑
    r"^[（(]?\s*[\u4e00-\u9fff]{0,8}?(?:记者|实习生|通讯员)(?:\s*[\u4e00-\u9fff]{2,4}){1,4}?"
    r"(?:\s*(?:发自|报道|整理|采写|摄影?)[\u4e00-\u9fff]{0,6})?(?<!们)\s*[)）]?$",  # (本报记者 陈晨 整理)
    r"^(?:本文|此文|文章)由.{1,30}?(?:整理|发布|编辑|提供|上传|收集|投稿)|转载请(?:保留|注明)(?:本文)?(?:链接|出处|来源)",
    r"^(?:[【\[]\s*原(?:标)?题\s*[】\]]|原(?:标)?题\s*[:：])",  # 原标题：《…》 over a republished text
    r"^[（(]\s*作者(?:系|为|是|单位[:：])[^()（）]{2,60}[)）]$",  # the signature: （作者系市教育局局长）
    r"^[（(]\s*(?:本文)?(?:根据|据)?(?:讲话|会议|现场)?录音整理[^()（）]{0,24}[)）]$",  # （根据录音整理，未经本人审阅）
    r"^(?:[【\[（(]?\s*(?:责任编辑|编辑|审核|校对|终审|初审|复审|审校|签发|监制|值班编辑|记者|通讯员|摄影)\s*[:：]\s*"
    r"[\u4e00-\u9fffA-Za-z·]{1,12}\s*[】\]）)]?\s*[|｜/，,；;]?\s*){2,}$",  # 编辑：王倩  审核：周静
    r"^Powered by\b.{0,60}$|Processed in [\d.]+ second|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"(?:ICP[备证]|公网安备)\s*\d{5,}",  # a footer's engine credit, timing line or licence numbers
)


def top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of ``pattern`` split at its top-level ``|`` (not inside a group or a class)."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":  # "[]…]": a "]" right after "[" is a member
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def _at_start(branch: str) -> bool:
    """Every alternative of ``branch`` starts with ``^``: without re.M it can only match at the start."""
    return all(alt.startswith("^") for alt in top_level_alternatives(branch))


CHROME_LINE = re.compile("|".join(f"(?:{b})" for b in _CHROME_BRANCHES), re.I)
"""Whole lines of furniture: banners, QR/share/print widgets, source/editor lines, disclaimers."""
CHROME_LINE_START = re.compile("|".join(f"(?:{b})" for b in _CHROME_BRANCHES if _at_start(b)), re.I)
CHROME_LINE_ANYWHERE_PLAIN = re.compile("|".join(f"(?:{b})" for b in _CHROME_BRANCHES if not _at_start(b)), re.I)
CHROME_LINE_ANYWHERE = guarded(CHROME_LINE_ANYWHERE_PLAIN,
                               "如若涉版你您可引本此文转P京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
"""CHROME_LINE split: ``CHROME_LINE.search(t)`` finds a match exactly when ``CHROME_LINE_START.match(t)`` or
``CHROME_LINE_ANYWHERE.search(t)`` does.  ``search`` would try the ^-anchored branches (most of them) at every
position of the line, where they cannot match; this way they are tried once (a sixth of generic mode's time)."""
EDITOR_NOTE = re.compile(
    r"^[【\[]?\s*编者按\s*[】\]]?\s*[:：].{0,240}?(?:现将|现予|特将|予以|全文|摘要|摘编).{0,60}?"
    r"(?:刊发|刊登|刊载|印发|发表|摘登|转发|编发|播发|发布|刊出)"
)
"""An editor's note that presents the text it stands over (编者按：…现将讲话全文刊发，供学习参考。): the site's
words about the speech.  A 编者按 that is itself commentary (a label over paragraphs of its own) is not one."""
EDITOR_NOTE_MAX_CHARS = 300
_WIDGET = (
    r"(?:我要)?打印(?:本页|本文|此文)?|关闭(?:窗口|本页)?|(?:我要)?纠错|(?:加入)?收藏(?:本文|本页)?|(?:一键)?分享(?:到)?"
    r"|复制(?:链接|网址|本文地址)|点赞|举报|返回(?:顶部|列表|首页)|字体|字号|QQ空间|QQ好友|新浪微博|腾讯微博|微博|微信(?:好友)?"
    r"|朋友圈|豆瓣|人人网|阅读|浏览|点击|评论|下载|顶|踩|有用|没用"
)
_WIDGET_FILL = r"[\s\d:：|｜/()（）【】\[\]<>·•,，、.-]|大|中|小|次|人"
WIDGET_LINE = re.compile(rf"^(?:{_WIDGET_FILL}|{_WIDGET})*(?:{_WIDGET})(?:{_WIDGET_FILL}|{_WIDGET})*$")
"""A line made only of toolbar words (打印 | 关闭, 字体:大 中 小, 分享到: QQ空间 微博, 点赞(12) 收藏(3)), counters
and separators.  Tested on short lines only (WIDGET_MAX_CHARS): the token alternation backtracks."""
WIDGET_MAX_CHARS = 40
PAGINATION_WORD = re.compile(r"上一页|下一页|上页|下页|前一页|后一页|第一页|最后一页|首页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页")
PAGINATION_LINE = re.compile(
    r"^(?:\s*(?:上一页|下一页|上页|下页|前一页|后一页|第一页|最后一页|首页|尾页|末页|全文|阅读全文|(?:本文|全文)?共\s*\d+\s*页"
    r"|第\s*\d+\s*页|\d{1,3}|…+|\.{2,}|\[\s*\d+\s*\]|[|｜/]|[:：,，]|<<|>>|«|»|‹|›|<|>|←|→))+\s*$"
)
SOURCE_LINE = re.compile(r"^[（(]\s*(?:本文来源|来源|稿件来源|文章来源|信息来源)\s*[:：]\s*(?P<src>[^()（）]{2,30}?)\s*[)）]$")
_FILE_EXT = r"\.(?:pdf|docx?|xlsx?|et|wps|pptx?|dps|ofd|ceb|zip|rar|7z|txt|csv)"
FILE_HREF = re.compile(_FILE_EXT + r"(?:$|[?#&])", re.I)
"""A link to a file a page offers for download (an attachment), by its address (cleaners.attachments)."""
FILE_NAME = re.compile(_FILE_EXT + r"$", re.I)
"""A link text that is a file's name (附件1：申报表.docx) though the address does not show it (download.jsp?id=3)."""
FILE_MENTION = re.compile(_FILE_EXT + r"(?![a-z])", re.I)
"""A file extension anywhere in a page's source: without one the page links to no file."""
ATTACHMENT_RESIDUE = re.compile(
    r"^(?:相关附件|附件下载|下载附件|附件列表|附件清单|附件|点击下载|下载|文件大小|大小|[\d.]+[KMG]?B|\d+|[一二三四五六七八九十]+"
    r"|[:：、.．,，;；()（）\[\]【】/|｜·•-])*$", re.I)
"""What an attachment line holds besides its file links (whitespace removed): a label, numbering, sizes."""
ATTACHMENT_LABEL = re.compile(r"^(?:相关|下载)?附件(?:下载|列表|清单)?[\d一二三四五六七八九十]*[:：]?$")
"""A label line over attachment lines (附件：, 附件下载), whitespace removed; it goes only with them."""
ATTACHMENT_LINE = re.compile(
    r"^(?:相关)?附件\s*[\d一二三四五六七八九十]*\s*[:：]\s*[^。！？!?；;]{1,100}?" + _FILE_EXT
    + r"(?:\s*[(（]\s*[\d.]+\s*[KMG]?B\s*[)）])?$|^(?:附件下载|下载附件)\s*[:：]?$", re.I)
"""An attachment line as text (附件：2023年工作要点.pdf, 附件下载：): a file's name or a download label, not text.
"附件：2020年度推选名单" (no file name) stays: the attachment may follow on the page."""

# Lines that open a trailing block (related links, comments, share widgets, keyword
# clouds): everything from there to the end is dropped as ``tail_blocks``.
TAIL_START = re.compile(
    r"^(【[^】]{1,80}】)?(?:(?:更多|其他|其它)?相关(?:文章|阅读|推荐|新闻|链接|范文|文档|专题|内容|资料|下载|资讯)"
    r"|更多(?:精彩|相关|推荐|范文|文章|内容|资讯)|推荐(?:阅读|文章|范文)|(?:延伸|扩展|拓展)阅读|猜你喜欢|大家都在(?:看|读|搜)"
    r"|(?:你|您)(?:可能|或许)(?:还|也)?(?:感兴趣|喜欢|想看|爱看)|看了(?:本文|这篇文章|这篇|该文|此文)的(?:人|网友)(?:还|也)看了?"
    r"|(?:编辑|小编|站长)推荐|(?:热门|精彩|热点|最新)(?:文章|推荐|专题|范文|文档|阅读|图文|排行)"
    r"|(?:用户|网友|读者)评论|(?:发表|我要|参与|查看|写|全部|最新|最热|热门|精彩)(?:全部)?评论|评论(?:区|列表)"
    r"|评论一下|快来抢沙发|还没有评论|暂无评论|(?:已有|共有|共)\s*\d+\s*条评论|文明上网|登录后(?:才能)?(?:发表|参与)?评论"
    r"|(?:提交|写下?(?:你|您)?的?)评论"
    r"|领取福利|微信扫码|手机扫码阅读本文|(?:[«‹<]\s*)?上一篇|(?:[«‹<]\s*)?下一篇|本文链接\s*[:：]|[（(]?以下评论仅代表"
    r"|反侵权公告|郑重声明|版权声明|免责声明|Trackback)"
)
"""Openers of related-article lists, comment widgets and prev/next links (anchored at the line start)."""
TAIL_LONG_START = re.compile(r"^(?:推荐访问|相关(?:热词)?搜索|热门搜索|本文关键词|关键词|(?:本文|文章)?标签|热词|TAGS?)\s*[:：]", re.I)
TAIL_MAX_LINE = 40
TAIL_MIN_POSITION = 0.3
"""A tail marker in the first 30% of the text is a stray line, not the start of the tail."""
NUMBER_LINE = re.compile(r"^\d{1,12}$")

# --- step 3: injected ads and paywall markers --------------------------------
_AUDIENCE = r"(?:大家|您|你|各位|朋友们|读者)"
_CURATE = r"(?:精心|特意|特地|用心|认真)?(?:整理|收集|搜集|推荐|带来|分享|准备|精选|挑选|汇编|收录|编辑|编写|提供)"
AD_TRIGGER_PLAIN = re.compile(
    r"(?P<editor>小编)"
    rf"|(?:下面|以下|接下来|下文|本文|本篇|以上)就?(?:是|为|由)?[^。！？!?，,；;]{{0,20}}?(?:为|给|帮){_AUDIENCE}{_CURATE}"
    rf"|(?:下面|以下|接下来|以上)就?(?:是|为)(?:本站|笔者|本网)?{_CURATE}"
    r"|(?:想|如想|若想|欲|如需)?(?:了解|查看|阅读|获取|下载)?更多[^。！？!?]{0,30}?(?:请|可|欢迎)(?:访问|关注|点击|登录|搜索|进入)"
)
AD_TRIGGER = guarded(AD_TRIGGER_PLAIN, "下了以如小想接更本查欲若获阅")
"""Where an injected sentence is: 小编 anywhere, or "下面是/以下是/本文是/以上是 <anyone> 为大家/为您 整理/推荐/带来…".
Without 小编 the sentence must also pass AD_CONFIRM: a speech may well say "以下是各单位为大家整理的建议"."""
AD_CONFIRM = re.compile(
    r"讲话|发言|致辞|范文|文章|稿|篇|心得|体会|模板|例文|资料|内容|合集|大全"
    rf"|供{_AUDIENCE}?(?:参考|借鉴|学习)|仅供参考|希望|欢迎|喜欢|一起来看看|收藏|阅读"
)
"""What the curated thing is (a 讲话稿, 范文, 3篇 …) or the reader courtesy that closes such a sentence."""
AD_COURTESY = re.compile(
    rf"供{_AUDIENCE}?(?:学习|阅读)?(?:参考|借鉴)|仅供参考|希望(?:对|能|可以|能够)?[^。！？!?]{{0,8}}(?:帮助|帮到|有所帮助)"
    rf"|希望{_AUDIENCE}?(?:能够|会)?喜欢|欢迎{_AUDIENCE}?(?:阅读|借鉴|参考|收藏|下载)"
)
"""The reader courtesy that ends a sales sentence; such a sentence is an ad when it also offers a text
(AD_GENRE) it collected or introduces (AD_OPENER / AD_CURATE) — "我讲几点意见，供大家参考" is not."""
AD_GENRE = re.compile(r"讲话稿|发言稿|演讲稿|致辞稿|范文|例文|文章|模板|\d+篇|[一二三四五六七八九十]篇|篇章")
AD_CURATE = re.compile(_CURATE)
AD_OPENER = re.compile(r"(?:下面|以下|接下来|下文|以上)就?(?:是|为)|(?:本文|本篇)(?:是|由)")
AD_FOLLOW = re.compile(r"^\s*(?:希望|欢迎|仅供|供大家|以供|请参考|敬请|更多)[^。！？!?]{0,24}[。！？!?]?")
AD_OPENER_REACH = 40
"""How far before the trigger an opener (下面是…) may start the ad sentence."""
AD_PREFILTER = re.compile(
    r"更多|小编|下面|以下|接下来|下文|本文|本篇|以上|隐藏|剩余|还剩|余下|全文|免费阅读|试读|预览|参考|借鉴|帮助|帮到|喜欢|欢迎"
)
"""Cheap pre-test: a paragraph with none of these words holds no generic ad or marker."""
HIDDEN_MARKERS_PLAIN = re.compile(
    r"当前隐藏内容免费查看|隐藏内容免费查看|(?:剩余|还剩)\s*\d+\s*字(?:未读)?|(?:点击)?展开全文|免费阅读全文|全文阅读已结束"
    r"|免费阅读已结束[，,]?\s*(?:点击)?(?:下载|付费)?(?:阅读|查看)?(?:编辑)?(?:剩下|剩余)?(?:内容|全文)?\s*(?:\.{2,}|…+)?"
    r"|(?:试读|预览)(?:已)?结束|(?:点击|下载)查看(?:完整|全部)?(?:全文|文档)|余下全文"
)
HIDDEN_MARKERS = guarded(HIDDEN_MARKERS_PLAIN, "下余免全剩展当点试还隐预")
"""Paywall / "read the rest" markers, removed wherever they stand (often glued to the next sentence)."""

# --- step 4: masks ------------------------------------------------------------
MASK_PLAIN = re.compile(
    r"(?P<year>(?<![0-9A-Za-z])(?:19|20|二[〇○零])(?:\d|[〇○零一二])?(?:[xXＸｘⅹⅩ]{1,2}|×{1,2}|[*＊]{1,2}|_{1,2})(?=年))"
    r"|(?P<run>[*＊xXＸｘⅹⅩ]+(?:[.．][*＊xXＸｘⅹⅩ]+)?)"
    r"|(?P<cross>[×✕]+)"
    r"|(?P<blank>_{2,}|＿+)"
    r"|(?P<box>□{2,}|(?<![一二三四五六七八九十〇○零])[〇○]{2,}(?![一二三四五六七八九十〇○零年]))"
)
MASK = guarded(MASK_PLAIN, "12二*＊xXＸｘⅹⅩ×✕_＿□〇○")
"""Candidates; cleaners.masks decides which runs of x are masks and which are words."""
FORM_BLANK = re.compile(r"_{3,}|＿{2,}")
FORM_MIN_BLANKS = 3
"""A text with this many runs of three or more underscores is a form or worksheet (cleaners.masks.is_form)."""
FORM_BLANK_MIN_CHARS = 8
"""A run of underscores this long is a line to write on, on any page."""
MASK_CHARS = re.compile(r"[*＊xXＸｘⅹⅩ×✕_＿□〇○]")
"""Cheap pre-test: most paragraphs hold none of these."""
MASK_STARS = frozenset("*＊")
LATIN_X_WORDS = re.compile(r"光|射线|线|染色体|轴|型|战警|世代|-(?![xXＸｘ]+(?![A-Za-z]))[A-Za-z]")
"""What follows a real X (X光, X射线, X型, X-Man): the letter is then a word, not a mask."""
MASKED_G = re.compile(r"G(?![A-Za-z])|(?:GDP|GNP|CPI|PPI|PMI)(?![A-Za-z])")
"""XG: a masked "5G"; XGDP: a masked place before an economic acronym (焦作GDP → XGDP)."""
MASK_MIN_WORDLIKE = 3
"""An x-run this long (XXX, xxxx) is a mask even when letters follow (XXXAPP)."""

# --- step 5: compilations -----------------------------------------------------
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?P<num>[一二三四五六七八九十百零〇两]{1,4}|\d{1,3})"
HEADINGS = (
    re.compile(rf"^(?P<title>.{{0,70}}?)[\s:：、_-]*(?P<label>[【\[（(]?篇\s*{_NUM}[】\]）)]?)\s*[:：、.．]?\s*(?P<rest>.{{0,70}})$"),
    re.compile(rf"^(?P<title>.{{0,70}}?)(?P<label>[【\[（(]?第\s*{_NUM}\s*篇(?![章幅目])[】\]）)]?)[\s:：、.．]*(?P<rest>.{{0,70}})$"),
    re.compile(rf"^(?P<title>)(?P<label>[【\[（(]?(?:范文|例文)\s*{_NUM}[】\]）)]?)[\s:：、.．]*(?P<rest>.{{0,70}})$"),
)
HEADING_MAX_CHARS = 80
COMPILATION_TITLE = re.compile(
    r"\s*[（(【\[]?\s*(?:优秀|精选|通用|热门|最新|推荐|实用|合集|汇编)?\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*篇"
    r"\s*(?:范文|合集|汇编)?\s*[)）】\]]?\s*$"
)
"""The "(优秀19篇)" / "【精选3篇】" / "9篇" suffix of a compilation's own title."""
_GENRE = r"(?:讲话稿|发言稿|演讲稿|讲稿|致辞|主持词|范文|公文)"
FILLER = re.compile(
    r"(?:大家|我们|人们)(?:总|都|常常|经常)?(?:少不了|免不了|离不开)要?(?:接触|用到|使用|写)|都可以随时向我提问|我会尽力给予帮助"
    rf"|写作方面的问题|小编|你知道[^。？?]{{0,12}}(?:要|该)?怎么写|{_GENRE}(?:要|该|应该)?(?:怎么|如何)写|{_GENRE}是怎么写的"
    rf"|写{_GENRE}(?:时)?(?:感到|总是|无从)|^{_GENRE}(?:是|就是|指|是指)"
)
FILLER_WORDS = re.compile(r"讲话稿|发言稿|演讲稿|范文|写作|文稿|是指(?![引导挥示出明向正])|指的是")
"""Words of an SEO intro: a leading paragraph that lost an ad sentence and uses them is filler whole.
A definition ("开发区是指由…") counts, 指引/指导 do not: "思想是指引我们前行的旗帜" opens real speeches."""

# --- step 6: metadata ---------------------------------------------------------
ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.．]|第[一二三四五六七八九十\d]+[部分章节条、，,]"
    r"|[一二三四五六七八九十]是|\d{1,2}$)"
)
"""How a section heading of the speech itself starts: 一、 （二） 3. 第一部分 四是 01."""
OFFICE = (
    r"(?:党组书记|党委书记|党工委书记|副书记|书记|副市长|市长|副省长|省长|副县长|县长|副区长|区长|镇长|乡长|副主任|主任|副部长|部长|"
    r"副局长|局长|厅长|处长|副主席|主席|校长|院长|总经理|董事长|会长|秘书长|理事长|常委|负责人|司令员|政委|总裁|行长|检察长|"
    r"庭长|所长|社长|总编辑|主编|委员|督学|巡视员|调研员)"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄"
    "聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙"
    "荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封储傅阎赖"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "公孙", "慕容", "尉迟", "长孙", "宇文", "司徒")
HEADLINE_SPEAKER = re.compile(
    rf"^(?P<office>[\u4e00-\u9fff、]{{0,24}}?{OFFICE})\s*(?P<name>[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){{1,3}}?)\s*[:：]\s*(?P<rest>.+)$"
)
BYLINE_SPEAKER = re.compile(
    rf"^[□■◎●▲△○◇◆★☆—–\-\s]*(?P<office>[\u4e00-\u9fff（）()、]{{0,30}}?{OFFICE})\s*(?P<name>[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){{1,3}})"
    r"\s*(?:[（(]\s*[\d一二三四五六七八九十〇○零]{2,4}\s*年[^()（）]{2,12}日\s*[)）])?\s*$"
)
"""A speaker line: "焦作市委书记  王小平", "□中共荆州市委书记 吴 锦", "县委书记 张建国（2023年1月5日）"."""
_SPEECH_WORD = r"(?:总结|动员|主旨|重要|即席|开幕|闭幕)?(?:讲话|致辞|发言|报告|主持词|表态发言)"
OCCASION = re.compile(
    r"^[—–-]*\s*(?:[\u4e00-\u9fff、·]{1,30}?)?在(?P<occ>.{2,80}?)(?:上|中)的"
    + _SPEECH_WORD + r"(?:稿|全文|提纲|材料|范文)?\s*(?:[（(【\[][^）)】\]]{0,12}[）)】\]])?\s*$"
)
"""A title (or a "——在…上的讲话" subtitle) that *is* "…在<meeting>上的讲话": the whole line, so that
"学习…同志在…座谈会上的讲话精神体会" (a note about a speech) names no occasion of its own."""
HEADLINE_AT = re.compile(
    rf"^(?:(?P<office>[\u4e00-\u9fff、]{{0,24}}?{OFFICE})\s*(?P<name>[\u4e00-\u9fff]{{2,4}}?)(?:同志)?"
    rf"|(?P<comrade>[\u4e00-\u9fff]{{2,4}}?)同志)\s*(?P<rest>在.{{2,80}}?(?:上|中)的{_SPEECH_WORD}.*)$"
)
"""Speaker named before 在 in a title: "市长王小平在…上的讲话", "王小平同志在…上的讲话" (a bare
name needs 同志: "全市在…" must not read as a person).  The title is what follows: "在…上的讲话"."""
SUBTITLE_DASH = re.compile(r"^[—–-]{1,2}")
DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)")
CN_DATE = re.compile(r"(?P<y>[一二三四五六七八九〇○零]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")
"""二〇二三年二月十五日: how official texts date a speech."""
DATELINE = re.compile(
    r"^[（(]?\s*(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[一二三四五六七八九〇○零]{4}\s*年"
    r"\s*[一二三四五六七八九十]{1,2}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)\s*[)）]?$"
)
"""A line under the title that is nothing but the day the speech was given: "（2023年3月10日）"."""
SOURCE = re.compile(
    r"(?:来源|出处|稿源)\s*[:：]\s*(?P<src>[^\s|｜/,，。;；:：()（）【】\[\]]{2,30})"
    r"|^[（(【\[]?\s*(?:转自|转载自|本文转自|文章转自|转载于|摘自|选自)\s*[:：]?\s*(?P<via>[^\s|｜/,，。;；:：()（）【】\[\]]{2,30})"
)
"""A source label and its value: 来源：/原文来源：/信息来源：/稿源：/出处：…, or a line that says where it was taken
from (转自：…, 摘自《…》)."""
SOURCE_START = re.compile(
    r"^\s*[（(【\[]?\s*(?:来源|稿源|出处|本文来源|原文来源|文章来源|信息来源|稿件来源|新闻来源|消息来源|转自|转载自)\s*[:：]"
)
"""A line that starts with a source label: read anywhere on the page when nothing nearer the text states one."""
REPRINT_MARK = re.compile(
    r"^\s*(?:[【\[［(（〔]\s*(?:转帖|转载|转|原创|推荐|精华|置顶|荐|转贴|分享|整理)\s*[】\]］)）〕]\s*|(?:转帖|转载|转贴)\s*[:：]\s*)+"
    r"|\s*[【\[［(（]\s*(?:转帖|转载|转|转贴)\s*[】\]］)）]\s*$"
)
"""Reprint and forum markers around a headline: 【转帖】…, [转载]…, 转载：…, …(转)."""
NAME_PREFIX = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,3})\s*[:：]\s*(?P<rest>\S.{3,})$")
"""A headline that opens with a bare name: "张建国：以钉钉子精神抓好各项任务落实"."""
SALUTATION = re.compile(
    r"^(?:同志们|各位|尊敬的|老师们|同学们|女士们|先生们|朋友们|亲爱的|大家好)[^。！？!?]{0,40}[:：，,！!]?$"
)
"""How a speech opens: 同志们：, 各位代表、各位来宾：, 尊敬的…"""
DATE_LABEL = re.compile(r"发表|发布|(?<!注册)时间|日期|更新|上传|posted|published", re.I)
"""A line whose date is the day the text was posted (注册时间 is a member's, not the post's)."""
NOT_POST_DATE = re.compile(r"注册|出生|生日|到期|截止|有效期")
META_DATE_NAMES = ("article:published_time", "og:published_time", "publishdate", "pubdate", "publish_date",
                   "publishdate", "dc.date", "dc.date.issued", "date", "weibo:article:create_at", "sailthru.date")
TITLE_PAGINATION = re.compile(r"\s*(?:[（(]\s*第\s*\d+\s*/\s*\d+\s*页\s*[)）]|[（(_-]?\s*第\s*\d+\s*页\s*[)）]?)\s*$")


def strip_pagination(text: str) -> str:
    """``text`` without its page-number suffix ((第2/3页), _第2页).  Every suffix holds 页, so a text without one
    skips the search: TITLE_PAGINATION starts with ``\\s*``, so ``re`` tries it at every position (15 us a line)."""
    return TITLE_PAGINATION.sub("", text) if "页" in text else text


TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|tit|headline|biaoti|bt)(?:$|[\s_-])", re.I)
"""Class or id of an element that holds the headline (div.arc-tit, p.article-title, h1.bt)."""
TITLE_SEPARATORS = re.compile(r"\s*[_|｜]\s*|\s+[-—–]{1,2}\s+|\s*[-—–]{2}\s*")
