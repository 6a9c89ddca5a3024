"""Oversight statistics of a region's subtree (issue 17 item 2; XJ-A, SX-O).

Every chart is one set-based aggregate over a *base* select (one row per counted object, with
labelled columns: ``tenant_id``, ``obj_id``, ``name``, ``on``, ``kind`` and the chart's own
columns) and a set of *measures* (a condition on the base's columns each). The chart sums each
measure's condition grouped by month or by tenant; its drill-down selects the base rows that meet
one measure's condition in one bucket. Both read the same base, so the drill-down's rows add up
to the chart's figure by construction (tests check it anyway). Tenants are folded into the
selected region's child regions over the aggregate rows (a handful per tenant), never over data.

Who sees what: the reads run in the caller's scope (an oversight role reads its descendants,
never a sibling: guard.py and RLS), and the region filter only narrows inside the subtree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.selectable import Subquery

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError
from tenant_app.core.spreadsheet import safe_row
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    CaseViolation,
    Enterprise,
    EnterpriseWarning,
    Inspection,
    InspectionApproval,
    InspectionPlan,
    OverdueItem,
    RollupRefresh,
    Tenant,
)
from tenant_app.models.inspection import DEAD_STATUSES
from tenant_app.models.listing import ListingEntry, ListingFiling, ListingStep
from tenant_app.oversight.services import rollups

# The longest period one page aggregates (days): bounded work per request.
MAX_PERIOD_DAYS = 3 * 366
DRILL_LIMIT = 500
TOP_ENTERPRISES = 20
MIN_YEAR, MAX_YEAR = 2000, 2100  # dates a filter may name (no overflow at the calendar's ends)
SELF = 0  # the bucket of the selected region's own rows ("本级")


class BadFilter(ServiceError):
    code = "bad_filter"


# --------------------------------------------------------------------------- filters and regions


@dataclass(frozen=True)
class Region:
    id: int
    name: str
    path: str
    level: str
    parent_id: int | None


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    region: Region
    region_ids: tuple[int, ...]  # the selected region and every descendant
    children: tuple[Region, ...]  # its direct children: the per-region buckets
    category: str | None = None  # Enterprise.supervision_category
    industry: str | None = None  # an industry code prefix (GB/T 4754)

    def query(self) -> dict[str, str]:
        """The filters as page parameters (links keep them)."""
        q = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "region": str(self.region.id),
        }
        if self.category:
            q["category"] = self.category
        if self.industry:
            q["industry"] = self.industry
        return q


def subtree(ctx: Context) -> list[Region]:
    """The acting tenant and its descendants: the regions a filter may name."""
    if ctx.tenant is None:
        return []
    rows = db.session.execute(
        select(Tenant.id, Tenant.name, Tenant.path, Tenant.level, Tenant.parent_id)
        .where(Tenant.path.startswith(ctx.tenant.path))
        .order_by(Tenant.path)
    ).all()
    return [Region(*r) for r in rows]


def _date(raw: str | None, field_name: str, label: str, default: date) -> date:
    if raw is None or not str(raw).strip():
        return default
    try:
        day = date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise BadFilter(f"{label}格式不正确", {field_name: ["请填写日期，如 2026-01-31"]}) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadFilter(
            f"{label}超出范围", {field_name: [f"请填写 {MIN_YEAR}—{MAX_YEAR} 年的日期"]}
        )
    return day


def parse_filters(ctx: Context, args: Mapping[str, Any]) -> Filters:
    """Filters from a page's or the API's parameters; a Chinese error naming the field."""
    require_action(ctx, Perm.OVERSIGHT_VIEW)
    today = ctx.today
    start = _date(args.get("start"), "start", "开始日期", date(today.year, 1, 1))
    end = _date(args.get("end"), "end", "结束日期", today)
    if end < start:
        raise BadFilter("结束日期早于开始日期", {"end": ["结束日期不能早于开始日期"]})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadFilter("统计期间过长", {"end": ["统计期间最长三年"]})
    regions = subtree(ctx)
    if not regions:
        raise BadFilter("没有可统计的地区", {"region": ["没有可统计的地区"]})
    chosen = regions[0]
    raw_region = str(args.get("region") or "").strip()
    if raw_region:
        found = [r for r in regions if str(r.id) == raw_region]
        if not found:
            raise BadFilter("地区不在本单位辖区内", {"region": ["请选择本单位辖区内的地区"]})
        chosen = found[0]
    ids = tuple(r.id for r in regions if r.path.startswith(chosen.path))
    children = tuple(r for r in regions if r.parent_id == chosen.id)
    category = str(args.get("category") or "").strip() or None
    from policies.vocab import INSPECTION_CATEGORIES

    if category is not None and category not in INSPECTION_CATEGORIES:
        raise BadFilter("监管类别不正确", {"category": ["请选择列出的监管类别"]})
    industry = str(args.get("industry") or "").strip() or None
    if industry is not None and (len(industry) > 5 or not industry.isalnum()):
        raise BadFilter("行业代码不正确", {"industry": ["请填写国民经济行业分类代码，如 C26"]})
    return Filters(start, end, chosen, ids, children, category, industry)


def bucket_of(f: Filters) -> dict[int, int]:
    """tenant id -> its bucket: the child region whose subtree holds it, or SELF."""
    out: dict[int, int] = {}
    regions = db.session.execute(
        select(Tenant.id, Tenant.path).where(Tenant.id.in_(f.region_ids))
    ).all()
    for tid, path in regions:
        out[tid] = next((c.id for c in f.children if path.startswith(c.path)), SELF)
    return out


def bucket_names(f: Filters) -> list[tuple[int, str]]:
    return [(SELF, f"{f.region.name}（本级）"), *((c.id, c.name) for c in f.children)]


def _tenants_of_bucket(f: Filters, bucket: int) -> list[int]:
    return [t for t, b in bucket_of(f).items() if b == bucket]


def _enterprise_filters(f: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.category:
        conds.append(Enterprise.supervision_category == f.category)
    if f.industry:
        conds.append(Enterprise.industry_code.startswith(f.industry))
    return conds


def _month(col: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.strftime("%Y-%m", col)


# --------------------------------------------------------------------------------- chart specs


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    cond: Callable[[Subquery], ColumnElement[bool]]


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    rule_note: str  # what the chart oversees, in words
    group: str  # "month" | "region"
    base: Callable[[Filters], Select[Any]]
    measures: tuple[Measure, ...]
    chart: str = "bar"  # bar | line
    percent: tuple[tuple[str, str, str], ...] = ()  # (label, numerator, denominator)
    # True: the base is the inspections', so whole months may be read from the rollup
    rollup: bool = False
    # The base is a table each tenant's job rewrites (RollupRefresh of this kind): the chart
    # states the oldest of its tenants' times
    snapshot_kind: str | None = None
    drill_extra: str = "批准人"  # the drill-down's last column (approvers, or the assignee)


def _inspections_base(f: Filters) -> Select[Any]:
    facts = Inspection.decision["facts"]
    return (
        select(
            Inspection.tenant_id.label("tenant_id"),
            Inspection.id.label("obj_id"),
            Enterprise.name.label("name"),
            Inspection.planned_date.label("on"),
            literal("inspection").label("kind"),
            Inspection.mode.label("mode"),
            Inspection.trigger.label("trigger"),
            _month(Inspection.planned_date).label("month"),
            case((facts["in_quiet_period"].as_boolean(), 1), else_=0).label("quiet"),
            case((facts["listed"].as_boolean(), 1), else_=0).label("listed"),
            case((Inspection.feedback_overdue, 1), else_=0).label("feedback_overdue"),
        )
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(
            Inspection.tenant_id.in_(f.region_ids),
            Inspection.planned_date.between(f.start, f.end),
            Inspection.status.not_in(DEAD_STATUSES),
            *_enterprise_filters(f),
        )
    )


def _triggers() -> dict[str, str]:
    from policies.vocab import TRIGGERS

    return TRIGGERS


def _on_site(s: Subquery) -> ColumnElement[bool]:
    return s.c.mode == "on_site"


def _trigger_measure(key: str, label: str) -> Measure:
    return Measure(f"trigger_{key}", label, lambda s: s.c.trigger == key)


def _listing_base(f: Filters) -> Select[Any]:
    """One row per counted fact, the fact's measure in ``kind``: entries listed now, added and
    removed in the period, steps done late, filings not acknowledged."""
    ent = _enterprise_filters(f)

    def entries(kind: str, cond: ColumnElement[bool], on: Any) -> Select[Any]:
        return (
            select(
                ListingEntry.tenant_id.label("tenant_id"),
                ListingEntry.id.label("obj_id"),
                Enterprise.name.label("name"),
                on.label("on"),
                literal(kind).label("kind"),
            )
            .join(Enterprise, Enterprise.id == ListingEntry.enterprise_id)
            .where(ListingEntry.tenant_id.in_(f.region_ids), cond, *ent)
        )

    listed = entries(
        "listed",
        and_(
            ListingEntry.state == "listed",
            ListingEntry.listed_on <= f.end,
            (ListingEntry.valid_until.is_(None)) | (ListingEntry.valid_until >= f.end),
        ),
        ListingEntry.listed_on,
    )
    added = entries("added", ListingEntry.listed_on.between(f.start, f.end), ListingEntry.listed_on)
    removed = entries(
        "removed", ListingEntry.removed_on.between(f.start, f.end), ListingEntry.removed_on
    )
    late_steps = (
        select(
            ListingStep.tenant_id.label("tenant_id"),
            ListingStep.id.label("obj_id"),
            ListingStep.step.label("name"),
            ListingStep.on_date.label("on"),
            literal("late_step").label("kind"),
        )
        .where(
            ListingStep.tenant_id.in_(f.region_ids),
            ListingStep.overdue == true(),
            ListingStep.on_date.between(f.start, f.end),
        )
        .where(true() if not ent else false())  # steps carry no enterprise filter
    )
    filings = (
        select(
            ListingFiling.tenant_id.label("tenant_id"),
            ListingFiling.id.label("obj_id"),
            literal("备案").label("name"),
            ListingFiling.filed_on.label("on"),
            literal("unacked_filing").label("kind"),
        )
        .where(
            ListingFiling.tenant_id.in_(f.region_ids),
            ListingFiling.acknowledged_at.is_(None),
            ListingFiling.filed_on <= f.end,
        )
        .where(true() if not ent else false())
    )
    return listed.union_all(added, removed, late_steps, filings)  # type: ignore[return-value]


def _warnings_base(f: Filters) -> Select[Any]:
    return (
        select(
            EnterpriseWarning.tenant_id.label("tenant_id"),
            EnterpriseWarning.id.label("obj_id"),
            Enterprise.name.label("name"),
            EnterpriseWarning.sent_on.label("on"),
            literal("warning").label("kind"),
            case((EnterpriseWarning.answered_at.is_not(None), 1), else_=0).label("answered"),
            case((EnterpriseWarning.escalated_on.is_not(None), 1), else_=0).label("escalated"),
        )
        .join(Enterprise, Enterprise.id == EnterpriseWarning.enterprise_id)
        .where(
            EnterpriseWarning.tenant_id.in_(f.region_ids),
            EnterpriseWarning.sent_on.between(f.start, f.end),
            *_enterprise_filters(f),
        )
    )


def _cases_base(f: Filters) -> Select[Any]:
    """One row per decided violation (a case decides each violation on its own)."""
    return (
        select(
            CaseViolation.tenant_id.label("tenant_id"),
            Case.id.label("obj_id"),
            Enterprise.name.label("name"),
            Case.decided_on.label("on"),
            literal("case").label("kind"),
            CaseViolation.outcome.label("outcome"),
            case((CaseViolation.outside_proposal, 1), else_=0).label("outside"),
            case((CaseViolation.similar_far, 1), else_=0).label("far"),
        )
        .join(Case, Case.id == CaseViolation.case_id)
        .join(Enterprise, Enterprise.id == Case.enterprise_id)
        .where(
            CaseViolation.tenant_id.in_(f.region_ids),
            Case.decided_on.between(f.start, f.end),
            CaseViolation.outcome.is_not(None),
            *_enterprise_filters(f),
        )
    )


def _decided(s: Subquery) -> ColumnElement[bool]:
    return s.c.is_decided == 1


def _case_time_base(f: Filters) -> Select[Any]:
    """Cases against the time limit from filing to decision (行政处罚法第六十条, the case's own
    ``limit_due`` with any approved extension): those decided in the period, and those still
    undecided whose limit passed before the period's end."""

    def rows(is_decided: int, on: Any, cond: ColumnElement[bool]) -> Select[Any]:
        return (
            select(
                Case.tenant_id.label("tenant_id"),
                Case.id.label("obj_id"),
                Enterprise.name.label("name"),
                on.label("on"),
                literal("case").label("kind"),
                literal(is_decided).label("is_decided"),
                case((Case.decided_on <= Case.limit_due, 1), else_=0).label("within"),
                case((Case.extended, 1), else_=0).label("extended"),
            )
            .join(Enterprise, Enterprise.id == Case.enterprise_id)
            .where(Case.tenant_id.in_(f.region_ids), cond, *_enterprise_filters(f))
        )

    decided = rows(1, Case.decided_on, Case.decided_on.between(f.start, f.end))
    overdue = rows(
        0,
        Case.limit_due,
        and_(
            Case.decided_on.is_(None),
            Case.stage != "closed",
            Case.limit_due < f.end,
            Case.filed_on <= f.end,
        ),
    )
    return decided.union_all(overdue)  # type: ignore[return-value]


