"""One enterprise row → clean column values or errors by field. Pages, the API and the bulk
importer all call ``validate_enterprise_row``, so each rule is written once.

Uniqueness of the credit code is not checked here (it needs the database and, for an import,
the rest of the file): ``enterprises.create_enterprise`` and the importer do that.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import select

from policies.vocab import parse_industry_code
from tenant_app.context import Context
from tenant_app.core import row_fields as f
from tenant_app.core import uscc as uscc_rules
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import Industry, Tenant
from tenant_app.models.enterprise import ENTERPRISE_TAGS, PERMIT_CLASSES, SUPERVISION_CATEGORIES
from tenant_app.policy.service import policy_for

BOOL_FIELDS = (
    "permit_violating",
    "needs_monitoring",
    "key_discharger",
    "online_monitoring_required",
    "online_monitoring_installed",
    "online_monitoring_networked",
    "construction_project",
)
# Facts that may be unknown: blank stays None and the screening answers "cannot judge".
UNKNOWN_OK_FIELDS = ("procedures_complete", "facilities_running", "pollutants_compliant")
TEXT_FIELDS = {
    "name": 200,
    "address": 255,
    "legal_representative": 64,
    "contact_phone": 32,
    "permit_no": 64,
}
FIELDS = (
    "uscc",
    *TEXT_FIELDS,
    "county_tenant_id",
    "industry_code",
    "permit_class",
    "permit_valid_from",
    "permit_valid_to",
    *BOOL_FIELDS,
    *UNKNOWN_OK_FIELDS,
    "supervision_category",
    "tags",
)
# Defaults of fields a row may leave out (a blank CSV cell or a missing JSON key).
DEFAULTS: dict[str, Any] = {"needs_monitoring": True}
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")


@dataclass
class RowContext:
    """Lookups a row needs, loaded once (an import validates 100,000 rows against one)."""

    industry_codes: frozenset[str]
    counties: dict[str, int] = field(default_factory=dict)  # id / slug / name / code → id
    tenant: Tenant | None = None  # whose policy a refusal cites
    on: date | None = None

    @classmethod
    def load(cls, ctx: Context) -> RowContext:
        codes = frozenset(db.session.execute(select(Industry.code)).scalars())
        counties: dict[str, int] = {}
        if ctx.tenant_id is not None:
            for t in db.session.execute(
                select(Tenant).where(Tenant.parent_id == ctx.tenant_id)
            ).scalars():
                for key in (str(t.id), t.slug, t.name, t.division_code):
                    counties[key] = t.id
        return cls(industry_codes=codes, counties=counties, tenant=ctx.tenant, on=ctx.today)

    @cached_property
    def procedure_only_refusal(self) -> str:
        """The refusal of a row that sets or clears the listed status, citing the rules of the
        tenant's own policy. Asked only when a row is refused for it: most rows never are."""
        rule_ids: tuple[str, ...] = ()
        if self.tenant is not None:
            # No policy in force (no pack chosen yet): the refusal stands, citing no rule.
            with contextlib.suppress(ServiceError):
                rule_ids = policy_for(self.tenant, self.on).listed_status_rules().rule_ids
        return listed_by_procedure_only(rule_ids)


def normalise_industry(raw: Any) -> str | None:
    """ "2614" / "c2614" / "C2614" → "C2614" (None when not of GB/T 4754-2017 shape)."""
    parsed = parse_industry_code(str(raw)) if not f.blank(raw) else None
    return None if parsed is None else parsed[0] + parsed[1]


def _industry(raw: Any, rows: RowContext) -> str | None:
    if f.blank(raw):
        return None
    code = normalise_industry(raw)
    if code is None:
        raise f.FieldProblem(
            f"“{raw}”不是国民经济行业分类（GB/T 4754-2017）代码，例如 C2614 或 2614"
        )
    if code not in rows.industry_codes:
        division = code[:3] if len(code) > 3 else ""
        hint = f"，可填写其所属大类 {division}" if division in rows.industry_codes else ""
        raise f.FieldProblem(
            f"行业代码 {code} 不在行业目录中（目录含全部门类、大类及政策包涉及的小类）{hint}"
        )
    return code


def _county(raw: Any, rows: RowContext) -> int | None:
    if f.blank(raw):
        return None
    key = str(raw).strip()
    if key not in rows.counties:
        raise f.FieldProblem(f"“{key}”不是本单位的下级区划（可填下级单位的名称或行政区划代码）")
    return rows.counties[key]


