"""Closed vocabularies a pack may use (role, trigger, level, record and flag names) and
GB/T 4754-2017 industry-code helpers. A name outside these lists is refused by the schema."""

from __future__ import annotations

import re

# Same names as tenant_app.auth.roles.Role (kept here so that policies/ stays import-free of the app).
ROLES: dict[str, str] = {
    "superadmin": "平台超级管理员",
    "tenant_admin": "租户管理员",
    "officer": "执法人员",
    "agency_head": "执法机构负责人",
    "deputy_head": "分管领导",
    "principal_head": "主要负责人",
    "legal_reviewer": "法制审核人员",
    "auditor": "稽查人员",
    "enterprise": "企业用户",
}

LEVELS: dict[str, str] = {"province": "省级", "city": "市级", "county": "县级"}

# Why an inspection happens.
TRIGGERS: dict[str, str] = {
    "proactive": "主动检查（计划内）",
    "random_draw": "“双随机”抽查",
    "special_campaign": "专项执法检查",
    "complaint": "群众投诉举报",
    "media": "媒体曝光",
    "assignment": "上级交办、转办交办",
    "monitoring_anomaly": "在线监测数据异常或超标",
    "data_lead": "数据监测等非现场手段发现的线索",
    "enterprise_request": "应企业申请",
    "joint": "配合其他部门开展的联合检查",
    "follow_up": "整改核查",
}

# The inspection categories packs set ratios and caps for (tenant_app.registry.services.enterprise_facts
# .category_of): key dischargers, the ordinary, special and positive-list supervision objects.
INSPECTION_CATEGORIES: dict[str, str] = {
    "key": "重点排污单位",
    "general": "一般监管对象",
    "special": "特殊监管对象",
    "listed": "正面清单企业",
}

# Dated records in EnterpriseFacts, by the name packs use in ``record_types``.
RECORD_TYPES: dict[str, str] = {
    "penalty": "行政处罚",
    "coercive_measure": "行政强制",
    "judicial_transfer": "移送司法机关",
    "criminal_judgment": "刑事判决",
    "incident": "突发环境事件",
    "complaint": "信访投诉",
}

# 突发环境事件 levels, lowest first (一般 < 较大 < 重大 < 特别重大).
INCIDENT_LEVELS: tuple[str, ...] = ("general", "larger", "major", "especially_major")

CREDIT_LISTS: dict[str, str] = {
    "abnormal_operations": "经营异常名录",
    "serious_dishonesty": "严重违法失信名单",
}

PERMIT_STATUSES: dict[str, str] = {
    "permit": "持有有效排污许可证",
    "registration": "已排污登记",
    "not_required": "依法无需许可或登记",
    "expired": "许可证已过期",
    "missing": "应当取得而未取得",
    "violating": "未按证排污",
}

# Facts about a violation, used by discretion treatments (SX-11/12/13, XJ-T/H).
VIOLATION_FLAGS: dict[str, str] = {
    "first_violation": "初次违法",
    "minor_harm": "危害后果轻微",
    "corrected_promptly": "及时改正",
    "non_intentional": "非主观过错",
    "self_reported": "主动报告",
    "promptly_eliminated": "采取有效措施及时消除",
    "risk_reported_handled": "风险隐患及时报告并妥善处置",
    "no_harm": "未造成危害后果",
    "on_exemption_list": "符合免予处罚/轻微违法不予处罚事项清单",
    # Not a fact of the conduct but of the party on the day of the proposal: a positive-list
    # rule's treatment (XJ-T 容错纠错) names it among its conditions; the case sets it from the
    # listing's own status (listing.services.listed_status).
    "listed": "正面清单企业",
    "malicious": "恶意违法（恶意偷排、篡改台账、逃避监管）",
    "unreported_exceedance": "管理不善导致超标排放且未主动报告",
    "falsification": "弄虚作假",
    "secret_discharge": "偷排偷放",
    "unpermitted_discharge": "无证排污",
    "exceeding_standards": "超标超总量排放",
    "facilities_not_running": "不正常运行治污设施",
    "ignored_weather_limits": "未落实重污染天气管控停限产措施",
    "suspected_crime": "涉嫌犯罪",
}

OUTCOMES: dict[str, str] = {
    "no_penalty": "不予行政处罚",
    "no_or_reduced": "不予或减轻行政处罚",
    "standard": "按裁量基准处罚",
    "heavier": "依法从严从重处罚",
}

CONSEQUENCES: dict[str, str] = {
    "order_correction": "责令改正或限期改正",
    "education": "履行教育义务",
    "transfer_if_criminal": "涉嫌犯罪的移送公安机关",
    "removal": "移出正面清单",
    "special_supervision_object": "列入“双随机、一公开”特殊监管对象",
    "disclosure": "向社会公开",
    "raise_frequency": "提高日常监管频次",
}

# GB/T 4754-2017 sections by two-digit division.
_SECTION_RANGES: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)
INDUSTRY_CODE_RE = re.compile(r"^(?P<section>[A-T])?(?P<digits>\d{2,4})?$")


def section_of_division(division: int) -> str | None:
    for section, lo, hi in _SECTION_RANGES:
        if lo <= division <= hi:
            return section
    return None


def parse_industry_code(code: str) -> tuple[str, str] | None:
    """``"D4417"`` -> ``("D", "4417")``; ``"4620"`` -> ``("D", "4620")``; ``"C"`` -> ``("C", "")``.

    None when the code does not have GB/T 4754-2017 shape (a section letter A-T, 2-4 digits, or a
    letter followed by 2-4 digits whose division belongs to that section).
    """
    m = INDUSTRY_CODE_RE.match(code.strip().upper()) if code else None
    if not m or not (m.group("section") or m.group("digits")):
        return None
    digits = m.group("digits") or ""
    section = m.group("section")
    if digits:
        derived = section_of_division(int(digits[:2]))
        if derived is None or (section and section != derived):
            return None
        section = derived
    return section or "", digits


def industry_matches(code: str | None, prefix: str) -> bool:
    """True when enterprise industry ``code`` falls under pack code ``prefix`` (prefix match)."""
    if not code:
        return False
    have, want = parse_industry_code(code), parse_industry_code(prefix)
    if have is None or want is None:
        return False
    return have[0] == want[0] and have[1].startswith(want[1])