def _overdue_base(f: Filters) -> Select[Any]:
    """The subtree's overdue deadlines as each tenant's daily reminder run last found them
    (issue 16 item 3). A state on the day of the run, not events of a period: neither the
    period nor the enterprise filters apply (the chart's note says so)."""
    columns: list[Any] = [
        OverdueItem.tenant_id.label("tenant_id"),
        OverdueItem.id.label("obj_id"),
        OverdueItem.title.label("name"),
        OverdueItem.due.label("on"),
        literal("overdue").label("kind"),
        OverdueItem.kind.label("due_kind"),
        OverdueItem.link.label("link"),
        OverdueItem.assignee.label("assignee"),
    ]
    return select(*columns).where(OverdueItem.tenant_id.in_(f.region_ids))


def _due_kind(*prefixes: str) -> Callable[[Subquery], ColumnElement[bool]]:
    return lambda s: or_(*(s.c.due_kind.startswith(p) for p in prefixes))


def specs() -> dict[str, Spec]:
    triggers = _triggers()
    return {
        s.key: s
        for s in (
            Spec(
                "inspections_month",
                "每月检查次数（现场 / 非现场）",
                "防止检查过多、干扰企业，同时确保必要检查开展；发现非必要现场执法",
                "month",
                _inspections_base,
                (
                    Measure("on_site", "现场检查", _on_site),
                    Measure("off_site", "非现场检查", lambda s: s.c.mode == "off_site"),
                ),
                chart="line",
                rollup=True,
            ),
            Spec(
                "inspections_trigger",
                "各下级地区检查次数（按检查事由）",
                "各地检查频次与事由",
                "region",
                _inspections_base,
                (
                    Measure("on_site", "现场检查", _on_site),
                    Measure("off_site", "非现场检查", lambda s: s.c.mode == "off_site"),
                    *(_trigger_measure(k, v) for k, v in triggers.items()),
                ),
                rollup=True,
            ),
            Spec(
                "on_site_conduct",
                "现场执法：安静期、正面清单企业、反馈逾期",
                "非必要现场执法；安静期内的现场检查及其批准人",
                "region",
                _inspections_base,
                (
                    Measure("on_site", "现场检查", _on_site),
                    Measure(
                        "quiet", "安静期内现场检查", lambda s: and_(_on_site(s), s.c.quiet == 1)
                    ),
                    Measure(
                        "listed",
                        "对正面清单企业现场检查",
                        lambda s: and_(_on_site(s), s.c.listed == 1),
                    ),
                    Measure(
                        "feedback_overdue", "检查反馈逾期", lambda s: s.c.feedback_overdue == 1
                    ),
                ),
                rollup=True,
            ),
            Spec(
                "listing",
                "各地正面清单",
                "正面清单落实不力、未按程序编制",
                "region",
                _listing_base,
                (
                    Measure("listed", "期末在册企业", lambda s: s.c.kind == "listed"),
                    Measure("added", "期间纳入", lambda s: s.c.kind == "added"),
                    Measure("removed", "期间移出", lambda s: s.c.kind == "removed"),
                    Measure("late_step", "逾期办理的程序步骤", lambda s: s.c.kind == "late_step"),
                    Measure(
                        "unacked_filing", "未确认的备案", lambda s: s.c.kind == "unacked_filing"
                    ),
                ),
            ),
            Spec(
                "warnings",
                "预警提醒：发出、答复、升级",
                "预警提醒的落实",
                "region",
                _warnings_base,
                (
                    Measure("sent", "发出", lambda s: true()),
                    Measure("answered", "企业已答复", lambda s: s.c.answered == 1),
                    Measure("escalated", "逾期升级", lambda s: s.c.escalated == 1),
                ),
                percent=(("答复率", "answered", "sent"),),
            ),
            Spec(
                "cases",
                "处罚决定：结果、不予处罚占比、偏离裁量建议、明显偏离类案",
                "类案同罚、首违不罚的执行情况",
                "region",
                _cases_base,
                (
                    Measure("decided", "作出决定的违法行为", lambda s: true()),
                    Measure("no_penalty", "不予行政处罚", lambda s: s.c.outcome == "no_penalty"),
                    Measure("fine", "罚款", lambda s: s.c.outcome == "fine"),
                    Measure("outside", "超出裁量建议", lambda s: s.c.outside == 1),
                    Measure("far", "明显偏离类案", lambda s: s.c.far == 1),
                ),
                percent=(("不予处罚占比", "no_penalty", "decided"),),
            ),
            Spec(
                "case_time",
                "案件办理期限：自立案至作出决定，对照法定期限",
                "行政处罚法第六十条：自立案之日起九十日内作出决定，经批准可延长",
                "region",
                _case_time_base,
                (
                    Measure("decided", "期间作出决定的案件", _decided),
                    Measure(
                        "within", "期限内作出决定", lambda s: and_(_decided(s), s.c.within == 1)
                    ),
                    Measure(
                        "late", "超过期限作出决定", lambda s: and_(_decided(s), s.c.within == 0)
                    ),
                    Measure(
                        "extended", "经批准延长期限", lambda s: and_(_decided(s), s.c.extended == 1)
                    ),
                    Measure("open_overdue", "已超期尚未作出决定", lambda s: s.c.is_decided == 0),
                ),
                percent=(("期限内决定率", "within", "decided"),),
            ),
            Spec(
                "overdue",
                "逾期未办事项（各地当前状态）",
                "各项法定和政策期限的落实：公示、发布、备案、移出、检查、审批、反馈、案件各阶段、"
                "责令改正与整改、罚款缴纳、预警答复；取自各地每日期限提醒运行，不受统计期间和企业筛选影响",
                "region",
                _overdue_base,
                (
                    Measure("all", "逾期事项", lambda s: true()),
                    Measure("listing", "正面清单", _due_kind("listing.")),
                    Measure("inspection", "检查", _due_kind("inspection.")),
                    Measure("cases", "案件办理", _due_kind("cases.")),
                    Measure(
                        "correction", "责令改正与整改", _due_kind("rectification.", "registry.")
                    ),
                    Measure("payment", "罚款缴纳", _due_kind("payment.")),
                    Measure("warning", "预警答复与处理", _due_kind("warning.")),
                ),
                snapshot_kind="overdue",
                drill_extra="承办人",
            ),
        )
    }


