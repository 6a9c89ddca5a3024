"""Per role, three things to try in the seeded demo, each with its full URL (the ids are read
from the demo rows, so the links open the very row the sentence talks about)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tenant_app.demo.portal import account_enterprise
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    Draw,
    Inspection,
    ListingBatch,
    ListingEntry,
    ScreeningRun,
    Tenant,
)
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope


@dataclass(frozen=True)
class Tip:
    text: str
    path: str  # from the site root, e.g. /xj-urumqi/listing/


@dataclass(frozen=True)
class RoleTips:
    role: str
    slug: str | None  # where to sign in (None: no login)
    username: str | None
    tips: tuple[Tip, ...]

    def urls(self, base: str) -> list[str]:
        return [base + t.path for t in self.tips]


def _first(stmt: Any) -> Any:
    return db.session.execute(stmt.limit(1)).scalar()


def _tenant_id(slug: str) -> int | None:
    return _first(select(Tenant.id).where(Tenant.slug == slug))


def _ids() -> dict[str, Any]:
    """The demo rows the tips point at (None when the demo data is not seeded)."""
    with use_scope(system_scope()):
        xj, sx = _tenant_id("xj-urumqi"), _tenant_id("sx-taiyuan")
        batch = select(ListingBatch.id).where(ListingBatch.tenant_id == xj)
        insp = select(Inspection.id).order_by(Inspection.id)
        out = {
            "notice_batch": _first(batch.where(ListingBatch.state == "notice")),
            "published_batch": _first(batch.where(ListingBatch.state == "published")),
            "committed_entry": _first(
                select(ListingEntry.id).where(
                    ListingEntry.tenant_id == xj, ListingEntry.state == "committed"
                )
            ),
            "run": _first(
                select(ScreeningRun.id)
                .where(ScreeningRun.tenant_id == xj)
                .order_by(ScreeningRun.id.desc())
            ),
            "xj_in_progress": _first(
                insp.where(Inspection.tenant_id == xj, Inspection.status == "in_progress")
            ),
            "sx_draw": _first(select(Draw.id).where(Draw.tenant_id == sx, Draw.status == "drawn")),
            "sx_review_case": _first(
                select(Case.id).where(Case.tenant_id == sx, Case.stage == "review")
            ),
            "sx_served_case": _first(
                select(Case.id).where(Case.tenant_id == sx, Case.stage == "served")
            ),
            "sx_done": None,
        }
    portal = account_enterprise("taiyuan-qiye", "sx-taiyuan")
    if portal is not None:
        with use_scope(system_scope()):
            out["sx_done"] = _first(
                insp.where(
                    Inspection.enterprise_id == portal.id,
                    Inspection.status == "done",
                    Inspection.feedback_at.is_not(None),
                )
            )
    return out


def role_tips() -> list[RoleTips]:
    """Three things per role; with the demo data seeded every path names a real row."""
    i = _ids()

    def at(path: str, key: str, fallback: str) -> str:
        return path.format(i[key]) if i.get(key) else fallback

    return [
        RoleTips(
            "平台超级管理员",
            "platform",
            "admin",
            (
                Tip("查看区划树、新增一个地州市租户", "/platform/admin/tenants/"),
                Tip("查看太原市的政策版本：市级设定的企业安静期（SX-10）", "/sx-taiyuan/policy/"),
                Tip(
                    "查看乌鲁木齐市全域正面清单筛选结果（符合、不符合、行业排除、禁入）",
                    at("/xj-urumqi/listing/screening/{}", "run", "/xj-urumqi/listing/"),
                ),
            ),
        ),
        RoleTips(
            "自治区稽查员",
            "xj",
            "xj-auditor",
            (
                Tip(
                    "备案收件箱：乌鲁木齐市报备的正面清单批次，签收或查看已签收的",
                    "/xj/listing/filings",
                ),
                Tip(
                    "层级监督统计：各地检查、正面清单、预警与处罚的图表、明细与稽查通报",
                    "/xj/oversight/",
                ),
                Tip(
                    "各地逾期未办事项：按期限类型计数，点数字看承办人和逾期天数",
                    "/xj/oversight/#chart-overdue",
                ),
                Tip("稽查乌鲁木齐市的执法检查（含待审批、反馈逾期）", "/xj-urumqi/inspections/"),
            ),
        ),
        RoleTips(
            "省厅稽查员",
            "sx",
            "sx-auditor",
            (
                Tip(
                    "下级政策备案：太原市拓展的轻微违法行为不予处罚事项清单（SX-12），签收",
                    "/sx/policy/filings",
                ),
                Tip("层级监督统计：太原市、小店区的检查、预警、处罚与逾期事项", "/sx/oversight/"),
            ),
        ),
        RoleTips(
            "市局管理员",
            "xj-urumqi",
            "urumqi-admin",
            (
                Tip("企业名录：按行业、许可证到期筛选，导出 Excel", "/xj-urumqi/enterprises/"),
                Tip("批量导入记录：演示数据就是这样导入的", "/xj-urumqi/imports/"),
                Tip(
                    "本周发布的正面清单批次：3 个工作日内报自治区备案",
                    at("/xj-urumqi/listing/batches/{}", "published_batch", "/xj-urumqi/listing/"),
                ),
            ),
        ),
        RoleTips(
            "执法人员",
            "xj-urumqi",
            "urumqi-officer1",
            (
                Tip(
                    "公示中的批次：处理群众提出的异议（成立或不成立，说明理由）",
                    at("/xj-urumqi/listing/batches/{}", "notice_batch", "/xj-urumqi/listing/"),
                ),
                Tip(
                    "已作守法承诺的事项：编入新批次并开始公示",
                    at("/xj-urumqi/listing/entries/{}", "committed_entry", "/xj-urumqi/listing/"),
                ),
                Tip(
                    "检查中的现场检查：逐项记录一表通查结果并结束检查",
                    at("/xj-urumqi/inspections/{}/", "xj_in_progress", "/xj-urumqi/inspections/"),
                ),
            ),
        ),
        RoleTips(
            "执法人员（太原）",
            "sx-taiyuan",
            "taiyuan-officer1",
            (
                Tip("我的待办：即将到期和已逾期的期限，逐项链接到对象", "/sx-taiyuan/reminders/"),
                Tip(
                    "预警（SX-1）：企业逾期未答复的预警已升级，按建议的下一步处理",
                    "/sx-taiyuan/warnings/",
                ),
                Tip(
                    "责令改正（SX-15）：企业的整改方案与进展，核查后结案；逾期的已标出",
                    "/sx-taiyuan/rectification/",
                ),
            ),
        ),
        RoleTips(
            "主要负责人",
            "sx-taiyuan",
            "taiyuan-principal",
            (
                Tip(
                    "审批收件箱：安静期内的现场检查须主要负责人批准（SX-10）",
                    "/sx-taiyuan/inspections/inbox",
                ),
                Tip(
                    "专项执法检查：已批准并备案公开的专项行动（SX-4）",
                    "/sx-taiyuan/inspections/campaigns/",
                ),
                Tip(
                    "罚款缴纳：企业的分期缴纳申请待主要负责人批准（SX-13），逾期的加处罚款不超过罚款数额",
                    "/sx-taiyuan/enforcement/",
                ),
            ),
        ),
        RoleTips(
            "法制审核人员",
            "sx-taiyuan",
            "taiyuan-fazhi",
            (
                Tip("行政处罚案件：按办理阶段筛选“待法制审核”的案件", "/sx-taiyuan/cases/"),
                Tip(
                    "严重违法案件（SX-11）：从重幅度、每个裁量因素的影响与来源，提交审核意见",
                    at("/sx-taiyuan/cases/{}/", "sx_review_case", "/sx-taiyuan/cases/"),
                ),
                Tip(
                    "不予处罚案件：教育记录与责令改正（免罚不免责，SX-13）",
                    at("/sx-taiyuan/cases/{}/", "sx_served_case", "/sx-taiyuan/cases/"),
                ),
                Tip(
                    "类案同罚：明显偏离同类既往决定的罚款（SX-12），供审核和监督关注",
                    "/sx-taiyuan/cases/far-from-similar",
                ),
            ),
        ),
        RoleTips(
            "企业用户",
            "xj-urumqi",
            "urumqi-qiye",
            (
                Tip("我的正面清单事项：在线作出守法承诺", "/xj-urumqi/my/listing/"),
                Tip(
                    "（taiyuan-qiye 登录太原）阅读检查反馈",
                    at(
                        "/sx-taiyuan/enterprise/inspections/{}/",
                        "sx_done",
                        "/sx-taiyuan/enterprise/inspections/",
                    ),
                ),
                Tip("（taiyuan-qiye）我的企业：登记信息与合规记录", "/sx-taiyuan/enterprise/"),
                Tip(
                    "（taiyuan-qiye）我的预警：确认、答复，下载合规日历（.ics）",
                    "/sx-taiyuan/enterprise/warnings/",
                ),
                Tip(
                    "（taiyuan-qiye）我的责令改正：提交整改方案、报告进展",
                    "/sx-taiyuan/enterprise/rectification/",
                ),
            ),
        ),
        RoleTips(
            "公众（无需登录）",
            None,
            None,
            (
                Tip("乌鲁木齐市现行正面清单", "/xj-urumqi/public/positive-list/"),
                Tip(
                    "公示中的名单：提出异议",
                    at(
                        "/xj-urumqi/public/positive-list/notices/{}",
                        "notice_batch",
                        "/xj-urumqi/public/positive-list/notices",
                    ),
                ),
                Tip(
                    "太原市“双随机”抽查结果：用公布的种子自行验证",
                    at("/sx-taiyuan/public/draws/{}", "sx_draw", "/sx-taiyuan/public/enforcement"),
                ),
            ),
        ),
    ]


def tips(host: str = "127.0.0.1", port: int = 5000) -> list[tuple[str, str, str]]:
    """(role with its account, what to try, full URL), three per role."""
    base = f"http://{host}:{port}"
    out = []
    for r in role_tips():
        who = f"{r.role}（{r.username} @ {r.slug}）" if r.username else r.role
        out += [(who, t.text, base + t.path) for t in r.tips]
    return out
