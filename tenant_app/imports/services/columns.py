"""Which column of an uploaded sheet is which field: Chinese titles (and the English field names).

The first title of each field is its canonical label: it heads the downloadable template and
names a column in the error report when the file has no such column (a rule across fields may
blame one the clerk left out). Titles are compared after NFKC, so full-width brackets and
spaces typed by a Chinese input method still match.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tenant_app.models.records import DATE_LABELS, RECORD_KINDS
from tenant_app.registry.services.record_rows import (
    COMMON,
    FIELD_LABELS,
    KIND_FIELDS,
    REQUIRED_TEXT,
)

ENTERPRISES = "enterprises"
ENTERPRISE_TITLES: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "name": ("企业名称", "单位名称", "名称"),
    "address": ("地址", "企业地址", "生产经营地址", "注册地址"),
    "county": ("所属下级区划", "所属区县", "区县", "下级区划"),
    "industry_code": ("行业代码", "国民经济行业代码", "行业分类代码", "行业类别代码"),
    "legal_representative": ("法定代表人",),
    "contact_phone": ("联系电话",),
    "permit_class": ("许可管理类别", "排污许可管理类别"),
    "permit_no": ("许可证（登记）编号", "许可证编号", "排污许可证编号", "登记编号"),
    "permit_valid_from": ("许可证有效期起", "有效期起", "有效期自"),
    "permit_valid_to": ("许可证有效期止", "有效期止", "有效期至"),
    "permit_violating": ("未按证排污",),
    "procedures_complete": ("环保手续齐全",),
    "facilities_running": ("设施齐备正常运行",),
    "pollutants_compliant": ("主要污染物达标",),
    "needs_monitoring": ("需开展监测",),
    "key_discharger": ("重点排污单位",),
    "online_monitoring_required": ("应安装在线监控",),
    "online_monitoring_installed": ("已安装在线监控",),
    "online_monitoring_networked": ("在线监控已联网",),
    "supervision_category": ("监管类别",),
    "construction_project": ("建设项目",),
    "tags": ("特殊标识", "标签"),
}
# Online-monitoring anomalies (issue 16, SX-1): read by the warnings upload through open_sheet,
# written by the warnings intake service (not one of kinds(): it has its own page).
MONITORING = "monitoring"
MONITORING_TITLES: dict[str, tuple[str, ...]] = {
    "uscc": ENTERPRISE_TITLES["uscc"],
    "permit_no": ENTERPRISE_TITLES["permit_no"],
    "point": ("监测点位", "点位", "排放口"),
    "pollutant": ("监测因子", "污染物", "因子"),
    "kind": ("异常类型", "类型"),
    "observed_on": ("发现日期", "监测日期", "日期"),
    "value": ("监测值", "浓度"),
    "limit_value": ("标准限值", "限值"),
    "unit": ("单位",),
    "note": ("说明", "备注"),
    "resolved_on": ("恢复正常日期", "恢复日期"),
}
# Fine payments from the payment platform (issue 15, SX-13): read by the enforcement upload through
# open_sheet, written by enforcement.services.payment_import (its own page, not one of kinds()).
PAYMENTS = "payments"
PAYMENT_TITLES: dict[str, tuple[str, ...]] = {
    "decision_no": ("决定书文号", "处罚决定书文号", "文号"),
    "paid_on": ("缴款日期", "到账日期", "日期"),
    "amount": ("缴款金额（元）", "缴款金额", "金额"),
    "reference": ("缴款流水号", "流水号", "交易号"),
    "note": ("备注", "说明"),
}
# Error fields that are not column names (the validator renames "county").
FIELD_ALIASES = {"county_tenant_id": "county"}
# Columns a file must have; without them not one row could be valid.
REQUIRED = {
    ENTERPRISES: ("uscc", "name"),
    MONITORING: ("uscc", "point", "pollutant", "kind", "observed_on"),
    PAYMENTS: ("decision_no", "paid_on", "amount", "reference"),
}
RECORD_REQUIRED = ("uscc", "record_date", "source")


def kinds() -> dict[str, str]:
    """What can be imported: enterprises, or one kind of compliance record."""
    return {ENTERPRISES: "企业名录", **{k: f"合规记录：{v}" for k, v in RECORD_KINDS.items()}}


def record_titles(kind: str) -> dict[str, tuple[str, ...]]:
    """The record validator's own labels (record_rows) are the titles, kind-specific first."""
    need = REQUIRED_TEXT.get(kind, {})
    out: dict[str, tuple[str, ...]] = {
        "uscc": ENTERPRISE_TITLES["uscc"],
        "enterprise_name": ("企业名称",),  # for the clerk's eyes only; the code decides
    }
    for name in (*COMMON, *KIND_FIELDS[kind]):
        titles = [need.get(name, ""), FIELD_LABELS[name]]
        if name == "record_date":
            titles.insert(0, DATE_LABELS[kind])
        if name == "source":
            titles.append("来源（信息出处）")
        out[name] = tuple(dict.fromkeys(t for t in titles if t))
    return out


def titles_for(kind: str) -> dict[str, tuple[str, ...]]:
    if kind == MONITORING:
        return MONITORING_TITLES
    if kind == PAYMENTS:
        return PAYMENT_TITLES
    return ENTERPRISE_TITLES if kind == ENTERPRISES else record_titles(kind)


def required_for(kind: str) -> tuple[str, ...]:
    return REQUIRED.get(kind, RECORD_REQUIRED)


def norm(title: str) -> str:
    text = unicodedata.normalize("NFKC", title or "")
    return "".join(text.split()).strip("*").lower()


def letter(index: int) -> str:
    """0 → A, 27 → AB: how a spreadsheet names the column."""
    out, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class Column:
    index: int
    title: str  # as written in the file
    field: str | None  # None: not a column of this kind (ignored, and said so)

    @property
    def letter(self) -> str:
        return letter(self.index)


def resolve_header(kind: str, header: list[str]) -> list[Column]:
    lookup: dict[str, str] = {}
    for name, titles in titles_for(kind).items():
        lookup[norm(name)] = name
        for t in titles:
            lookup.setdefault(norm(t), name)
    taken: set[str] = set()
    out = []
    for i, title in enumerate(header):
        field: str | None = lookup.get(norm(title))
        if field in taken:  # a second column for the same field would silently win: ignore it
            field = None
        if field:
            taken.add(field)
        out.append(Column(i, title, field))
    return out


def label(kind: str, field: str) -> str:
    titles = titles_for(kind).get(FIELD_ALIASES.get(field, field))
    return titles[0] if titles else field