# ------------------------------------------------------------------------------- chart figures


@dataclass
class Chart:
    key: str
    title: str
    note: str
    kind: str
    group: str
    measures: list[tuple[str, str]]  # (key, label)
    buckets: list[tuple[Any, str]]  # (bucket key, label)
    values: dict[str, list[int]] = field(default_factory=dict)  # measure -> per bucket
    percent: list[tuple[str, list[str]]] = field(default_factory=list)
    # The oldest rollup the whole months were read from; None: every figure counted live.
    snapshot_at: datetime | None = None
    # "inspections" when whole months came from the rollup; a snapshot spec's own kind always
    # (its figures are never live, even before any run: snapshot_at is then None)
    snapshot_kind: str | None = None

    @property
    def totals(self) -> dict[str, int]:
        return {m: sum(v) for m, v in self.values.items()}

    def header(self) -> list[str]:
        first = "月份" if self.group == "month" else "地区"
        return [first, *(label for _k, label in self.measures), *(p for p, _v in self.percent)]

    def rows(self) -> list[list[Any]]:
        out = []
        for i, (_b, label) in enumerate(self.buckets):
            row: list[Any] = [label, *(self.values[k][i] for k, _l in self.measures)]
            row += [v[i] for _p, v in self.percent]
            out.append(row)
        return out

    def echarts(self) -> dict[str, Any]:
        """The ECharts option the page hands to the locally served library."""
        series_type = "line" if self.kind == "line" else "bar"
        shown = self.measures[:2] if self.key == "inspections_trigger" else self.measures
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"type": "scroll"},
            "grid": {"left": 40, "right": 16, "bottom": 60, "containLabel": True},
            "xAxis": {"type": "category", "data": [b for _k, b in self.buckets]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {"name": label, "type": series_type, "data": self.values[k]} for k, label in shown
            ],
        }


