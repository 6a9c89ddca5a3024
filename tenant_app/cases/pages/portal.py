"""The enterprise's side of its cases: the cases it has been told of, the notice with facts,
provisions, the proposed penalty and its reasons, its rights and their deadline; the statement,
hearing request or waiver filed online within the window; the decision once made. The
enterprise is the one the user's verified account links to, never an id from the URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.cases.pages.staff import _act, document_response
from tenant_app.cases.services import documents, party, stages
from tenant_app.cases.services.common import policy_of, violations_of
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.actions import confirmed_action

bp = Blueprint(
    "cases_portal", __name__, template_folder="../templates", url_prefix="/enterprise/cases"
)

DONE = {
    "statement": _l("已提交陈述、申辩"),
    "hearing_request": _l("已提出听证要求"),
    "waiver": _l("已明确放弃陈述、申辩和听证"),
}


@bp.get("/")
@permission(Perm.OWN_CASES)
def mine() -> Any:
    return render_template("cases/mine.html", rows=party.my_cases(request_context()))


@bp.get("/<int:case_id>/")
@permission(Perm.OWN_CASES)
def my_case(case_id: int) -> Any:
    ctx = request_context()
    case = party.my_case(ctx, case_id)
    return render_template(
        "cases/mine_show.html",
        case=case,
        violations=violations_of(case),
        statements=party.statements(case),
        window_open=stages.window_open(case, ctx.today),
        measures=policy_of(ctx).case_catalogue().answer["measures"],
    )


@bp.post("/<int:case_id>/statements")
@permission(Perm.OWN_CASES)
def file(case_id: int) -> Any:
    ctx = request_context()
    case = party.my_case(ctx, case_id)
    kind = request.form.get("kind", "")
    back = url_for(".my_case", case_id=case.id)
    if kind in ("hearing_request", "waiver"):  # one button each, irreversible: confirmed
        confirmed_action(lambda: party.file(ctx, case, kind, ""), str(DONE[kind]))
        return redirect(back)
    return _act(
        lambda: party.file(ctx, case, kind, request.form.get("content", "")),
        str(DONE.get(kind) or _("已提交")),
        back,
    )


def _document(case_id: int, kind: str, as_docx: bool) -> Any:
    """The party receives its notice and, once made, its decision (print view and DOCX)."""
    ctx = request_context()
    case = party.my_case(ctx, case_id)
    doc = documents.build(ctx, case, kind)
    return document_response(
        doc,
        url_for(".my_case", case_id=case.id),
        url_for(".document_docx", case_id=case.id, kind=kind),
        as_docx,
    )


@bp.get("/<int:case_id>/documents/<kind>")
@permission(Perm.OWN_CASES)
def document(case_id: int, kind: str) -> Any:
    return _document(case_id, kind, as_docx=False)


@bp.get("/<int:case_id>/documents/<kind>.docx")
@permission(Perm.OWN_CASES)
def document_docx(case_id: int, kind: str) -> Any:
    return _document(case_id, kind, as_docx=True)
