"""Before a policy change is saved: what it would do to live data (issue 10 item 8).

The proposed own overrides are checked exactly as saving checks them (``service.propose``) and
merged into a ``Policy``; the policy in force on the same day, with the same ancestors, is the
one they replace. Both are put to the questions the app already asks, by the code that asks
them — nothing here re-states a rule:

- **screening** (positive list): ``listing.services.bulk_screening.screen_tenant`` screens every
  enterprise of the tenant under each policy, set-based (one aggregate SELECT per policy) on the
  day the change takes effect; an enterprise whose verdict differs is listed.
- **planned inspections** (pending or approved, planned on or after that day): each is judged by
  ``inspections.services.checks.run_checks`` under each policy, as ``moments.revalidate`` does
  when a visit is approved or moved; an inspection whose approval requirements (rule, approving
  roles, level), admissibility or quiet period differ is listed.

Bounded: at most ``LISTED`` rows of each are returned with the total count; at most
``MAX_INSPECTIONS`` planned inspections (the earliest) are judged, and the answer says so when
there are more. Nothing is written: the caller rolls the transaction back.

Cost (the demo on SQLite, Taiyuan: 300 enterprises, 31 planned inspections): about 1.3 s — the
two screenings take 0.1 s together, the inspections the rest (each is judged twice, about 16 ms a
judgment: the checks read the officers, declared conflicts, the year's visits of every level, the
listed status on the day). At 100,000 enterprises the two screenings take a few seconds (one
tenant-wide screening: tests/perf); the inspection part is bounded by ``MAX_INSPECTIONS`` (200
inspections: about 6 s at most). Both run in the request: a preview is asked for rarely, by
the one person configuring the region, and must show the answer before they save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from policies import Policy
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar.years import work_calendar
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.inspections.services.checks import CheckReport, run_checks
from tenant_app.inspections.services.moments import draft_of
from tenant_app.listing.services import bulk_screening
from tenant_app.models import Enterprise, Inspection
from tenant_app.policy import service as policy_service
from tenant_app.policy.service import UNCHANGED, Proposal
from tenant_app.policy.services.diff import Change, compare

LISTED = 50
MAX_INSPECTIONS = 200
PLANNED = ("pending", "approved")


@dataclass
class VerdictChange:
    enterprise_id: int
    name: str
    uscc: str
    before: str  # models.listing.VERDICTS
    after: str
    rule_before: str
    rule_after: str


@dataclass
class Judgment:
    """What the approval route of one inspection asks under one policy."""

    allowed: bool
    in_quiet: bool
    requirements: list[dict[str, Any]]
    refusals: list[str]
    rule_ids: list[str]

    @classmethod
    def of(cls, report: CheckReport) -> Judgment:
        return cls(
            report.allowed,
            bool(report.facts.get("in_quiet_period")),
            [
                {
                    "rule_id": r["rule_id"],
                    "any_of": sorted(r["any_of"]),
                    "level": r.get("level"),
                    "title": r.get("title", ""),
                }
                for r in report.requirements
            ],
            report.refusals,
            report.rule_ids,
        )

    def route(self) -> tuple[Any, ...]:
        return (
            self.allowed,
            tuple((r["rule_id"], tuple(r["any_of"]), r["level"]) for r in self.requirements),
        )


@dataclass
class InspectionChange:
    inspection_id: int
    enterprise_name: str
    planned_date: date
    mode: str
    trigger: str
    status: str
    before: Judgment
    after: Judgment

    @property
    def route_changed(self) -> bool:
        return self.before.route() != self.after.route()

    @property
    def enters_quiet(self) -> bool:
        return self.after.in_quiet and not self.before.in_quiet

    @property
    def leaves_quiet(self) -> bool:
        return self.before.in_quiet and not self.after.in_quiet


@dataclass
class Preview:
    effective_from: date
    version_before: str
    version_after: str
    changes: list[Change]
    enterprises_screened: int = 0
    verdicts: list[VerdictChange] = field(default_factory=list)
    verdicts_total: int = 0
    inspections_planned: int = 0
    inspections_examined: int = 0
    inspections: list[InspectionChange] = field(default_factory=list)
    inspections_total: int = 0
    limit: int = LISTED

    @property
    def inspections_capped(self) -> bool:
        return self.inspections_examined < self.inspections_planned


def _policies(p: Proposal) -> tuple[Policy, Policy, dict[str, Any]]:
    """The policy in force on the proposal's day and the one it proposes (same ancestors)."""
    now = policy_service.effective_policy(p.tenant, p.effective_from, with_sources=False)
    cal = work_calendar()
    return (
        Policy(now.effective, now.version_label, calendar=cal),
        Policy(p.effective, p.version_label, calendar=cal),
        now.effective,
    )