def _months(f: Filters) -> list[str]:
    out, y, m = [], f.start.year, f.start.month
    while (y, m) <= (f.end.year, f.end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def chart(ctx: Context, f: Filters, key: str) -> Chart:
    require_action(ctx, Perm.OVERSIGHT_VIEW)
    spec = specs().get(key)
    if spec is None:
        raise BadFilter("没有该统计图", {"chart": ["没有该统计图"]})
    sub, snapshot_at = _counted(ctx, spec, f)
    weight = sub.c.n if "n" in sub.c else literal(1)
    sums = [func.coalesce(func.sum(case((m.cond(sub), weight), else_=0)), 0) for m in spec.measures]
    group_col = sub.c.month if spec.group == "month" else sub.c.tenant_id
    rows = db.session.execute(select(group_col, *sums).group_by(group_col)).all()
    if spec.group == "month":
        buckets: list[tuple[Any, str]] = [(m, m) for m in _months(f)]
        index = {m: i for i, (m, _l) in enumerate(buckets)}
        fold = {r[0]: r[0] for r in rows}
    else:
        buckets = list(bucket_names(f))
        index = {b: i for i, (b, _l) in enumerate(buckets)}
        tenant_bucket = bucket_of(f)
        fold = {r[0]: tenant_bucket.get(r[0], SELF) for r in rows}
    values = {m.key: [0] * len(buckets) for m in spec.measures}
    for r in rows:
        i = index.get(fold[r[0]])
        if i is None:
            continue
        for j, m in enumerate(spec.measures):
            values[m.key][i] += int(r[j + 1] or 0)
    out = Chart(
        spec.key,
        spec.title,
        spec.rule_note,
        spec.chart,
        spec.group,
        [(m.key, m.label) for m in spec.measures],
        buckets,
        values,
        snapshot_at=snapshot_at,
        snapshot_kind=spec.snapshot_kind or (rollups.KIND if snapshot_at else None),
    )
    for label, num, den in spec.percent:
        out.percent.append(
            (
                label,
                [
                    f"{(n * 100 / d):.1f}%" if d else "—"
                    for n, d in zip(values[num], values[den], strict=True)
                ],
            )
        )
    return out


def _counted(ctx: Context, spec: Spec, f: Filters) -> tuple[Subquery, datetime | None]:
    """What a chart counts: its base rows live, or — for the inspection charts — whole months
    of tenants with a recent rollup from the rollup (a count ``n`` per row) and the rest live
    (rollups.py). Both parts carry the columns the measures read, so one set of measures
    serves both."""
    if spec.snapshot_kind:
        oldest = db.session.execute(
            select(func.min(RollupRefresh.refreshed_at)).where(
                RollupRefresh.kind == spec.snapshot_kind,
                RollupRefresh.tenant_id.in_(f.region_ids),
            )
        ).scalar_one()
        return spec.base(f).subquery(), oldest
    months = rollups.WholeMonths.inside(f.start, f.end)
    usable = spec.rollup and months is not None
    if f.industry and len(f.industry) > rollups.INDUSTRY_CHARS:
        usable = False  # the rollup keeps the industry's section only
    stamps = rollups.fresh(ctx, f.region_ids) if usable else {}
    if not stamps or months is None:
        return spec.base(f).subquery(), None
    snap_ids = sorted(stamps)
    others = tuple(t for t in f.region_ids if t not in stamps)
    # Live: every day of tenants without a recent rollup, and the partial months at the ends.
    parts = [replace(f, region_ids=others)] if others else []
    if f.start < months.first:
        parts.append(replace(f, region_ids=tuple(snap_ids), end=months.first - timedelta(days=1)))
    if months.last < f.end:
        parts.append(replace(f, region_ids=tuple(snap_ids), start=months.last + timedelta(days=1)))
    cols = ("tenant_id", "month", "mode", "trigger", "quiet", "listed", "feedback_overdue")
    live = [
        select(*(b.c[c] for c in cols), literal(1).label("n"))
        for b in (spec.base(p).subquery() for p in parts)
    ]
    snap = rollups.rollup_rows(snap_ids, months, _month, f.category, f.industry)
    both = union_all(snap, *live).subquery()
    return both, min(stamps.values())


# ---------------------------------------------------------------------------------- drill-down


@dataclass(frozen=True)
class DrillRow:
    tenant_id: int
    obj_id: int
    name: str
    on: date | None
    kind: str
    region: str
    approvers: str = ""
    assignee: str = ""
    link: str = ""  # a path of this site the row stands for, when the base carries one


@dataclass
class Drill:
    chart: str
    measure: str
    measure_label: str
    bucket_label: str
    rows: list[DrillRow]
    total: int
    extra_label: str = "批准人"  # the last column's title


def drill(ctx: Context, f: Filters, key: str, measure: str, bucket: str) -> Drill:
    """The rows behind one figure: the chart's measure in one month or region bucket."""
    require_action(ctx, Perm.OVERSIGHT_VIEW)
    spec = specs().get(key)
    m = next((x for x in spec.measures if x.key == measure), None) if spec else None
    if spec is None or m is None:
        raise BadFilter("没有该统计项", {"measure": ["没有该统计项"]})
    sub = spec.base(f).subquery()
    where = [m.cond(sub)]
    if spec.group == "month":
        if bucket not in _months(f):
            raise BadFilter("月份不在统计期间内", {"bucket": ["请选择统计期间内的月份"]})
        where.append(sub.c.month == bucket)
        bucket_label = bucket
    else:
        names = dict(bucket_names(f))
        try:
            b = int(bucket)
        except ValueError:
            b = -1
        if b not in names:
            raise BadFilter("地区不在统计范围内", {"bucket": ["请选择列出的地区"]})
        where.append(sub.c.tenant_id.in_(_tenants_of_bucket(f, b)))
        bucket_label = names[b]
    total = int(
        db.session.execute(select(func.count()).select_from(sub).where(*where)).scalar_one()
    )
    optional = [(sub.c[c] if c in sub.c else literal("")).label(c) for c in ("link", "assignee")]
    found = db.session.execute(
        select(sub.c.tenant_id, sub.c.obj_id, sub.c.name, sub.c.on, sub.c.kind, *optional)
        .where(*where)
        .order_by(sub.c.on, sub.c.obj_id)
        .limit(DRILL_LIMIT)
    ).all()
    region_names = {r.id: r.name for r in subtree(ctx)}
    approvers: dict[int, list[str]] = {}
    ids = [r.obj_id for r in found if r.kind == "inspection"]
    if ids:
        for iid, who in db.session.execute(
            select(InspectionApproval.inspection_id, InspectionApproval.user_name)
            .where(
                InspectionApproval.inspection_id.in_(ids),
                InspectionApproval.verdict == "approved",
            )
            .order_by(InspectionApproval.id)
        ).all():
            approvers.setdefault(iid, []).append(who)
    rows = [
        DrillRow(
            r.tenant_id,
            r.obj_id,
            r.name,
            r.on,
            r.kind,
            region_names.get(r.tenant_id, ""),
            "、".join(approvers.get(r.obj_id, [])),
            r.assignee or "",
            r.link or "",
        )
        for r in found
    ]
    return Drill(key, measure, m.label, bucket_label, rows, total, spec.drill_extra)


# ------------------------------------------------------------- enterprises against their caps


@dataclass(frozen=True)
class EnterpriseLoad:
    tenant_id: int
    enterprise_id: int
    name: str
    category: str
    region: str
    on_site: int
    cap: int | None

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.on_site > self.cap


def _caps(f: Filters) -> dict[int, dict[str, Any]]:
    """Each tenant's annual plan caps (SX-3) for the period's last year."""
    rows = db.session.execute(
        select(InspectionPlan.tenant_id, InspectionPlan.caps).where(
            InspectionPlan.tenant_id.in_(f.region_ids), InspectionPlan.year == f.end.year
        )
    ).all()
    return {tid: dict(caps or {}) for tid, caps in rows}


def most_inspected(ctx: Context, f: Filters, limit: int = TOP_ENTERPRISES) -> list[EnterpriseLoad]:
    """On-site inspections per enterprise in the period, most first, beside its plan's cap
    (检查过多、扰企: SX-O, SX-3)."""
    require_action(ctx, Perm.OVERSIGHT_VIEW)
    # Count per enterprise key first and join the names of the top rows only: grouping by one
    # integer is what makes this fast at a million visits (docs/oversight.md).
    n = func.count().label("n")
    counts = select(Inspection.enterprise_id.label("eid"), n).where(
        Inspection.tenant_id.in_(f.region_ids),
        Inspection.mode == "on_site",
        Inspection.planned_date.between(f.start, f.end),
        Inspection.status.not_in(DEAD_STATUSES),
    )
    if f.category or f.industry:
        counts = counts.join(Enterprise, Enterprise.id == Inspection.enterprise_id).where(
            *_enterprise_filters(f)
        )
    top = (
        counts.group_by(Inspection.enterprise_id)
        .order_by(n.desc(), Inspection.enterprise_id)
        .limit(limit)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Enterprise.tenant_id,
            Enterprise.id,
            Enterprise.name,
            Enterprise.supervision_category,
            top.c.n,
        )
        .join(top, top.c.eid == Enterprise.id)
        .order_by(top.c.n.desc(), Enterprise.id)
    ).all()
    caps = _caps(f)
    names = {r.id: r.name for r in subtree(ctx)}
    out = []
    for tid, eid, name, category, count in rows:
        cap = caps.get(tid, {}).get(category)
        out.append(
            EnterpriseLoad(
                tid, eid, name, category, names.get(tid, ""), int(count), int(cap) if cap else None
            )
        )
    return out


