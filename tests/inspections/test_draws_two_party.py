"""Issue 11 item 13: draws (双随机, SX-3) that no single person can steer.

The seed comes from two secrets, the officer's and a witness's (a legal reviewer), each committed
(sha256) before either is revealed; the pool is frozen and published with its hash at commit
time; anyone recomputes the draw exactly from the published JSON (docs/draws.md).

Dates: the draw is committed on Monday 2026-09-28, before the National Day holiday (2026-10-01 to
10-07, State Council notice 国办发明电〔2025〕7号, make-up working days 09-20 and 10-10), for visits on
Monday 2026-10-12, the first full working week after it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from pathlib import Path
from typing import Any

import pytest

from tenant_app.accounts import users as user_service
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.inspections.services import draws
from tenant_app.models import AuditEntry, Draw
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD, tenant

from .conftest import acting, make_enterprise

PLANNED = "2026-10-12"
OFFICER_SECRET = "a1" * 32
WITNESS_SECRET = "5c" * 32


def _user(slug: str, username: str, role: str, cert: str | None = None) -> None:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        user_service.create_user(
            scope_context(),
            tenant=t,
            username=username,
            display_name=username,
            password=PASSWORD,
            roles=[role],
            **({"certificate_no": cert} if cert else {}),
        )
        db.session.commit()


def _registry(n: int = 40) -> None:
    for i in range(n):
        make_enterprise(
            "sx-taiyuan",
            key_discharger=i % 4 == 0,
            supervision_category="listed" if i % 10 == 0 else "general",
        )


def _commit(**kw: Any) -> int:
    with acting("taiyuan-officer1", "sx-taiyuan"):
        d = draws.commit_draw(
            scope_context(),
            {
                "planned_date": PLANNED,
                "ratios": {"general": 0.25, "key": 0.5, "listed": 1},
                "secret": OFFICER_SECRET,
                **kw,
            },
        )
        db.session.commit()
        return d.id


def _as(username: str, fn: Any) -> Any:
    with acting(username, "sx-taiyuan"):
        try:
            out = fn()
        except ServiceError:
            db.session.rollback()  # as the pages and the API do: a refusal writes nothing
            raise
        db.session.commit()
        if hasattr(out, "__table__"):  # detached with its values: RLS would hide a reload
            db.session.refresh(out)
            db.session.expunge(out)
        return out


def _public(client: Any, draw_id: int) -> dict[str, Any]:
    r = client.get(f"/sx-taiyuan/public/draws/{draw_id}.json")
    assert r.status_code == 200
    return r.get_json()


@pytest.fixture()
def witness(world: dict[str, Any]) -> str:
    _user("sx-taiyuan", "taiyuan-legal", "legal_reviewer")
    return "taiyuan-legal"


@pytest.mark.today("2026-09-28")
def test_the_officer_alone_cannot_choose_the_outcome(witness: str, client: Any) -> None:
    _registry()
    did = _commit()
    # The secret is not stored: only its commitment is, and it is public from the start.
    with use_scope(system_scope()):
        row = db.session.get(Draw, did)
        assert row is not None and row.seed == "" and row.protocol == 2
        assert OFFICER_SECRET not in json.dumps(row.contributions)
    published = _public(client, did)
    officer_c = published["contributions"][0]
    assert officer_c["party"] == "officer"
    assert officer_c["commitment"] == hashlib.sha256(OFFICER_SECRET.encode()).hexdigest()
    # Nobody reveals before every party has committed: the officer cannot draw alone.
    with pytest.raises(ServiceError):
        _as(
            "taiyuan-officer1",
            lambda: draws.reveal(scope_context(), draws.get_draw(did), OFFICER_SECRET),
        )
    with pytest.raises(ServiceError):  # the protocol-1 shortcut is closed for new draws
        _as("taiyuan-officer1", lambda: draws.execute_draw(scope_context(), draws.get_draw(did)))
    # The committing officer cannot be their own witness, nor can another officer of the pool.
    with pytest.raises(ServiceError):
        _as(
            "taiyuan-officer1",
            lambda: draws.commit_witness(
                scope_context(), draws.get_draw(did), {"secret": "0" * 64}
            ),
        )
    with pytest.raises(ServiceError):
        _as(
            "taiyuan-officer2",
            lambda: draws.commit_witness(
                scope_context(), draws.get_draw(did), {"secret": "0" * 64}
            ),
        )
    _as(
        witness,
        lambda: draws.commit_witness(
            scope_context(), draws.get_draw(did), {"secret": WITNESS_SECRET}
        ),
    )
    _as(
        "taiyuan-officer1",
        lambda: draws.reveal(scope_context(), draws.get_draw(did), OFFICER_SECRET),
    )
    d = _as(witness, lambda: draws.reveal(scope_context(), draws.get_draw(did), WITNESS_SECRET))
    assert d.status == "drawn" and draws.verify(d)
    # The officer's revealed secret alone does not determine the draw: with the same officer
    # secret and pool, another witness secret gives another seed and another selection.
    other = [
        {**c, "secret": ("e7" * 32 if c["party"] == "witness" else c["secret"])}
        for c in d.contributions
    ]
    other_seed = draws.derive_seed(d.pool_hash, other)
    assert other_seed != d.seed
    assert draws.compute(other_seed, d.pool, d.ratios, d.conflicts) != d.result
    # ...and the seed is not the officer's secret nor any function of it alone.
    assert (
        d.seed != OFFICER_SECRET and d.seed != hashlib.sha256(OFFICER_SECRET.encode()).hexdigest()
    )


@pytest.mark.today("2026-09-28")
def test_a_reveal_that_does_not_match_its_commitment_is_refused(witness: str) -> None:
    _registry(12)
    did = _commit()
    _as(
        witness,
        lambda: draws.commit_witness(
            scope_context(), draws.get_draw(did), {"secret": WITNESS_SECRET}
        ),
    )
    with pytest.raises(ServiceError) as exc:
        _as(
            "taiyuan-officer1",
            lambda: draws.reveal(scope_context(), draws.get_draw(did), "a2" * 32),
        )
    assert "承诺" in exc.value.message
    with pytest.raises(ServiceError):  # a witness cannot reveal the officer's secret for them
        _as(witness, lambda: draws.reveal(scope_context(), draws.get_draw(did), OFFICER_SECRET))
    with use_scope(system_scope()):
        d = db.session.get(Draw, did)
        assert d is not None and d.status == "sealed"
        assert all(c["secret"] is None or c["party"] == "witness" for c in d.contributions)
        kinds = list(db.session.execute(db.select(AuditEntry.action)).scalars())
        assert "draw.witness_committed" in kinds and "draw.sealed" in kinds
        assert "draw.executed" not in kinds


@pytest.mark.today("2026-09-28")
def test_the_pool_published_at_commit_time_is_the_pool_drawn_from(
    witness: str, client: Any
) -> None:
    _registry(20)
    did = _commit()
    at_commit = _public(client, did)
    doc = {k: at_commit[k] for k in ("planned_date", "pool", "ratios", "conflicts")}
    assert at_commit["pool_hash"] == hashlib.sha256(draws.canonical(doc).encode()).hexdigest()
    # An enterprise registered after the commitment is not in the draw.
    late = make_enterprise("sx-taiyuan", supervision_category="general")
    _as(
        witness,
        lambda: draws.commit_witness(
            scope_context(), draws.get_draw(did), {"secret": WITNESS_SECRET}
        ),
    )
    # A pool changed behind the published hash cannot be drawn from.
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        row = db.session.get(Draw, did)
        assert row is not None
        pool = json.loads(json.dumps(row.pool))
        pool["enterprises"]["general"] = [*pool["enterprises"]["general"], late.id]
        row.pool = pool
        db.session.commit()
    _as(
        "taiyuan-officer1",
        lambda: draws.reveal(scope_context(), draws.get_draw(did), OFFICER_SECRET),
    )
    with pytest.raises(ServiceError):
        _as(witness, lambda: draws.reveal(scope_context(), draws.get_draw(did), WITNESS_SECRET))
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        row = db.session.get(Draw, did)
        assert row is not None
        row.pool = at_commit["pool"]  # put back what was published
        db.session.commit()
    d = _as(witness, lambda: draws.reveal(scope_context(), draws.get_draw(did), WITNESS_SECRET))
    assert d.status == "drawn"
    drawn = {r["enterprise_id"] for r in d.result}
    published_ids = {i for ids in at_commit["pool"]["enterprises"].values() for i in ids}
    assert drawn <= published_ids and late.id not in drawn
    assert _public(client, did)["pool"] == at_commit["pool"]


@pytest.mark.today("2026-09-28")
def test_public_recomputation_reproduces_the_draw_exactly(witness: str, client: Any) -> None:
    _registry(30)
    did = _commit()
    _as(
        witness,
        lambda: draws.commit_witness(
            scope_context(), draws.get_draw(did), {"secret": WITNESS_SECRET}
        ),
    )
    before = _public(client, did)
    assert "seed" not in before and all("secret" not in c for c in before["contributions"])
    _as(witness, lambda: draws.reveal(scope_context(), draws.get_draw(did), WITNESS_SECRET))
    _as(
        "taiyuan-officer1",
        lambda: draws.reveal(scope_context(), draws.get_draw(did), OFFICER_SECRET),
    )
    pub = _public(client, did)
    # Recompute with nothing but the published JSON and docs/draws.md's snippet, as written.
    text = (Path(__file__).resolve().parents[2] / "docs" / "draws.md").read_text(encoding="utf-8")
    snippet = text[text.index("def recompute(published)") :].split("\n```")[0]
    ns: dict[str, Any] = {"hashlib": hashlib, "hmac": hmac, "json": json, "math": math}
    exec(snippet, ns)  # noqa: S102 - our own documentation, checked to stay true
    assert ns["recompute"](pub) == pub["result"]
    assert pub["seed"] == draws.derive_seed(pub["pool_hash"], pub["contributions"])
    # The public page says the recomputation agrees.
    page = client.get(f"/sx-taiyuan/public/draws/{did}").get_data(as_text=True)
    assert "复核一致" in page and pub["pool_hash"] in page and WITNESS_SECRET in page


@pytest.mark.today("2026-09-28")
def test_two_party_draw_through_the_pages_and_api(witness: str, client: Any) -> None:
    from tests.helpers import csrf_from, login

    from .test_inspection_pages import _form

    _registry(10)
    login(client, "sx-taiyuan", "taiyuan-officer1")
    _form(
        client,
        "/sx-taiyuan/inspections/draws/",
        {"planned_date": PLANNED, "ratio_general": "0.5", "secret": OFFICER_SECRET},
    )
    with use_scope(system_scope()):
        did = db.session.execute(db.select(Draw.id)).scalar_one()
    page = client.get(f"/sx-taiyuan/inspections/draws/{did}/").get_data(as_text=True)
    assert "待见证人承诺" in client.get("/sx-taiyuan/inspections/draws/").get_data(as_text=True)
    assert "pool-hash" in page
    token = csrf_from(client.get("/sx-taiyuan/inspections/").get_data(as_text=True))
    client.post("/sx-taiyuan/logout", data={"csrf_token": token})
    token_client = client
    login(token_client, "sx-taiyuan", witness)
    _form(token_client, f"/sx-taiyuan/inspections/draws/{did}/witness", {"secret": WITNESS_SECRET})
    r = _form(token_client, f"/sx-taiyuan/inspections/draws/{did}/reveal", {"secret": "00" * 32})
    body = r.get_data(as_text=True)  # the draw's page again, the refused secret still typed
    assert r.status_code == 422 and "不符" in body and f'value="{"00" * 32}"' in body
    _form(token_client, f"/sx-taiyuan/inspections/draws/{did}/reveal", {"secret": WITNESS_SECRET})
    with acting("taiyuan-officer1", "sx-taiyuan"):
        d = draws.reveal(scope_context(), draws.get_draw(did), OFFICER_SECRET)
        db.session.commit()
        assert d.status == "drawn" and draws.verify(d)
