"""Schemas of the enforcement-case sections (issue 14): the violation catalogue (``cases``) and
the discretion benchmark's factors and grades (``discretion.factors``, ``discretion.grades``).

A catalogue entry names the provision violated, the penalty provision with its text, and the
statutory fine range; ``basis = "law"`` when the article was read in the law's text, "default"
when the platform could not read it. A factor's levels move the fine within the statutory range
by points; the grades turn the points into a share of the range (裁量阶次)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from .schema_fields import Bool, Int, List, Name, Names, Nested, Num, Str, StrictSchema, Table
from .schema_listing import BASIS, Section
from .vocab import VIOLATION_FLAGS

# Where a catalogue entry comes from: the law's article read in its text, or a platform default.
CATALOGUE_BASIS = {
    "law": "出自法律条文（已读原文）",
    "default": "未能读到原文，平台默认，须按原文核对",
}


class MeasureSchema(StrictSchema):
    """A penalty other than a fine that a provision allows (责令停产整治, 责令停业、关闭).
    ``hearing_item`` names the item of the national hearing lists (``national.rules.hearing``)
    it falls under; none when it gives no right to a hearing."""

    title = Str()
    hearing_item = Str(required=False)
    note = Str(required=False)


class ViolationSchema(StrictSchema):
    title = Str()
    law = Str()
    provision = Str()  # the article violated
    penalty_provision = Str()  # the article that sets the penalty
    quote = Str(required=False)
    fine_min = Int(min=0, max=10**9)
    fine_max = Int(min=0, max=10**9)
    measures = List(Str(), required=False, unique=True)
    flags = Names(VIOLATION_FLAGS, "违法情节", required=False)  # facts the violation itself is
    basis = Name(CATALOGUE_BASIS, "依据类型")
    note = Str(required=False)

    @validates_schema
    def _range(self, data: dict[str, Any], **kw: Any) -> None:
        if data["fine_min"] > data["fine_max"]:
            raise ValidationError({"fine_min": ["罚款下限不能高于上限 (fine_min > fine_max)"]})


class CasesSchema(Section):
    measures = Table(Nested(MeasureSchema), required=False)
    # 决定书文号 pattern: {short} the tenant's short name, {year}, {n} the sequence in the year
    # (e.g. "并环罚〔{year}〕{n}号" set by Taiyuan as a policy version).
    decision_number = Str(required=False)
    violations = Table(Nested(ViolationSchema), min_len=1)

    @validates_schema
    def _measures_known(self, data: dict[str, Any], **kw: Any) -> None:
        known = set(data.get("measures") or {})
        errors = {
            key: {"value": {"measures": [f"未定义的处罚措施：{', '.join(sorted(bad))}"]}}
            for key, v in data["violations"].items()
            if (bad := set(v.get("measures") or []) - known)
        }
        if errors:
            raise ValidationError({"violations": errors})


class FactorLevelSchema(StrictSchema):
    title = Str()
    points = Int(min=-10, max=10)
    flags = Names(VIOLATION_FLAGS, "违法情节", required=False)
    # 行政处罚法第三十二条 (national.rules.mitigation): a circumstance that *shall* lighten or
    # mitigate; the proposal then stays in the lowest grade.
    mitigation = Bool(required=False)


class FactorSchema(StrictSchema):
    title = Str()
    basis = Name(BASIS, "依据类型")
    default = Str()
    levels = Table(Nested(FactorLevelSchema), min_len=2)
    note = Str(required=False)

    @validates_schema
    def _default_is_a_level(self, data: dict[str, Any], **kw: Any) -> None:
        if data["default"] not in data["levels"]:
            raise ValidationError({"default": [f"“{data['default']}”不是本因素的档次"]})


class GradeSchema(StrictSchema):
    """One grade (裁量阶次): scores up to ``max_score`` (the last grade has none) put the fine
    between ``share_from`` and ``share_to`` of the statutory range."""

    title = Str()
    max_score = Int(min=-100, max=100, required=False)
    share_from = Num(min=0, max=1)
    share_to = Num(min=0, max=1)

    @validates_schema
    def _order(self, data: dict[str, Any], **kw: Any) -> None:
        if data["share_from"] > data["share_to"]:
            raise ValidationError({"share_from": ["下限不能高于上限"]})


FactorsField = Table(Nested(FactorSchema), required=False)
GradesField = Table(Nested(GradeSchema), required=False)


def grade_errors(grades: dict[str, Any]) -> dict[str, Any]:
    """Grades in pack order: rising ``max_score``, only the last without one."""
    errors: dict[str, Any] = {}
    items = list(grades.items())
    last = None
    for i, (key, g) in enumerate(items):
        bound = g.get("max_score")
        if bound is None and i != len(items) - 1:
            errors[key] = {"value": {"max_score": ["只有最后一个档次可以不设分数上限"]}}
        elif bound is not None and i == len(items) - 1:
            errors[key] = {"value": {"max_score": ["最后一个档次不设分数上限"]}}
        elif bound is not None and last is not None and bound <= last:
            errors[key] = {"value": {"max_score": ["分数上限应逐档递增"]}}
        last = bound if bound is not None else last
    return errors