def never_inspected_key(
    ctx: Context, f: Filters, limit: int = DRILL_LIMIT
) -> tuple[int, list[Any]]:
    """Key dischargers (重点排污单位) of the subtree without any on-site inspection in the period
    (必要检查未开展: SX-O). The count of all, and the first rows."""
    require_action(ctx, Perm.OVERSIGHT_VIEW)
    # One index probe per key discharger on (tenant_id, enterprise_id, planned_date): the key
    # dischargers are a tenth of the enterprises, the period's visits many times more.
    visited = (
        select(Inspection.id)
        .where(
            Inspection.tenant_id == Enterprise.tenant_id,
            Inspection.enterprise_id == Enterprise.id,
            Inspection.mode == "on_site",
            Inspection.planned_date.between(f.start, f.end),
            Inspection.status.not_in(DEAD_STATUSES),
        )
        .exists()
    )
    stmt = select(Enterprise.tenant_id, Enterprise.id, Enterprise.name).where(
        Enterprise.tenant_id.in_(f.region_ids),
        Enterprise.key_discharger == true(),
        ~visited,
        *_enterprise_filters(f),
    )
    total = int(db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    rows = db.session.execute(stmt.order_by(Enterprise.id).limit(limit)).all()
    names = {r.id: r.name for r in subtree(ctx)}
    return total, [(names.get(t, ""), eid, name) for t, eid, name in rows]


# ------------------------------------------------------------------------------------- export


def xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """One table as a workbook; every cell through core.spreadsheet (formulas neutralised)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = re.sub(r"[\\/*?:\[\]]", " ", title)[:31].strip() or "统计"
    ws = wb.create_sheet(sheet)
    ws.append(safe_row(header))
    for r in rows:
        ws.append(safe_row(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
