"""Word lists the sandbox uses to vary generated articles (titles, speakers, places, filler).

They are plain data so that a maintainer can extend them without touching the generator; the
place names are deliberately a mix of ordinary county/city names and the seeds' own cities.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

TOPICS = (
    "高质量发展", "开发区建设", "精神文明建设", "干部教育培训", "县域经济发展", "农村基层党建", "审计",
    "百城建设提质", "优化营商环境", "乡村振兴", "工业经济", "招商引资", "安全生产", "城市管理",
    "文明城市创建", "生态环境保护", "宣传思想", "经济", "项目建设", "党风廉政建设", "民营经济发展",
    "脱贫攻坚", "科技创新", "教育", "信访稳定", "人才", "国土空间规划", "河湖长制", "消防安全",
    "疫情防控", "重点项目观摩", "作风建设", "组织", "政法", "统战", "农业农村", "城市更新",
)
MEETINGS = ("工作会议", "动员大会", "推进会", "座谈会", "部署会", "总结表彰大会", "专题会议", "务虚会",
            "现场会", "工作会", "调度会", "誓师大会")
SCOPES = ("全市", "全县", "全区", "全省", "市委", "县委")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚"
GIVEN = ("建国", "志强", "海涛", "卫东", "晓明", "立新", "红梅", "国庆", "文斌", "新华", "永刚", "伟", "锦",
         "军", "勇", "敏", "静", "亮", "涛", "华", "振华", "德胜", "玉兰", "春生", "宏伟", "学军", "金龙",
         "雪峰", "光明", "秀英", "庆丰", "长江", "向阳", "朝晖", "林", "峰", "斌", "刚", "明", "瑞")
PLACES = ("焦作", "荆州", "临江", "青川", "安平", "云溪", "清河", "南湖", "石桥", "金城", "凤岭", "平川",
          "白河", "桐源", "新丰", "长宁", "永安", "西平", "东林", "汉江", "龙泉", "宝丰", "双河", "柳城")
CITY_ROLES = (("市委书记", True), ("市长", False), ("市委副书记", True), ("常务副市长", False),
              ("市人大常委会主任", False), ("市政协主席", False), ("市委常委、组织部长", True),
              ("市委常委、宣传部长", True), ("副市长", False))
COUNTY_ROLES = (("县委书记", True), ("县长", False), ("区委书记", True), ("区长", False),
                ("县委副书记", True), ("区委副书记、区长", True))
SOURCES = ("焦作日报", "荆州日报", "人民网", "网络", "本站原创", "新华网", "中国共产党新闻网", "求是网",
           "河南日报", "湖北日报", "学习强国", "领导文萃")
PAPERS = ("荆州日报", "焦作日报", "荆州晚报", "江汉商报")
EDITORS = ("李娜", "王倩", "张帆", "刘洋", "陈晨", "周静", "黄磊", "吴迪")

# Four-character phrases that city papers pair up as headlines ("狠抓落地转化 重在行动奔跑").
SLOGANS = (
    "狠抓落地转化", "重在行动奔跑", "坚定发展信心", "真抓实干谋发展", "奋力争先进位", "聚力项目建设",
    "勇当开路先锋", "扛牢政治责任", "厚植发展优势", "激发改革活力", "锚定目标不放松", "以实干论英雄",
    "凝心聚力开新局", "守正创新再出发", "全力以赴拼经济", "善作善成见实效", "补齐短板强弱项",
    "抢抓机遇促跨越", "牢记嘱托担使命", "在比学赶超中加压奋进", "以钉钉子精神抓落实",
)

# SEO filler paragraphs that 范文 compilation pages put above the first 篇.
FILLER_INTROS = (
    "在日常学习、工作或生活中,大家总少不了接触讲话稿吧,讲话稿是在特定场合发表讲话的文稿。那么你知道讲话稿要怎么写吗?下面是小编为大家整理的{topic},供大家参考,希望能够帮助到大家。",
    "讲话稿是在较为隆重的仪式上和某些公众场合发表的讲话文稿。在当下社会,讲话稿在我们的视野里出现的频率越来越高,相信很多朋友都对写讲话稿感到非常苦恼吧。以下是小编帮大家整理的{topic},欢迎阅读与收藏。",
    "社交媒体在现代生活中扮演着重要的角色,它不仅为我们提供了交流的渠道,还带来了一系列挑战。写作一篇好的讲话稿需要把握场合与对象。如果大家有任何关于写作方面的问题,都可以随时向我提问。",
    "随着社会一步步向前发展,需要使用讲话稿的场合越来越多,讲话稿具有一定的宣传、鼓动、教育作用。你写讲话稿时总是无从下笔?以下是小编收集整理的{topic},仅供参考,大家一起来看看吧。",
    "在社会发展不断提速的今天,讲话稿与我们的生活息息相关,讲话稿是在特定的情境中,为了表达自己的观点而准备的文稿。为了帮助大家更好地写作,下面是小编精心整理的{topic},希望对大家有所帮助。",
)
CHROME_LINES = (
    "下面是小编为大家整理的,供大家参考。",
    "下面是小编为大家整理的{topic},供大家参考。",
    "以下是小编为大家收集的{topic},仅供参考,欢迎大家阅读。",
)
DOC_SITES = ("众鑫文档网", "明月秘书网", "星星阅读网", "呢子范文网", "好范文网")
DOC_ADS = (
    "下面是{site}小编给大家带来的{title},希望大家喜欢。",
    "下面是{site}小编为您推荐{title}。",
    "下面是{site}小编为您推荐",
)

# 伪原创 ("spun") substitutions seen in the seeds: 城市化→乡村化, 出口→入口, 安全→平安 …
SPIN = (("城市化", "乡村化"), ("出口", "入口"), ("安全", "平安"), ("目前", "当前"), ("努力", "尽力"),
        ("进一步", "更进一步"), ("认真", "仔细"), ("必须", "务必"), ("积极", "踊跃"), ("加快", "加速"),
        ("提高", "提升"), ("工作", "任务"))
# More of the seeds' spins, used only by the fully spun republication (sites/wenmi.py); kept apart from SPIN
# because Writer.spin draws from the generator once per pair, so a longer SPIN would change every spun page.
SPIN_EXTRA = (("不断", "不时"), ("创造", "发明"))
CN_NUMS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """Chinese numeral for 1..99 (篇十九, 二十三)."""
    if n <= 10:
        return CN_NUMS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMS[tens - 1]
    return head + "十" + (CN_NUMS[ones - 1] if ones else "")

# Held-out-style variants (docs/quality.md, honesty check): other wordings of the shapes above.  The
# sites draw them from a random stream of their own, so adding them changed no article's speech text.
DOC_SITES_MORE = ("第一范文网", "工作总结之家", "语文迷网", "文书帮", "好文网", "范文先生网", "公文素材库")
DOC_ADS_MORE = (
    "以下是由{site}编辑为大家整理的{title},欢迎阅读参考。",
    "本文是{site}为大家整理的{title},希望对你有所帮助。",
    "下面是{site}为您精心准备的{title},希望对你有帮助。",
    "想了解更多{title}范文,请访问{site}讲话稿频道。",
)
DOC_ADS_MORE_CUT = ("以下是{site}为大家带来的", "下面是{site}为您整理")
"""Cut off at a paragraph's end, like the truncated 下面是…小编为您推荐."""
FILLER_INTROS_MORE = (
    "在平日的学习、工作和生活里,大家总免不了要接触或使用讲话稿吧,借助讲话稿可以有效提高我们的语言表达能力。那么一般讲话稿是怎么写的呢?以下是我为大家收集的{topic},仅供参考,希望能够帮助到大家。",
    "讲话稿是在特定场合发表讲话的文稿,写好讲话稿要把握好场合、对象和目的。本文是为大家整理的{topic},欢迎阅读与收藏。",
)
CHROME_LINES_MORE = (
    "以下是本站为大家精心整理的{topic},欢迎大家借鉴与参考。",
    "想了解更多{topic}范文,请访问本站讲话稿频道。",
)
