"""Believable Chinese names for demo rows: companies, people, addresses, phone numbers, and
valid unified social credit codes. Every function takes the caller's ``random.Random`` so the
demo is the same for the same seed (and the same day)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tenant_app.core.uscc import ALPHABET, with_check_digit


@dataclass(frozen=True)
class Trade:
    """An industry as the demo uses it: a GB/T 4754-2017 code of the catalog, the words a
    company of that trade puts in its name, and how the permit regime usually treats it."""

    code: str
    words: tuple[str, ...]
    permit: str  # PERMIT_CLASSES key most enterprises of the trade hold
    weight: int  # how common the trade is in the demo population
    key_discharger: float = 0.0  # share that are 重点排污单位
    construction: bool = False


# Codes are all in tenant_app/catalogs/gbt4754_2017.csv. Some trades are XJ-X exclusions on
# purpose (D4417 waste-to-energy, D4620 city sewage works, N7724 hazardous-waste disposal, some
# C26 key hazardous-chemical units), tagged with their designation (registry.DESIGNATED), so the
# screening shows "不得纳入（行业）" as well.
TRADES: tuple[Trade, ...] = (
    Trade("C13", ("粮油", "农产品加工", "肉类食品", "饲料"), "simplified", 8),
    Trade("C14", ("食品", "乳业", "果业", "调味品"), "simplified", 7),
    Trade("C15", ("酒业", "饮品", "啤酒", "葡萄酒业"), "simplified", 4),
    Trade("C17", ("纺织", "棉纺", "毛纺"), "simplified", 4),
    Trade("C21", ("家具",), "registration", 3),
    Trade("C22", ("纸业", "包装材料"), "key", 3, 0.6),
    Trade("C23", ("彩印", "印务"), "registration", 3),
    Trade("C2614", ("化工", "精细化工"), "key", 3, 0.8),
    Trade("C2822", ("化纤", "新材料"), "key", 2, 0.5),
    Trade("C27", ("药业", "制药", "生物制药"), "key", 3, 0.4),
    Trade("C29", ("塑业", "橡塑制品", "管业"), "registration", 5),
    Trade("C3011", ("水泥", "建材"), "key", 3, 0.8),
    Trade("C30", ("建材", "玻璃", "陶瓷", "混凝土"), "simplified", 6),
    Trade("C31", ("钢铁", "特钢", "铸造"), "key", 2, 0.9),
    Trade("C32", ("铝业", "铜业", "有色金属"), "key", 2, 0.8),
    Trade("C33", ("金属制品", "五金", "钢结构"), "registration", 6),
    Trade("C34", ("机械", "重工", "阀门"), "registration", 6),
    Trade("C36", ("汽车零部件", "专用车"), "simplified", 3),
    Trade("C38", ("电气", "电缆", "电力设备"), "registration", 4),
    Trade("C39", ("电子科技", "光电"), "registration", 3),
    Trade("C42", ("再生资源", "资源循环利用"), "simplified", 3),
    Trade("C25", ("焦化", "石化", "煤化工"), "key", 2, 0.9),
    Trade("B06", ("煤业", "矿业"), "key", 2, 0.6),
    Trade("B10", ("砂石", "矿业"), "registration", 2),
    Trade("D4411", ("热电", "发电"), "key", 2, 1.0),
    Trade("D4412", ("热电联产", "供热"), "key", 2, 1.0),
    Trade("D4415", ("风电", "新能源"), "not_required", 2),
    Trade("D4416", ("光伏发电", "新能源"), "not_required", 2),
    Trade("D4417", ("环保能源",), "key", 1, 1.0),
    Trade("D4620", ("水务", "污水处理"), "key", 2, 1.0),
    Trade("N7724", ("危废处置", "环境治理"), "key", 1, 1.0),
    Trade("D45", ("燃气", "天然气"), "registration", 2),
    Trade("E48", ("路桥建设", "建设工程"), "not_required", 3, 0.0, True),
    Trade("H62", ("餐饮管理",), "registration", 3),
    Trade("O81", ("汽车维修", "汽车服务"), "registration", 4),
    Trade("Q84", ("医院",), "simplified", 1),
)

SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
BRANDS = (
    "鑫源", "恒泰", "宏达", "华盛", "瑞丰", "兴业", "金诚", "永盛", "德润", "中联", "新元", "嘉禾",
    "润通", "天成", "远航", "富源", "益民", "和顺", "安泰", "正大", "博远", "昌盛", "凯瑞", "华信",
    "广汇", "众合", "荣达", "利民", "泰和", "建恒", "同心", "汇丰", "长青", "信达", "鼎盛", "三友",
)  # fmt: skip
PLACES = {
    "xj": (
        "新疆", "乌鲁木齐", "天山", "天润", "昆仑", "博格达", "雪莲", "西域", "丝路", "红山",
        "准噶尔", "亚欧", "金疆", "北庭", "米东", "达坂城", "高昌", "天池", "南山", "水磨沟",
    ),
    "sx": (
        "山西", "太原", "晋阳", "并州", "龙城", "汾河", "晋源", "小店", "三晋", "太行",
        "晋祠", "清徐", "迎泽", "晋中", "吕梁", "尖草坪", "阳曲", "娄烦", "古交", "晋北",
    ),
}  # fmt: skip
# Streets and parks by city; a county tenant's enterprises sit in its own district.
STREETS = {
    "xj-urumqi": (
        "经济技术开发区（头屯河区）维泰南路", "甘泉堡经济技术开发区纬七路",
        "米东区化工园区米东北路", "新市区北京南路", "沙依巴克区西山路", "水磨沟区南湖东路",
        "高新技术产业开发区（新市区）河北东路", "达坂城区达坂城镇工业园",
    ),
    "xj-urumqi-tianshan": (
        "天山区新华南路", "天山区延安路", "天山区和平南路", "天山区东环路", "天山区幸福路",
    ),
    "sx-taiyuan": (
        "山西转型综合改革示范区学府园区长治路", "尖草坪区太原不锈钢产业园区",
        "清徐县精细化工循环经济园区", "万柏林区西矿街", "晋源区晋祠路", "杏花岭区胜利街",
        "阳曲县经济技术开发区", "迎泽区并州南路",
    ),
    "sx-taiyuan-xiaodian": (
        "小店区龙城大街", "小店区许坦东街", "小店区北营南路", "小店区太榆路", "小店区真武路",
    ),
}  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国伟强军平华明志红丽敏静燕芳杰涛斌超勇磊鹏辉刚宇浩然文博雪梅玉兰海峰晓东新民亚楠瑞雪"
UYGHUR_NAMES = (
    "艾尔肯·吐尔逊", "阿不都热合曼·买买提", "古丽娜尔·艾力", "热依拉·阿不都", "买买提江·托合提",
    "迪丽努尔·吾斯曼", "努尔兰·哈力克", "阿依古丽·卡德尔",
)  # fmt: skip
AREA_CODES = {"xj": "0991", "sx": "0351"}
# 行政区划 in a name (GB/T 2260 names as companies register them); 字号 come from PLACES/BRANDS.
ADMIN = {"xj": ("新疆", "新疆", "乌鲁木齐", "乌鲁木齐市"), "sx": ("山西", "山西", "太原", "太原市")}


def province_of(slug: str) -> str:
    return slug.split("-", 1)[0]


def person(rng: random.Random, slug: str = "") -> str:
    if province_of(slug) == "xj" and rng.random() < 0.2:
        return rng.choice(UYGHUR_NAMES)
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def phone(rng: random.Random, slug: str) -> str:
    if rng.random() < 0.4:
        return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return f"{AREA_CODES[province_of(slug)]}-{rng.randrange(2_000_000, 9_999_999)}"


def address(rng: random.Random, slug: str) -> str:
    return f"{rng.choice(STREETS[slug])}{rng.randrange(1, 899)}号"


def company_name(rng: random.Random, slug: str, trade: Trade, taken: set[str]) -> str:
    """e.g. 乌鲁木齐博格达化工有限公司: 行政区划 + 字号 + trade word + legal form, unique."""
    prov = province_of(slug)
    marks = PLACES[prov][4:] + BRANDS
    for _ in range(50):
        admin = rng.choice(ADMIN[prov])
        mark = rng.choice(marks)
        name = f"{admin}{mark}{rng.choice(trade.words)}{rng.choice(SUFFIXES)}"
        if trade.code == "Q84":
            name = f"{admin}{mark}{rng.choice(('中医', '骨科', '妇产', '康复'))}医院有限公司"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of demo company names")  # pragma: no cover


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) in the modern "MA" form, with its check
    character, which GB 32100 puts at positions 9–17 of the credit code."""
    body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, division_code: str, taken: set[str]) -> str:
    """A valid 统一社会信用代码: 9 (工商) 1 (企业), the division code, the organisation code,
    and the GB 32100 check character (stdnum.cn.uscc accepts it)."""
    while True:
        org = _org_code(rng)
        if all(c in ALPHABET for c in org):
            code = with_check_digit(f"91{division_code}{org}")
            if code not in taken:
                taken.add(code)
                return code


def pick_trade(rng: random.Random) -> Trade:
    return rng.choices(TRADES, weights=[t.weight for t in TRADES])[0]
