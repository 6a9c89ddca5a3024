"""The one interface the core calls: ``Policy`` answers a tenant's policy questions.

Every answer is a ``Decision`` (answer, rule id(s), facts used, policy version, Chinese
explanation; ``provisional`` for dates computed without holiday data). Build a ``Policy`` from the
effective pack of the version in force on the date asked (``version_in_force``). The core never
tests a region's name: every rule id and parameter comes from the pack.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from . import conditions as _conditions  # noqa: F401  (registers built-in rule kinds)
from . import discretion, inspection, screening
from .decision import Decision, ScreeningResult
from .facts import EnterpriseFacts
from .hooks import REGISTRY, HookRegistry
from .versions import PolicyVersion
from .vocab import TRIGGERS

_UNIT_ZH = {"workdays": "个工作日", "days": "日", "months": "个月", "years": "年"}
_EVENT_ZH = {
    "notice_start": "公示开始",
    "notice_end": "公示期满",
    "publication": "正式发布",
    "discovery": "发现",
}


class Calendar(Protocol):
    """What ``Policy`` needs from a calendar (``tenant_app.calendar.WorkCalendar`` fits)."""

    def period_end(
        self, d: date, n: int, unit: str
    ) -> Any: ...  # -> object with .value/.provisional
    def shift_months(self, d: date, n: int) -> date: ...


class Policy:
    def __init__(
        self,
        effective: dict[str, Any],
        version_id: str | int | None,
        hooks: HookRegistry | None = None,
        calendar: Calendar | None = None,
    ) -> None:
        self.pack = effective
        self.version_id = version_id
        self.hooks = hooks or REGISTRY
        if calendar is None:
            from tenant_app.calendar import WorkCalendar  # the default working-day calendar

            calendar = WorkCalendar()
        self.calendar = calendar

    @classmethod
    def from_version(
        cls,
        version: PolicyVersion,
        calendar: Calendar | None = None,
        hooks: HookRegistry | None = None,
    ) -> Policy:
        return cls(version.effective, version.version_id, hooks, calendar)

    def _d(
        self, answer: Any, rule_id: str, facts: dict[str, Any], text: str, **kw: Any
    ) -> Decision:
        kw.setdefault("rule_ids", (rule_id,) if rule_id else ())
        return Decision(answer, rule_id, facts, self.version_id, text, **kw)

    # -- positive list -----------------------------------------------------------------------
    def screen(self, facts: EnterpriseFacts, on: date) -> ScreeningResult:
        """XJ-X exclusions, XJ-R bans, XJ-C1..C7 conditions and XJ-D direct routes on ``on``."""
        return screening.screen(self.pack, facts, on, self.calendar, self.hooks, self.version_id)

    def step_due(self, step: str, event_date: date) -> Decision:
        """Deadline of a procedure period (``procedure.periods``: notice_min_end, publication,
        filing) or of ``removal`` (XJ-R), counted from ``event_date`` (not itself counted)."""
        period = (
            self.pack["removal"]["period"]
            if step == "removal"
            else self.pack["procedure"]["periods"].get(step)
        )
        used = {"step": step, "event_date": event_date}
        if period is None:
            return self._d(None, "", used, f"本政策没有名为“{step}”的期限。")
        ans = self.calendar.period_end(event_date, period["n"], period["unit"])
        bound = "最早于该日届满" if period["bound"] == "min" else "最迟于该日完成"
        text = (
            f"{period['rule_id']}：{period['title']}。自{_EVENT_ZH[period['from_event']]}之日"
            f"（{event_date.isoformat()}，当日不计入）起算{period['n']}{_UNIT_ZH[period['unit']]}，"
            f"{bound}：{ans.value}"
        )
        if ans.provisional:
            text += "（该年节假日安排未录入，仅按周末计算，结果为暂定）"
        used.update(n=period["n"], unit=period["unit"], bound=period["bound"])
        return self._d(ans.value, period["rule_id"], used, text + "。", provisional=ans.provisional)

    def validity_end(self, listed_on: date) -> Decision:
        """Last day of a listing's validity (XJ-V: 有效期一般为3年), the corresponding day."""
        listing = self.pack["listing"]
        end = self.calendar.shift_months(listed_on, 12 * listing["validity_years"])
        text = f"{listing['rule_id']}：正面清单有效期{listing['validity_years']}年，至 {end.isoformat()}。"
        return self._d(end, listing["rule_id"], {"listed_on": listed_on}, text)

    def removal_reasons(self) -> Decision:
        removal = self.pack["removal"]
        reasons = {k: v["title"] for k, v in removal["reasons"].items()}
        return self._d(
            reasons, removal["rule_id"], {}, f"{removal['rule_id']}：" + "；".join(reasons.values())
        )

    # -- inspections ---------------------------------------------------------------------------
    def approval_route(
        self,
        level: str,
        *,
        in_quiet_period: bool,
        listed: bool,
        trigger: str,
        on_site: bool,
        self_inspection_reviewed: bool = False,
    ) -> Decision:
        """Who must approve (``details["requirements"]``: each any-of roles with its rule id);
        ``answer`` False with the reason when the inspection may not happen (e.g. XJ-S)."""
        return inspection.approval_route(
            self.pack,
            self.version_id,
            level,
            in_quiet_period=in_quiet_period,
            listed=listed,
            trigger=trigger,
            on_site=on_site,
            self_inspection_reviewed=self_inspection_reviewed,
        )

    def quiet_period(
        self, on: date, industry_code: str | None = None, category: str | None = None
    ) -> Decision:
        """SX-10: is ``on`` inside an enterprise quiet period for this industry/category."""
        return inspection.quiet_period(self.pack, self.version_id, on, industry_code, category)

    def inspection_cap(self, category: str) -> Decision:
        """SX-3: on-site inspections per enterprise per year for ``category`` (None: no cap)."""
        return inspection.inspection_cap(self.pack, self.version_id, category)

    def cap_exempt(self, trigger: str) -> bool:
        """SX-3: complaints, assignments, data leads, enterprise requests are not capped."""
        return trigger in self.pack["inspection"]["caps"]["exempt_triggers"]

    def within_cap(self, category: str, trigger: str, done_this_year: int) -> Decision:
        """May one more on-site inspection happen this year (SX-3)?"""
        cap = self.inspection_cap(category)
        used = {"category": category, "trigger": trigger, "done_this_year": done_this_year}
        if self.cap_exempt(trigger):
            return self._d(
                True,
                cap.rule_id,
                used,
                f"{cap.rule_id}：{TRIGGERS.get(trigger, trigger)}不受频次上限限制。",
            )
        if cap.answer is None:
            return self._d(True, cap.rule_id, used, cap.explanation)
        ok = done_this_year < cap.answer
        verdict = "未达上限" if ok else "已达上限，不得再安排计划内现场检查"
        return self._d(
            ok, cap.rule_id, used, f"{cap.explanation}本年已检查{done_this_year}次，{verdict}。"
        )

    def special_campaign_rules(self) -> Decision:
        """SX-4: who approves a special campaign; blanket scope forbidden; filing and publication."""
        rules = self.pack["inspection"].get("special_campaign")
        if not rules:
            return self._d(None, "", {}, "本政策未规定专项执法检查的审批。")
        text = (
            f"{rules['rule_id']}：专项检查方案须明确{'、'.join(rules['required_fields'])}，"
            f"{'禁止全覆盖、无差别检查，' if rules['blanket_scope_forbidden'] else ''}"
            f"经{'或'.join(rules['external_approvers'] + ['省级、市级生态环境主管部门主要负责人'])}批准，"
            f"{'备案' if rules['filed'] else ''}{'并向社会公开' if rules['published'] else ''}。"
        )
        return self._d(dict(rules), rules["rule_id"], {}, text)

    def enforcement_ladder(self) -> Decision:
        """SX-0: the progressive enforcement steps, in order."""
        enf = self.pack.get("enforcement")
        if not enf:
            return self._d([], "", {}, "本政策未规定渐进式执法步骤。")
        steps = [dict(s) for s in enf["ladder"]]
        return self._d(
            steps, enf["rule_id"], {}, f"{enf['rule_id']}：" + "—".join(s["title"] for s in steps)
        )

    def warning_lead_days(self, kind: str) -> Decision:
        """SX-1: days before the due date a warning goes out (None when the kind isn't configured)."""
        warnings = self.pack["inspection"].get("warnings") or {}
        item = (warnings.get("kinds") or {}).get(kind)
        rid = warnings.get("rule_id", "")
        if item is None:
            return self._d(None, rid, {"kind": kind}, f"未配置“{kind}”预警。")
        return self._d(
            item["lead_days"],
            rid,
            {"kind": kind},
            f"{rid}：{item['title']}，提前{item['lead_days']}日预警提醒。",
        )

    # -- discretion ----------------------------------------------------------------------------
    def penalty_treatment(self, flags: set[str] | frozenset[str]) -> Decision:
        """SX-11/12/13, XJ-T/H: the treatment for a violation with these facts (vocab.VIOLATION_FLAGS)."""
        return discretion.treatment(self.pack, self.version_id, frozenset(flags))

    penalty_range = penalty_treatment

    def obligations(self, applies_to: str | None = None) -> Decision:
        """Obligations the text places on a step (SX-2/6/7/8/14/15, XJ-V/S/A, SX-O)."""
        items = {
            k: dict(v)
            for k, v in (self.pack.get("obligations") or {}).items()
            if applies_to is None or v["applies_to"] == applies_to
        }
        ids = tuple(dict.fromkeys(v["rule_id"] for v in items.values()))
        text = "\n".join(f"{v['rule_id']}：{v['title']}" for v in items.values()) or "无。"
        return self._d(items, ids[0] if ids else "", {"applies_to": applies_to}, text, rule_ids=ids)

    # --- registry ---
    def listed_status_rules(self) -> Decision:
        """The rules that alone give and end the listed status: the procedure's publication
        (XJ-P) and removal or the end of validity (XJ-R). The registry cites them when an edit
        or an import tries to set or clear the status itself."""
        ids = tuple(
            dict.fromkeys(
                rid
                for rid in (self.pack["procedure"]["rule_id"], self.pack["removal"]["rule_id"])
                if rid
            )
        )
        text = (
            "、".join(ids)
            + "：正面清单企业身份只能经纳入程序正式发布取得，经移出或有效期届满结束。"
        )
        return self._d(ids, ids[0] if ids else "", {}, text, rule_ids=ids)
