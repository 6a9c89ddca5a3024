"""Documents with reasoning (说理式文书, SX-2; issue 14 item 7): the notice of the proposed
decision (行政处罚事先告知书) and the decision (行政处罚决定书), generated from the case — facts,
evidence list, provisions, each factor and its effect, the reason for the outcome, the party's
statements and how they were answered, rights and their deadlines — as one structure that the
print view (HTML) and the editable DOCX (python-docx) both render.

The decision carries its number (``cases.decision_no``, assigned with the decision); the notice
refers to the case. The content is the case as stored: a document generated again gives the same
text until the case changes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from tenant_app.cases.services.common import (
    NotFound,
    policy_of,
    refuse,
    statements_of,
    tenant_of,
    violations_of,
)
from tenant_app.cases.services.evidence import evidence_of, inspection_evidence
from tenant_app.context import Context
from tenant_app.models import Case
from tenant_app.models.case import DECISION_OUTCOMES, STATEMENT_KINDS

KINDS = {"notice": "行政处罚事先告知书", "decision": "行政处罚决定书"}


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Document:
    kind: str
    title: str
    issuer: str
    number: str
    party: list[str]
    sections: list[Section]
    date: str
    rule_ids: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "issuer": self.issuer,
            "number": self.number,
            "party": self.party,
            "sections": [{"heading": s.heading, "paragraphs": s.paragraphs} for s in self.sections],
            "date": self.date,
            "rule_ids": self.rule_ids,
        }


def _evidence(case: Case) -> list[str]:
    """The linked inspection's evidence (reused) and the files collected for the case, each
    with its SHA-256."""
    out: list[str] = []
    for ev in inspection_evidence(case):
        what = ev.filename or ev.reference or ev.kind
        digest = f"，SHA-256 {ev.sha256}" if ev.sha256 else ""
        note = f"（{ev.note}）" if ev.note else ""
        out.append(f"{len(out) + 1}. {what}{note}{digest}")
    for cev in evidence_of(case):
        note = f"（{cev.note}）" if cev.note else ""
        out.append(
            f"{len(out) + 1}. {cev.filename}{note}，{cev.collected_on}调取，SHA-256 {cev.sha256}"
        )
    return out


def _penalty_text(outcome: str | None, fine: int | None, measures: list[str], titles: Any) -> str:
    if outcome == "fine":
        extra = "、".join(titles.get(m, {}).get("title", m) for m in measures)
        return f"罚款人民币{fine or 0}元" + (f"，并{extra}" if extra else "")
    return DECISION_OUTCOMES.get(outcome or "", "尚未确定")


def build(ctx: Context, case: Case, kind: str) -> Document:
    if kind not in KINDS:
        raise NotFound("没有该文书")
    policy = policy_of(ctx)
    if kind == "notice" and case.noticed_on is None:
        rule = policy.case_rule("notice.before_decision")
        raise refuse(rule.rule_id, "尚未告知，不能生成事先告知书")
    if kind == "decision" and case.decided_on is None:
        rule = policy.case_rule("notice.no_decision_without_notice")
        raise refuse(rule.rule_id, "尚未作出决定，不能生成决定书")
    tenant = tenant_of(ctx)
    catalogue = policy.case_catalogue().answer
    measures = catalogue["measures"]
    e = case.enterprise
    violations = violations_of(case)
    statements = statements_of(case)
    rule_ids: list[str] = []

    party = [
        f"当事人：{e.name}",
        f"统一社会信用代码：{e.uscc}",
        f"法定代表人（负责人）：{e.legal_representative or '—'}",
        f"地址：{e.address or '—'}",
    ]
    sections: list[Section] = []
    sections.append(Section("一、违法事实", [case.facts or "—"]))
    evidence = _evidence(case)
    sections.append(
        Section(
            "二、证据",
            evidence or ["现场检查笔录、询问笔录及执法人员调查收集的其他证据（详见案卷）。"],
        )
    )
    provisions: list[str] = []
    factors: list[str] = []
    reasons: list[str] = []
    for v in violations:
        p = v.proposal or {}
        provisions.append(
            f"“{v.title}”：违反{p.get('law', '')}{v.provision}；依据{v.penalty_provision}，"
            f"处{v.fine_min}元以上{v.fine_max}元以下罚款。"
            + (f"条文：{p['quote']}" if p.get("quote") else "")
        )
        for f in p.get("factors") or []:
            factors.append(
                f"“{v.title}”·{f.get('title', '')}：{f.get('level_title', '')}，"
                f"{f.get('effect', '')}"
                + (f"（{f['facts']}）" if f.get("facts") else "")
                + f"；依据：{f.get('source', '')}"
            )
        reasons.extend(f"“{v.title}”：{line}" for line in p.get("lines") or [])
        outcome = v.outcome if kind == "decision" else v.intended_outcome
        fine = v.fine if kind == "decision" else v.intended_fine
        chosen = v.measures if kind == "decision" else v.intended_measures
        penalty = _penalty_text(outcome, fine, list(chosen or []), measures)
        reasons.append(
            f"“{v.title}”：{'决定' if kind == 'decision' else '拟'}{penalty}"
            + (f"。偏离裁量建议的理由：{v.reason}" if v.outside_proposal and v.reason else "。")
        )
        rule_ids.extend(p.get("rule_ids") or [])
    sections.append(Section("三、法律依据", provisions or ["—"]))
    sections.append(Section("四、裁量情节及其影响", factors or ["未记录裁量情节。"]))
    sections.append(Section("五、处理理由与结果", reasons or ["—"]))

    if kind == "notice":
        rights = policy.case_rule("notice.statement_and_defence")
        lines = [
            f"根据{rights.rule_id}，你（单位）有权进行陈述和申辩"
            + (f"，请于{case.statement_due}前提出" if case.statement_due else "")
            + "；逾期视为放弃。"
        ]
        if case.hearing_eligible:
            hearing = policy.case_rule("hearing.request_days")
            lines.append(
                f"根据{hearing.rule_id}，你（单位）有权要求听证，应当在告知后"
                f"{hearing.answer}个工作日内提出"
                + (f"（至{case.statement_due}）" if case.statement_due else "")
                + "。"
            )
            rule_ids.append(hearing.rule_id)
        rule_ids.append(rights.rule_id)
        sections.append(Section("六、当事人的权利和期限", lines))
        date = str(case.noticed_on)
        number = f"案件编号 {case.id}"
    else:
        answered = []
        for st in statements:
            label = STATEMENT_KINDS.get(st.kind, st.kind)
            line = f"{st.filed_on} {label}：{st.content or '—'}"
            if st.kind == "statement":
                verdict = "予以采纳" if st.adopted else "不予采纳"
                line += f"。复核意见（{st.answered_on or '—'}，{verdict}）：{st.answer or '—'}"
            answered.append(line)
        if case.hearing_held_on:
            answered.append(f"{case.hearing_held_on} 举行听证：{case.hearing_record}")
        sections.append(
            Section("六、当事人的陈述、申辩及采纳情况", answered or ["当事人未提出陈述、申辩。"])
        )
        correction = policy.case_rule("correction.order_correction")
        orders = [
            f"根据{correction.rule_id}，责令你（单位）{case.correction_order}"
            + (f"，于{case.correction_due}前改正。" if case.correction_due else "。")
        ]
        if case.education_record:
            edu = policy.case_rule("no_penalty.education")
            orders.append(f"根据{edu.rule_id}，已对你（单位）进行教育：{case.education_record}")
            rule_ids.append(edu.rule_id)
        rule_ids.append(correction.rule_id)
        sections.append(Section("七、责令改正", orders))
        review = policy.case_rule("remedy.review_days")
        suit = policy.case_rule("remedy.litigation_months")
        unit = {"days": "日", "months": "个月"}
        sections.append(
            Section(
                "八、申请行政复议或者提起行政诉讼的途径和期限",
                [
                    f"如不服本决定，可以自收到本决定书之日起{review.answer}"
                    f"{unit.get(str(review.details.get('unit')), '日')}内申请行政复议（{review.rule_id}），"
                    f"或者{suit.answer}{unit.get(str(suit.details.get('unit')), '个月')}内"
                    f"依法向人民法院提起行政诉讼（{suit.rule_id}）。",
                    "申请行政复议或者提起行政诉讼期间，本决定不停止执行（法律另有规定的除外）。",
                ],
            )
        )
        rule_ids.extend([review.rule_id, suit.rule_id])
        date = str(case.decided_on)
        number = case.decision_no
    return Document(
        kind=kind,
        title=KINDS[kind],
        issuer=f"{tenant.name}生态环境主管部门",
        number=number,
        party=party,
        sections=sections,
        date=date,
        rule_ids=list(dict.fromkeys(r for r in rule_ids if r)),
    )


def docx_bytes(doc: Document) -> bytes:
    """The editable DOCX (Word and WPS open python-docx's OOXML)."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    out = Docx()
    style = out.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for text_, size in ((doc.issuer, 16), (doc.title, 20)):
        p = out.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text_)
        run.bold = True
        run.font.size = Pt(size)
    p = out.add_paragraph(doc.number)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for line in doc.party:
        out.add_paragraph(line)
    for s in doc.sections:
        out.add_heading(s.heading, level=2)
        for para in s.paragraphs:
            out.add_paragraph(para)
    p = out.add_paragraph(f"{doc.issuer}\n{doc.date}")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
