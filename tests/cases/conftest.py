"""Case test helpers: enterprises, the party's account, and a case driven through the API up to
a given step, each step on the day the test's clock says."""

from __future__ import annotations

from typing import Any

from tests.helpers import bearer
from tests.inspections.conftest import (  # noqa: F401  (shared helpers)
    acting,
    make_enterprise,
    make_enterprise_user,
    officer_ids,
)

SX = "/api/v1/tenants/sx-taiyuan"
XJ = "/api/v1/tenants/xj-urumqi"
API = {"sx-taiyuan": SX, "xj-urumqi": XJ}
OFFICERS = {
    "sx-taiyuan": ("taiyuan-officer1", "taiyuan-officer2"),
    "xj-urumqi": ("urumqi-officer1", "urumqi-officer2"),
}
HEAD = {"sx-taiyuan": "taiyuan-principal", "xj-urumqi": "urumqi-principal"}
REVIEWER = {"sx-taiyuan": "taiyuan-fazhi", "xj-urumqi": "urumqi-fazhi"}


class Desk:
    """The people of one city acting on cases through the API."""

    def __init__(self, client: Any, slug: str) -> None:
        self.client, self.slug, self.api = client, slug, API[slug]
        self.officer = bearer(OFFICERS[slug][0])
        self.head = bearer(HEAD[slug])
        self.reviewer = bearer(REVIEWER[slug])
        self.officer_ids = officer_ids(*OFFICERS[slug])

    def post(self, path: str, body: dict[str, Any], who: dict[str, str] | None = None) -> Any:
        return self.client.post(f"{self.api}{path}", json=body, headers=who or self.officer)

    def get(self, path: str, who: dict[str, str] | None = None) -> Any:
        return self.client.get(f"{self.api}{path}", headers=who or self.officer)

    def open_case(
        self, enterprise_id: int, facts: str = "现场检查发现违法事实。", **kw: Any
    ) -> dict[str, Any]:
        r = self.post(
            "/cases",
            {"enterprise_id": enterprise_id, "facts": facts, "officer_ids": self.officer_ids, **kw},
        )
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def add_violation(
        self, case_id: int, key: str, levels: dict[str, str], **kw: Any
    ) -> dict[str, Any]:
        r = self.post(
            f"/cases/{case_id}/violations",
            {"violation_key": key, "levels": levels, "facts": "事实", **kw},
        )
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def notify(self, case_id: int, penalties: list[dict[str, Any]]) -> Any:
        return self.post(f"/cases/{case_id}/notice", {"penalties": penalties})
