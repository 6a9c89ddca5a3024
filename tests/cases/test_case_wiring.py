"""Issue 14: every audit action the case services write reads as a sentence, and the case
pages are in the staff navigation for the roles with the permission."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from tenant_app.auth.roles import Perm, Role, permissions_for
from tenant_app.models.audit import AUDIT_ACTIONS
from tests.helpers import login

CASES = Path(__file__).resolve().parents[2] / "tenant_app" / "cases"


def test_every_case_audit_action_has_its_sentence() -> None:
    actions = {
        n.value
        for p in CASES.rglob("*.py")
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("case.")
    }
    assert len(actions) > 15
    assert actions - set(AUDIT_ACTIONS) == set()


def test_roles_officers_work_reviewers_review_the_principal_head_decides() -> None:
    def perms(role: Role) -> frozenset[Perm]:
        return permissions_for(frozenset({str(role)}))

    assert {Perm.CASES_VIEW, Perm.CASES_EDIT} <= perms(Role.OFFICER)
    assert Perm.CASES_DECIDE not in perms(Role.OFFICER)
    assert Perm.CASES_REVIEW in perms(Role.LEGAL_REVIEWER)
    assert Perm.CASES_EDIT not in perms(Role.LEGAL_REVIEWER)
    assert Perm.CASES_DECIDE in perms(Role.PRINCIPAL_HEAD)
    assert Perm.CASES_REVIEW not in perms(Role.PRINCIPAL_HEAD)
    assert perms(Role.ENTERPRISE) & {Perm.CASES_VIEW, Perm.OWN_CASES} == {Perm.OWN_CASES}


def test_navigation_links_the_case_pages(client: Any, app: Any, world: Any) -> None:
    assert login(client, "sx-taiyuan", "taiyuan-fazhi").status_code == 302
    assert 'href="/sx-taiyuan/cases/"' in client.get("/sx-taiyuan/").get_data(as_text=True)
    other = app.test_client()
    assert login(other, "sx-taiyuan", "taiyuan-admin").status_code == 302
    page = other.get("/sx-taiyuan/").get_data(as_text=True)
    assert 'href="/sx-taiyuan/cases/"' in page and "/enterprise/cases/" not in page
