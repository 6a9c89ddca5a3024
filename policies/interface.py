"""The one interface the core calls: ``Policy`` answers a tenant's policy questions.

Every answer is a ``Decision`` (answer, rule id(s), facts used, policy version, Chinese
explanation; ``provisional`` for dates computed without holiday data). Build a ``Policy`` from the
effective pack of the version in force on the date asked (``version_in_force``). The core never
tests a region's name: every rule id and parameter comes from the pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from . import cases as _cases
from . import conditions as _conditions  # noqa: F401  (registers built-in rule kinds)
from . import discretion, inspection, ladder, listing, screening
from .decision import Decision, ScreeningResult
from .facts import EnterpriseFacts
from .hooks import REGISTRY, HookRegistry
from .listing import ListingRuleIds
from .national_layer import national_rule
from .versions import PolicyVersion
from .vocab import INSPECTION_CATEGORIES, LEVELS, ROLES, TRIGGERS

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
        *,
        calendar: Calendar,
    ) -> None:
        # The working-day calendar comes from the caller (the app's, or a test's): a pack
        # knows rules, not which days a year's State Council notice made working days.
        self.pack = effective
        self.version_id = version_id
        self.hooks = hooks or REGISTRY
        self.calendar = calendar

    @classmethod
    def from_version(
        cls,
        version: PolicyVersion,
        calendar: Calendar,
        hooks: HookRegistry | None = None,
    ) -> Policy:
        return cls(version.effective, version.version_id, hooks, calendar=calendar)

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

    # -- discretion ----------------------------------------------------------------------------
    def penalty_treatment(self, flags: set[str] | frozenset[str]) -> Decision:
        """SX-11/12/13, XJ-T/H: the treatment for a violation with these facts (vocab.VIOLATION_FLAGS)."""
        return discretion.treatment(self.pack, self.version_id, frozenset(flags))

    def decision_number(self, short: str, year: int, n: int) -> Decision:
        """SX-2 documents (issue 14 item 7): the decision's number by the pack's pattern
        (``cases.decision_number``), sequence ``n`` of ``year`` in the tenant."""
        cases = self.pack.get("cases") or {}
        pattern = str(cases.get("decision_number") or "{short}环罚〔{year}〕{n}号")
        number = pattern.replace("{short}", short).replace("{year}", str(year))
        number = number.replace("{n}", str(n))
        rid = str(cases.get("rule_id") or "")
        return Decision(
            number,
            rid,
            {"pattern": pattern, "year": year, "n": n},
            self.version_id,
            f"{rid}：决定书文号按“{pattern}”编排，本年度第{n}号。",
        )

    def coercive_measures(self) -> Decision:
        """SX-13 (issue 14 item 6): what a coercive or heavy measure on a case needs — a reason
        why lighter means do not suffice, legal review and the principal head's approval — and
        whether the region's text asks for them to be used sparingly."""
        section = self.pack["discretion"]
        sparingly = bool(section.get("coercive_measures_sparingly"))
        rid = str(section.get("coercive_rule_id") or section["rule_id"])
        text = (
            f"{rid}：审慎采取查封扣押、限产停产、暂扣吊销许可证件等措施，"
            "须说明采取较轻手段不足以达到目的的理由，经法制审核并报主要负责人批准"
            if sparingly
            else f"{rid}：采取查封扣押、限产停产、暂扣吊销许可证件等措施，"
            "须说明理由，经法制审核并报主要负责人批准（平台默认）"
        )
        return Decision(
            {"sparingly": sparingly, "requires": ["reason", "legal_review", "principal_approval"]},
            rid,
            {"coercive_measures_sparingly": sparingly},
            self.version_id,
            text + "。",
        )

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

    # --- positive list (listing) ---
    def listing_rule_ids(self) -> ListingRuleIds:
        """The rule id of each positive-list section (XJ-C, XJ-D, XJ-X, XJ-P, XJ-V, XJ-R), for
        the records and messages that cite one."""
        return listing.rule_ids(self.pack)

    def screening_conditions(self) -> dict[str, dict[str, Any]]:
        """XJ-C1..C7 in pack order: id → ``rule_id``, ``title``, ``kind`` and its parameters."""
        return listing.table(self.pack["screening"]["conditions"])

    def direct_routes(self) -> dict[str, dict[str, Any]]:
        """XJ-D routes in pack order: id → ``rule_id``, ``title``, ``kind`` and its parameters."""
        return listing.table(self.pack["direct_inclusion"].get("routes"))

    def reinclusion_bans(self) -> dict[str, dict[str, Any]]:
        """XJ-R bans on re-inclusion: id → ``rule_id``, ``title``, ``record_type``,
        ``only_malicious``, ``years``."""
        return listing.table(self.pack["removal"].get("bans"))

    def excluded_by(self, facts: EnterpriseFacts) -> tuple[dict[str, Any], ...]:
        """XJ-X exclusions that hold for ``facts`` (as ``screen`` reports them)."""
        return screening.exclusions_hit(self.pack, facts)

    def procedure_order(self) -> Decision:
        """XJ-P: the procedure's steps in the order the text gives (``PROCEDURE_STEPS`` names)."""
        return listing.procedure_order(self.pack, self.version_id)

    def compiled_by(self) -> Decision:
        """XJ-P: the level (``vocab.LEVELS``) whose bureau compiles the list."""
        return listing.level(self.pack, self.version_id, "compiled_by")

    def filed_with(self) -> Decision:
        """XJ-P: the level whose bureau receives the filing of a published list."""
        return listing.level(self.pack, self.version_id, "filed_with")

    def notice_content(self) -> Decision:
        """XJ-P: what a public notice shows (``NOTICE_FIELDS`` names)."""
        return listing.notice_content(self.pack, self.version_id)

    def validity_years(self) -> Decision:
        """XJ-V: years a listing is valid (``validity_end`` gives the date)."""
        return listing.validity_years(self.pack, self.version_id)

    def health_check_visits(self) -> Decision:
        """XJ-V: health-check visits (体检式帮扶) owed per listed year."""
        return listing.health_check_visits(self.pack, self.version_id)

    # --- inspections ---
    def inspection_plan_defaults(self) -> Decision:
        """SX-3: what an annual inspection plan starts from: the share of each category drawn
        (``ratios``), the on-site cap per enterprise and year of each category that has one
        (``caps``) and the triggers no cap counts (``exempt_triggers``)."""
        insp = self.pack["inspection"]
        caps = insp["caps"]
        ratios = {k: v["ratio"] for k, v in insp["categories"].items()}
        per_year = dict(caps["per_year"])
        exempt = list(caps["exempt_triggers"])
        rid = caps["rule_id"]
        text = (
            f"{rid}：年度检查计划按类别确定抽查比例（"
            + "，".join(f"{INSPECTION_CATEGORIES.get(k, k)}{r:.0%}" for k, r in ratios.items())
            + "）和每家企业每年现场检查上限（"
            + "，".join(f"{INSPECTION_CATEGORIES.get(k, k)}{n}次" for k, n in per_year.items())
            + f"）；{'、'.join(TRIGGERS.get(t, t) for t in exempt)}不受频次上限限制。"
        )
        answer = {"ratios": ratios, "caps": per_year, "exempt_triggers": exempt}
        return self._d(answer, rid, {}, text)

    def approval_by_level(self, level: str) -> Decision:
        """SX-5: the roles of ``level`` that approve an on-site inspection and the annual plan
        (any one of them); ``details["title"]`` names them as the text does. No roles when the
        pack sets none for that level."""
        approval = self.pack["inspection"]["approval"]
        route = approval["levels"].get(level) or {}
        roles = list(route.get("roles") or [])
        title = str(route.get("title") or "")
        rid = approval["rule_id"]
        text = (
            f"{rid}：{LEVELS.get(level, level)}由{title}（{'或'.join(ROLES.get(r, r) for r in roles)}）审批。"
            if roles
            else f"{rid}：本政策未规定{LEVELS.get(level, level)}的审批。"
        )
        return self._d(roles, rid, {"level": level}, text, details={"title": title})

    def listed_supervision(self) -> Decision:
        """XJ-S (SX-9 in Shanxi): how listed enterprises are inspected, the ``supervision``
        section (on-site triggers, off-site modes, prior notice of a joint visit, the reviewed
        self-inspection report after an anomaly, the ledger); None when the pack has none."""
        sup = self.pack.get("supervision") or {}
        rid = str(sup.get("rule_id") or "")
        if not sup:
            return self._d(None, "", {}, "本政策未规定正面清单企业的差异化监管。")
        text = f"{rid}：正面清单企业差异化监管，减少、免除现场检查，以非现场方式为主。"
        return self._d(dict(sup), rid, {}, text)

    def obligation(self, key: str) -> Decision:
        """One obligation of the ``obligations`` table by its id, e.g. ``joint_inspection``
        (SX-3: 综合一次查 and 双随机) or ``non_site`` (SX-8: off-site checks); None and no rule id
        when the pack places no such obligation."""
        item = (self.pack.get("obligations") or {}).get(key)
        if not item:
            return self._d(None, "", {"key": key}, f"本政策没有“{key}”这项义务。")
        return self._d(
            dict(item), item["rule_id"], {"key": key}, f"{item['rule_id']}：{item['title']}"
        )

    def feedback_workdays(self) -> int | None:
        """SX-6: working days after an inspection ends within which the enterprise is given its
        feedback, when the pack sets them (``inspection.feedback.workdays``); None otherwise
        (the texts say 及时反馈 without a number)."""
        workdays = (self.pack["inspection"].get("feedback") or {}).get("workdays")
        return int(workdays) if workdays else None

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

    # --- cases (penalties) ---
    def case_rule(self, key: str) -> Decision:
        """A national-layer rule of case handling, ``"topic.item"`` of ``national.rules`` (e.g.
        ``hearing.large_fine_organisation_yuan``, ``review.legal_review_cases``): its value (as
        the region set it within the law), rule id and article."""
        return national_rule(self.pack, key, self.version_id)

    def case_deadline(self, key: str, event_date: date) -> Decision:
        """The last day of a national period of case handling counted from ``event_date`` by
        the working-day calendar: ``hearing.request_days`` (告知后五日, working days),
        ``time_limit.decision_days`` (立案之日起九十日), ``time_limit.extension_days``,
        ``hearing.notice_days_before``, ``service.deliver_days``."""
        return _cases.deadline(self.pack, self.version_id, self.calendar, key, event_date)

    def case_catalogue(self) -> Decision:
        """The violation catalogue (``cases.violations``: provisions and statutory range), the
        measures they allow, the benchmark's factors and grades (SX-12) and the minor-violation
        list (SX-12/13, XJ-T) the case pages and the API offer."""
        return _cases.catalogue(self.pack, self.version_id)

    def discretion_benchmark(self, violation: str, levels: dict[str, str]) -> Decision:
        """SX-12: the benchmark applied to one violation's recorded factor levels: each factor's
        points, facts and source, the score, its grade and the grade's part of the range."""
        return _cases.benchmark(self.pack, self.version_id, violation, levels)

    def similar_cases(self) -> Decision:
        """类案同罚 (issue 14 item 3): ``{low_percentile, high_percentile, min_count}`` — a
        decision outside those percentiles of past similar decisions is "far"; None when the
        pack sets nothing (then nothing is flagged)."""
        disc = self.pack.get("discretion") or {}
        sim = disc.get("similar")
        if not sim:
            return self._d(None, "", {}, "本政策未规定类案偏离的判断标准。")
        basis = "（平台默认值）" if sim.get("basis") == "default" else ""
        text = (
            f"{sim['rule_id']}：同一违法行为、同一裁量阶次的既往决定不少于{sim['min_count']}件时，"
            f"低于第{sim['low_percentile']}百分位或高于第{sim['high_percentile']}百分位的罚款"
            f"视为明显偏离类案{basis}，提示法制审核和监督。"
        )
        answer = {k: sim[k] for k in ("low_percentile", "high_percentile", "min_count")}
        return self._d(answer, sim["rule_id"], {}, text)

    def no_penalty_grounds(self, flags: set[str] | frozenset[str]) -> Decision:
        """行政处罚法第三十三条 (national layer) against a violation's facts: "shall", "may" or
        None, with the articles that hold and the education duty that follows."""
        return _cases.no_penalty_grounds(self.pack, self.version_id, frozenset(flags))

    # --- reminders (issue 16 item 3) ---
    def reminder_lead(self) -> Decision:
        """How many working days before a computed deadline staff are reminded ("due soon"):
        ``reminders.lead_workdays`` (a platform default where the text gives no number; 3 when
        the pack says nothing)."""
        rem = self.pack.get("reminders")
        if not rem:
            return self._d(3, "", {}, "本政策未规定提醒提前量，按平台默认：期限届满前3个工作日。")
        basis = "（平台默认值）" if rem.get("basis") == "default" else ""
        text = f"{rem['rule_id']}：期限届满前{rem['lead_workdays']}个工作日提醒承办人{basis}。"
        return self._d(int(rem["lead_workdays"]), rem["rule_id"], {}, text)

    # --- filing a subordinate's policy with an ancestor (SX-12) ---
    def policy_filing(self, changed: Iterable[str]) -> Decision:
        """Whether a subordinate tenant's new version, changing the key paths ``changed``, must
        be filed and with which level (``discretion.filing``: SX-12 报省生态环境厅备案); None
        when it changes none of the filed keys or the pack files nothing. A path counts when it
        is a filed key, lies under one, or contains one."""
        filing = self.pack["discretion"].get("filing")
        if not filing:
            return self._d(None, "", {"changed": sorted(changed)}, "本政策未要求下级政策报备。")
        keys = list(filing["keys"])
        touched = sorted(
            {
                path
                for path in changed
                for key in keys
                if path == key or path.startswith(key + ".") or key.startswith(path + ".")
            }
        )
        facts = {"changed": sorted(changed), "filed_keys": keys, "touched": touched}
        if not touched:
            return self._d(None, filing["rule_id"], facts, "本次修改不涉及须报备的政策项。")
        return self._d(
            filing["filed_with"],
            filing["rule_id"],
            facts,
            f"{filing['rule_id']}：{filing['title']}（本次修改了其中{len(touched)}项）。",
        )

    # --- warnings (SX-1, issue 16) ---
    def _warnings(self) -> dict[str, Any]:
        return self.pack["inspection"].get("warnings") or {}

    def warning_kinds(self) -> Decision:
        """SX-1: the warning causes the pack configures, ``{kind: {title, lead_days, unit}}``
        (empty when the pack has no warnings section); the daily scan warns only these."""
        w = self._warnings()
        kinds = {
            k: {"title": v["title"], "lead_days": v["lead_days"], "unit": v.get("unit", "days")}
            for k, v in (w.get("kinds") or {}).items()
        }
        text = (
            f"{w['rule_id']}：" + "、".join(v["title"] for v in kinds.values())
            if w
            else "本政策未规定预警事项。"
        )
        return self._d(kinds, w.get("rule_id", ""), {}, text)

    def warning_lead_days(self, kind: str) -> Decision:
        """SX-1: how long before the due date a warning of ``kind`` goes out, as ``{n, unit}``
        (unit ``days`` or ``workdays``); None when the kind isn't configured."""
        w = self._warnings()
        item = (w.get("kinds") or {}).get(kind)
        rid = w.get("rule_id", "")
        if item is None:
            return self._d(None, rid, {"kind": kind}, f"未配置“{kind}”预警。")
        unit = item.get("unit", "days")
        basis = "（平台默认值）" if w.get("basis") == "default" else ""
        text = (
            f"{rid}：{item['title']}，提前{item['lead_days']}"
            f"{'个工作日' if unit == 'workdays' else '日'}预警提醒{basis}。"
        )
        return self._d({"n": item["lead_days"], "unit": unit}, rid, {"kind": kind}, text)

    def warning_answer_due(self, sent_on: date) -> Decision:
        """SX-1: the last day the enterprise has to answer a warning sent on ``sent_on``
        (``answer_workdays`` working days, the sending day not counted); past it the warning
        escalates to the officer."""
        w = self._warnings()
        n = int(w.get("answer_workdays") or 10)
        ans = self.calendar.period_end(sent_on, n, "workdays")
        basis = "（平台默认值）" if w.get("basis") == "default" else ""
        text = f"{w.get('rule_id', '')}：预警发出后{n}个工作日内答复{basis}，即{ans.value}前。"
        return self._d(
            ans.value,
            w.get("rule_id", ""),
            {"sent_on": sent_on.isoformat(), "workdays": n},
            text,
            provisional=ans.provisional,
        )

    def warning_next_rung(self, escalated_before: int) -> Decision:
        """SX-1 with SX-0: the rung an unanswered warning proposes when it escalates, given how
        many of the enterprise's warnings escalated before (the ladder's last rung repeats);
        ``{id, title}``, or None when the pack sets no escalation."""
        w = self._warnings()
        rungs = [dict(r) for r in (w.get("escalation") or [])]
        rid = w.get("rule_id", "")
        facts = {"escalated_before": escalated_before}
        if not rungs:
            return self._d(None, rid, facts, "本政策未规定预警升级措施。")
        rung = rungs[min(escalated_before, len(rungs) - 1)]
        text = (
            f"{rid}：预警逾期未答复，该企业此前已有{escalated_before}次预警升级，"
            f"建议采取“{rung['title']}”（顺序：{'→'.join(r['title'] for r in rungs)}）。"
        )
        return self._d(rung, rid, facts, text)

    # --- correction orders and rectification (NL-28, SX-14/15, XJ-R; issue 15) ---
    def _rectification(self) -> dict[str, Any]:
        return self.pack.get("rectification") or {}

    def correction_deadline(self, issued_on: date, days: int | None = None) -> Decision:
        """NL-28 / SX-14: the last day of a correction order made on ``issued_on`` (not itself
        counted), ``days`` working or calendar days as the pack's ``rectification.unit`` says
        (the pack's ``default_days`` when None; 15 working days when the pack says nothing).
        ``answer`` is ``{due, days, unit}``; None with the reason when ``days`` is out of range."""
        r = self._rectification()
        rid = r.get("rule_id", "")
        unit = r.get("unit", "workdays")
        n = int(days if days is not None else r.get("default_days", 15))
        most = int(r.get("max_days", 180))
        facts = {"issued_on": issued_on.isoformat(), "days": n, "unit": unit}
        if n < 1 or n > most:
            return self._d(None, rid, facts, f"{rid}：改正期限应为1至{most}{_UNIT_ZH[unit]}。")
        ans = self.calendar.period_end(issued_on, n, unit)
        basis = "（期限天数为平台默认值）" if days is None and r.get("basis") == "default" else ""
        text = (
            f"{rid}：自责令改正之日（{issued_on.isoformat()}，当日不计入）起{n}{_UNIT_ZH[unit]}"
            f"内改正，即{ans.value}前{basis}"
        )
        if ans.provisional:
            text += "（该年节假日安排未录入，仅按周末计算，结果为暂定）"
        return self._d(
            {"due": ans.value, "days": n, "unit": unit},
            rid,
            facts,
            text + "。",
            provisional=ans.provisional,
        )

    def correction_extension(
        self, current_due: date, days: int | None = None, until: date | None = None
    ) -> Decision:
        """延期整改 (SX-15 / XJ-R): the new deadline of an order now due on ``current_due``,
        ``days`` more working or calendar days (the pack's ``rectification.unit``) counted from
        it, or the date ``until``; never earlier than the current deadline (later, or nothing
        changes) and never past ``rectification.extension_max_days`` from it (the pack's
        ``default_days`` when unset). ``answer`` is ``{due, days, unit, limit}``; None with the
        reason when out of bounds."""
        r = self._rectification()
        rid = r.get("rule_id", "")
        unit = r.get("unit", "workdays")
        most = int(r.get("extension_max_days") or r.get("default_days", 15))
        limit = self.calendar.period_end(current_due, most, unit)
        facts = {
            "current_due": current_due.isoformat(),
            "days": days,
            "until": until.isoformat() if until else None,
            "unit": unit,
            "max": most,
        }
        bound = (
            f"{rid}：延期整改自现行改正期限（{current_due.isoformat()}）起最长延长"
            f"{most}{_UNIT_ZH[unit]}，即不晚于{limit.value}"
        )
        if r.get("basis") == "default" or not r.get("extension_max_days"):
            bound += "（平台默认值）"
        provisional = bool(limit.provisional)
        if until is not None:
            new = until
        elif days is not None and 1 <= days <= most:
            end = self.calendar.period_end(current_due, days, unit)
            new, provisional = end.value, provisional or bool(end.provisional)
        else:
            return self._d(None, rid, facts, f"{bound}；延长天数应为1至{most}{_UNIT_ZH[unit]}。")
        if new <= current_due:
            return self._d(
                None, rid, facts, f"{bound}；新的期限应晚于现行期限{current_due.isoformat()}。"
            )
        if new > limit.value:
            return self._d(None, rid, facts, f"{bound}；{new.isoformat()}超出可延长的期限。")
        text = f"{bound}；准予延期至{new.isoformat()}。"
        if provisional:
            text += "（该年节假日安排未录入，仅按周末计算，结果为暂定）"
        return self._d(
            {"due": new, "days": days, "unit": unit, "limit": limit.value},
            rid,
            facts,
            text,
            provisional=provisional,
        )

    def rectification_rules(self) -> Decision:
        """SX-15 / XJ-R: how rectification is verified and what overdue means here:
        ``{verify_trigger, verify_outside_cap, overdue_removal_reason}`` — the follow-up visit's
        trigger, whether the pack's cap exempts it (SX-3), and the removal reason (a key of
        ``removal.reasons``) an unjustified overdue order of a listed enterprise starts, or None."""
        r = self._rectification()
        rid = r.get("rule_id", "")
        trigger = r.get("verify_trigger", "follow_up")
        reason = r.get("overdue_removal_reason") or None
        if reason is not None and reason not in (self.pack.get("removal") or {}).get("reasons", {}):
            reason = None
        outside = self.cap_exempt(trigger)
        answer = {
            "verify_trigger": trigger,
            "verify_outside_cap": outside,
            "overdue_removal_reason": reason,
        }
        text = (
            f"{rid}：整改核查可采取非现场核查或现场核查；现场核查"
            + ("不计入" if outside else "计入")
            + "年度现场检查频次"
            + ("；正面清单企业无正当理由逾期不改正的，启动移出。" if reason else "。")
        )
        return self._d(answer, rid, {}, text)

    # --- enforcement ladder and payment (SX-0, SX-13, issue 15) ---
    def enforcement_ladder(self) -> Decision:
        """SX-0: the progressive enforcement rungs in order, ``[{id, title, proposable}]`` (ids
        from ``policies.schema_inspection.LADDER_KINDS``); empty when the pack has none."""
        return ladder.ladder(self.pack, self.version_id)

    def ladder_proposal(
        self, history: dict[str, int], flags: set[str] | frozenset[str]
    ) -> Decision:
        """SX-0 with SX-11: the rung proposed for a new finding, ``{id, title}``, from the
        enterprise's history (rung id -> acts within the pack's lookback) and the violation's
        facts (``vocab.VIOLATION_FLAGS``); serious facts go straight to the serious rung."""
        return ladder.proposal(self.pack, self.version_id, history, frozenset(flags))