def _tags(raw: Any) -> list[str]:
    if f.blank(raw):
        return []
    items = raw if isinstance(raw, list | tuple) else _TAG_SPLIT.split(str(raw).strip())
    out: list[str] = []
    for item in items:
        tag = f.choice(item, ENTERPRISE_TAGS)
        if tag and tag not in out:
            out.append(tag)
    return out


def _uscc(raw: Any) -> str:
    code, problem = uscc_rules.check("" if raw is None else str(raw))
    if problem:
        raise f.FieldProblem(problem)
    return code


def validate_enterprise_row(
    row: dict[str, Any], rows: RowContext
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(clean values by column, errors by field). Accepts "county" for "county_tenant_id"."""
    if "county_tenant_id" not in row and "county" in row:
        row = {**row, "county_tenant_id": row["county"]}
    c = f.Collector()
    c.add("uscc", _uscc, row.get("uscc"))
    c.add("name", f.text, row.get("name"), TEXT_FIELDS["name"], required=True, label="企业名称")
    for name in ("address", "legal_representative", "contact_phone", "permit_no"):
        c.add(name, f.text, row.get(name), TEXT_FIELDS[name])
    c.add("county_tenant_id", _county, row.get("county_tenant_id"), rows)
    c.add("industry_code", _industry, row.get("industry_code"), rows)
    c.add("permit_class", f.choice, row.get("permit_class"), PERMIT_CLASSES)
    c.add("permit_valid_from", f.a_date, row.get("permit_valid_from"))
    c.add("permit_valid_to", f.a_date, row.get("permit_valid_to"))
    for name in BOOL_FIELDS:
        value = row.get(name)
        c.add(name, f.boolean, DEFAULTS.get(name, False) if f.blank(value) else value)
    for name in UNKNOWN_OK_FIELDS:
        c.add(name, f.optional_boolean, row.get(name))
    category = row.get("supervision_category")
    c.add(
        "supervision_category",
        registry_category,
        "general" if f.blank(category) else category,
        rows,
    )
    c.add("tags", _tags, row.get("tags"))
    _consistency(c)
    return c.clean, c.errors


# "Listed" (正面清单企业) is the outcome of the procedure's publication and ends only with its
# removal or expiry (issue 11 item 6): registry edits and imports can neither set nor clear it.
PROCEDURE_ONLY_CATEGORIES = ("listed",)


def listed_by_procedure_only(rule_ids: tuple[str, ...] | list[str]) -> str:
    """The refusal, citing the rules (of the tenant's pack) that own the listed status."""
    cited = f"（{'、'.join(rule_ids)}）" if rule_ids else ""
    return (
        "“正面清单企业”只能经纳入程序正式发布取得、经移出或有效期届满结束，"
        f"不能在企业登记信息或导入中设置或取消{cited}"
    )


def registry_category(value: Any, rows: RowContext) -> str | None:
    """A supervision category the registry may set: not one only the procedure sets."""
    key = f.choice(value, SUPERVISION_CATEGORIES, required=True, label="监管类别")
    if key in PROCEDURE_ONLY_CATEGORIES:
        raise f.FieldProblem(rows.procedure_only_refusal)
    return key


def _consistency(c: f.Collector) -> None:
    """Rules across fields, checked only when the fields themselves are fine."""
    v, ok = c.clean, (lambda *names: all(n in c.clean for n in names))
    if (
        ok("permit_valid_from", "permit_valid_to")
        and v["permit_valid_from"]
        and v["permit_valid_to"]
        and v["permit_valid_from"] > v["permit_valid_to"]
    ):
        c.fail("permit_valid_to", "有效期截止日期不能早于起始日期")
    if ok("permit_class", "permit_no"):
        if v["permit_no"] and not v["permit_class"]:
            c.fail("permit_class", "填写了许可证（登记）编号，请选择许可管理类别")
        if v["permit_class"] == "not_required" and v["permit_no"]:
            c.fail("permit_no", "依法无需许可或登记的企业不应填写许可证编号")
    if (
        ok("permit_class", "permit_no", "permit_valid_to")
        and v["permit_class"] in ("key", "simplified")
        and v["permit_no"]
        and not v["permit_valid_to"]
    ):
        c.fail("permit_valid_to", "持证企业请填写许可证有效期截止日期")
    if (
        ok("online_monitoring_installed", "online_monitoring_networked")
        and v["online_monitoring_networked"]
        and not v["online_monitoring_installed"]
    ):
        c.fail("online_monitoring_networked", "未安装在线监控设备，不能标为已联网")