def _screening(ctx: Context, out: Preview, before: Policy, after: Policy, on: date) -> None:
    tenant_id = ctx.tenant.id  # type: ignore[union-attr]
    old = {
        v.enterprise_id: (v.verdict, v.rule_id)
        for v in bulk_screening.screen_tenant(before, tenant_id, on)
    }
    changed: list[tuple[int, tuple[str, str], tuple[str, str]]] = []
    for v in bulk_screening.screen_tenant(after, tenant_id, on):
        out.enterprises_screened += 1
        was = old.get(v.enterprise_id)
        if was is not None and was[0] != v.verdict:
            out.verdicts_total += 1
            if len(changed) < out.limit:
                changed.append((v.enterprise_id, was, (v.verdict, v.rule_id)))
    if not changed:
        return
    names = {
        row.id: (row.name, row.uscc)
        for row in db.session.execute(
            select(Enterprise.id, Enterprise.name, Enterprise.uscc).where(
                Enterprise.tenant_id == tenant_id,
                Enterprise.id.in_([eid for eid, _b, _a in changed]),
            )
        )
    }
    out.verdicts = [
        VerdictChange(eid, *names.get(eid, ("", "")), b[0], a[0], b[1], a[1])
        for eid, b, a in changed
    ]


def _inspections(ctx: Context, out: Preview, before: Policy, after: Policy, on: date) -> None:
    tenant_id = ctx.tenant.id  # type: ignore[union-attr]
    where = (
        Inspection.tenant_id == tenant_id,
        Inspection.status.in_(PLANNED),
        Inspection.planned_date >= max(on, ctx.today),
    )
    out.inspections_planned = db.session.execute(
        select(func.count()).select_from(Inspection).where(*where)
    ).scalar_one()
    rows = db.session.execute(
        select(Inspection)
        .where(*where)
        .order_by(Inspection.planned_date, Inspection.id)
        .limit(MAX_INSPECTIONS)
    ).scalars()
    for insp in rows:
        out.inspections_examined += 1
        draft = draft_of(ctx, insp, insp.planned_date)
        was = Judgment.of(run_checks(ctx, draft, policy=before))
        now = Judgment.of(run_checks(ctx, draft, policy=after))
        if was.route() == now.route() and was.in_quiet == now.in_quiet:
            continue
        out.inspections_total += 1
        if len(out.inspections) < out.limit:
            out.inspections.append(
                InspectionChange(
                    insp.id,
                    insp.enterprise.name,
                    insp.planned_date,
                    insp.mode,
                    insp.trigger,
                    insp.status,
                    was,
                    now,
                )
            )


def preview(
    ctx: Context,
    *,
    overrides: dict[str, Any],
    effective_from: date,
    pack: Any = UNCHANGED,
) -> Preview:
    """The effect of saving these own overrides from ``effective_from``, computed on live data
    and not saved (raises the same field errors as saving would)."""
    require_action(ctx, Perm.POLICY_EDIT)
    p = policy_service.propose(ctx, overrides=overrides, effective_from=effective_from, pack=pack)
    before, after, in_force = _policies(p)
    out = Preview(
        effective_from,
        str(before.version_id or ""),
        p.version_label,
        # What changes in the policy in force (inherited values included), key by key.
        compare(in_force, p.effective, p.effective),
    )
    _screening(ctx, out, before, after, effective_from)
    _inspections(ctx, out, before, after, effective_from)
    return out
