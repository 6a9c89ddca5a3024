"""Issue 16: every audit action the warning services write reads as a sentence, the roles hold
what they should, and the warning pages are in the navigation of who may open them."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from tenant_app.auth.roles import Perm, Role, permissions_for
from tenant_app.jobs.periodic import PERIODIC
from tenant_app.models.audit import AUDIT_ACTIONS
from tests.helpers import login

WARNINGS = Path(__file__).resolve().parents[2] / "tenant_app" / "warnings"


def test_every_warning_audit_action_has_its_sentence() -> None:
    actions = {
        n.value
        for p in WARNINGS.rglob("*.py")
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value.startswith(("warning.", "warnings.", "monitoring."))
        and " " not in n.value
    }
    assert {"warning.answered", "warning.escalated", "monitoring.batch_taken"} <= actions
    # Not audit actions: a notification kind, a reminder kind, the job's name.
    others = {"warning.sent", "warning.answer", "warnings.scan"}
    assert actions - set(AUDIT_ACTIONS) - others == set()


def test_roles_officers_act_heads_read_the_enterprise_answers() -> None:
    def perms(role: Role) -> frozenset[Perm]:
        return permissions_for(frozenset({str(role)}))

    assert {Perm.WARNINGS_EDIT, Perm.MONITORING_INTAKE} <= perms(Role.OFFICER)
    assert Perm.WARNINGS_VIEW in perms(Role.PRINCIPAL_HEAD)
    assert Perm.WARNINGS_EDIT not in perms(Role.AUDITOR)
    assert perms(Role.ENTERPRISE) & {Perm.WARNINGS_VIEW, Perm.OWN_WARNINGS} == {Perm.OWN_WARNINGS}
    assert Perm.OWN_WARNINGS not in perms(Role.SUPERADMIN)


def test_the_scan_is_a_daily_per_tenant_job() -> None:
    (p,) = [p for p in PERIODIC if p.job == "warnings.scan"]
    assert p.per_tenant and p.every_seconds == 86400


def test_navigation_links_the_warning_pages(client: Any, app: Any, world: Any) -> None:
    assert login(client, "sx-taiyuan", "taiyuan-officer1").status_code == 302
    page = client.get("/sx-taiyuan/").get_data(as_text=True)
    assert 'href="/sx-taiyuan/warnings/"' in page and "/enterprise/warnings/" not in page
