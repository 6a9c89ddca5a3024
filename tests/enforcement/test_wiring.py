"""Issue 15: every audit action the enforcement services write reads as a sentence; the roles hold
what they should; the pages are in the navigation of who may open them."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from tenant_app.auth.roles import Perm, Role, permissions_for
from tenant_app.models.audit import AUDIT_ACTIONS
from tenant_app.models.notification import NOTIFICATION_KINDS
from tests.helpers import login

ENFORCEMENT = Path(__file__).resolve().parents[2] / "tenant_app" / "enforcement"


def test_every_enforcement_audit_action_has_its_sentence() -> None:
    actions = {
        n.value
        for p in ENFORCEMENT.rglob("*.py")
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value.startswith(("payment.", "ladder.", "education."))
        and " " not in n.value
    }
    assert {"payment.decided", "ladder.step", "education.recorded"} <= actions
    others = {
        "payment.due",
        "payment.period_days",
        "payment.surcharge_rate_per_day",
        "payment.surcharge_cap",
        "payment.deferral_approver",
        "payment.deferral_or_instalments",
        "payment.enforcement_application",
        "payment.surcharge_paused_during_review",
    }
    assert actions - set(AUDIT_ACTIONS) - others == set()
    assert {
        "payment_application",
        "payment_decided",
        "payment_enforcement",
        "ladder_document",
    } <= set(NOTIFICATION_KINDS)


def test_roles_officers_record_heads_read_the_enterprise_its_own() -> None:
    def perms(role: Role) -> frozenset[Perm]:
        return permissions_for(frozenset({str(role)}))

    assert {Perm.ENFORCEMENT_VIEW, Perm.ENFORCEMENT_EDIT} <= perms(Role.OFFICER)
    assert Perm.ENFORCEMENT_VIEW in perms(Role.PRINCIPAL_HEAD)
    assert Perm.ENFORCEMENT_EDIT not in perms(Role.AUDITOR)
    assert perms(Role.ENTERPRISE) & {Perm.ENFORCEMENT_VIEW, Perm.OWN_ENFORCEMENT} == {
        Perm.OWN_ENFORCEMENT
    }


def test_navigation_links_the_enforcement_pages(client: Any, world: Any) -> None:
    assert login(client, "sx-taiyuan", "taiyuan-officer1").status_code == 302
    page = client.get("/sx-taiyuan/").get_data(as_text=True)
    assert 'href="/sx-taiyuan/enforcement/"' in page and "/enterprise/enforcement/" not in page
