"""A tenant's policy: its pack (own or inherited), the overrides of each ancestor and its own,
each taken from the version in force on the date asked. The core asks ``policy_for(tenant, on)``
and gets a ``policies.Policy`` whose every answer carries the version label used here."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from policies import PackError, Policy, available_packs, load_pack, merge
from policies.national_layer import NATIONAL_LABEL, pack_chain
from policies.overrides import check_overrides, explain_sources, leaf_paths
from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm, permissions_for
from tenant_app.calendar.years import work_calendar
from tenant_app.clock import today
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import PolicyVersion, Tenant
from tenant_app.models.tenant import Level
from tenant_app.policy.services import filings
from tenant_app.tenancy.queries import inherited

UNCHANGED = object()


class NoPack(ServiceError):
    status = 409
    code = "no_policy_pack"


@dataclass
class Layer:
    tenant: Tenant
    version: PolicyVersion | None  # None: no version in force, the tenant's initial settings

    @property
    def overrides(self) -> dict[str, Any]:
        return dict(self.version.overrides) if self.version else {}

    @property
    def pack(self) -> str | None:
        if self.version is not None and self.version.pack:
            return self.version.pack
        return self.tenant.policy_pack

    @property
    def label(self) -> str:
        return f"{self.tenant.slug}#{self.version.number}" if self.version else ""


@dataclass
class EffectivePolicy:
    tenant: Tenant
    on: date
    pack_name: str
    pack_version: str
    effective: dict[str, Any]
    layers: list[Layer]
    # Leaf path -> the label of the layer that set it ("国家法律层", "政策包", an ancestor's name,
    # "本级"): what the API and the CLI show.
    sources: dict[str, str] = field(default_factory=dict)
    # Leaf path -> (kind, tenant name): kind is one of ORIGINS (national, pack, parent, own); the
    # name is the ancestor's for "parent". What the policy page groups and labels.
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)

    def origin_of(self, path: str) -> tuple[str, str]:
        """The layer that set this leaf, or the nearest table above it that a layer replaced."""
        probe = path
        while probe:
            if probe in self.origins:
                return self.origins[probe]
            probe = probe.rpartition(".")[0]
        return ("pack", "")

    @property
    def version_label(self) -> str:
        """What a stored decision keeps: pack and its version, then each level's version."""
        parts = [f"{self.pack_name}@{self.pack_version}"] + [
            layer.label for layer in self.layers if layer.label
        ]
        return "+".join(parts)


# Where an effective value comes from, in the order the layers apply.
ORIGINS = {
    "national": NATIONAL_LABEL,
    "pack": "省级政策包",
    "parent": "上级覆盖",
    "own": "本级覆盖",
}


def chain_of(tenant: Tenant) -> list[Tenant]:
    """The tenant and its ancestors below the platform, root first."""
    ids = [*tenant.ancestor_ids, tenant.id]
    rows = {t.id: t for t in db.session.execute(select(Tenant).where(Tenant.id.in_(ids))).scalars()}
    return [rows[i] for i in ids if i in rows and rows[i].level != Level.PLATFORM]


def _versions(tenant_ids: list[int]) -> dict[int, list[PolicyVersion]]:
    out: dict[int, list[PolicyVersion]] = {i: [] for i in tenant_ids}
    rows = db.session.execute(
        inherited(
            select(PolicyVersion)
            .where(PolicyVersion.tenant_id.in_(tenant_ids))
            .order_by(PolicyVersion.tenant_id, PolicyVersion.number)
        )
    ).scalars()
    for row in rows:
        out[row.tenant_id].append(row)
    return out


def _in_force(versions: list[PolicyVersion], on: date) -> PolicyVersion | None:
    best = None
    for v in versions:  # ordered by number: a later number wins a tie on the date
        if v.effective_from <= on:
            best = v
    return best


def layers_for(tenant: Tenant, on: date) -> list[Layer]:
    chain = chain_of(tenant)
    versions = _versions([t.id for t in chain])
    return [Layer(t, _in_force(versions[t.id], on)) for t in chain]


@lru_cache(maxsize=256)
def _merged(pack_name: str, layers_json: str) -> dict[str, Any]:
    return merge(load_pack(pack_name), json.loads(layers_json))


@lru_cache(maxsize=16)
def _pack_version(pack_name: str) -> str:
    return str(load_pack(pack_name)["meta"].get("version", ""))


def effective_policy(
    tenant: Tenant, on: date | None = None, *, with_sources: bool = True
) -> EffectivePolicy:
    """``with_sources=False`` skips the per-key source map (only the policy screens show it):
    rule questions on hot paths (the inspection pre-save checks) don't pay for it."""
    on = on or today()
    layers = layers_for(tenant, on)
    pack_name = next((layer.pack for layer in reversed(layers) if layer.pack), None)
    if pack_name is None:
        raise NoPack(f"{tenant.name} 及其上级都没有选择政策包，请平台管理员先选择")
    overrides = [layer.overrides for layer in layers]
    try:
        effective = copy.deepcopy(_merged(pack_name, json.dumps(overrides, sort_keys=True)))
    except PackError as exc:  # a stored override that a newer pack no longer accepts
        raise ServiceError("生效政策无法合成，请检查覆盖项", _as_field_errors(exc)) from None
    if not with_sources:
        return EffectivePolicy(tenant, on, pack_name, _pack_version(pack_name), effective, layers)
    base = load_pack(pack_name)
    # Each layer under a key "kind:tenant name" (national law, the region's pack, each ancestor's
    # overrides, the own ones): one pass of explain_sources gives both the labels and the kinds.
    chain: list[tuple[str, Any]] = [
        (f"{kind}:", layer) for kind, layer in pack_chain(base, "national", "pack")
    ]
    chain += [
        ("own:" if layer.tenant.id == tenant.id else f"parent:{layer.tenant.name}", layer.overrides)
        for layer in layers
        if layer.overrides
    ]
    origins: dict[str, tuple[str, str]] = {}
    sources: dict[str, str] = {}
    for path, key in explain_sources(chain).items():
        kind, _, name = key.partition(":")
        origins[path] = (kind, name)
        sources[path] = {"national": NATIONAL_LABEL, "pack": "政策包", "own": "本级"}.get(
            kind, name
        )
    return EffectivePolicy(
        tenant,
        on,
        pack_name,
        str(base["meta"].get("version", "")),
        effective,
        layers,
        sources,
        origins,
    )


def inherited_effective(eff: EffectivePolicy) -> dict[str, Any]:
    """The effective pack of ``eff`` without the tenant's own layer: what its own overrides
    replace (the policy page's forms drop an own value equal to it)."""
    overrides = [layer.overrides for layer in eff.layers[:-1]]
    try:
        return copy.deepcopy(_merged(eff.pack_name, json.dumps(overrides, sort_keys=True)))
    except PackError:  # only the own layer makes the ancestors' overrides valid: keep it all
        return copy.deepcopy(eff.effective)


def policy_for(tenant: Tenant, on: date | None = None) -> Policy:
    """The object every rule question goes to (see policies/README.md)."""
    eff = effective_policy(tenant, on, with_sources=False)
    return Policy(eff.effective, eff.version_label, calendar=work_calendar())


def history(tenant: Tenant) -> list[PolicyVersion]:
    return list(
        db.session.execute(
            select(PolicyVersion)
            .where(PolicyVersion.tenant_id == tenant.id)
            .order_by(PolicyVersion.number.desc())
        ).scalars()
    )


def _as_field_errors(exc: PackError) -> dict[str, list[str]]:
    return {path: [reason] for path, reason in exc.errors.items()}


def _plain(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))
    )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    old, new = leaf_paths(before), leaf_paths(after)
    return [
        {"path": p, "before": old.get(p), "after": new.get(p)}
        for p in sorted(set(old) | set(new))
        if old.get(p) != new.get(p)
    ]


@dataclass
class Proposal:
    """A change to the acting tenant's own overrides, checked but not written: the pack it runs
    under, the layers in force on its date, and the effective pack it would make."""

    tenant: Tenant
    effective_from: date
    pack_name: str
    new_pack: str | None
    layers: list[Layer]
    overrides: dict[str, Any]
    effective: dict[str, Any]
    pack_version: str

    @property
    def version_label(self) -> str:
        parts = [f"{self.pack_name}@{self.pack_version}"]
        parts += [layer.label for layer in self.layers[:-1] if layer.label]
        return "+".join([*parts, f"{self.tenant.slug}#new"])


def propose(
    ctx: Context,
    *,
    overrides: dict[str, Any],
    effective_from: date,
    pack: Any = UNCHANGED,
) -> Proposal:
    """Check a change of the acting tenant's own policy, in force from ``effective_from``, the way
    ``save_version`` will (the preview runs on it): tenant admins change only the keys the pack
    marks overridable; superadmins (and the operator's commands, where no person acts) may also
    choose the tenant's pack. The merged result must validate."""
    tenant = ctx.tenant
    if tenant is None:
        raise ServiceError("没有可写入的单位")
    if effective_from < ctx.today:
        raise ValidationFailed.field(
            "effective_from", "生效日期不能早于今天：已作出的决定不能改用新版本"
        )
    changing_pack = pack is not UNCHANGED
    if (
        changing_pack
        and ctx.actor.is_person
        and Perm.POLICY_EDIT_ANY not in permissions_for(ctx.roles)
    ):
        raise ValidationFailed.field("pack", "只有平台超级管理员可以更换政策包")
    if changing_pack and pack and pack not in available_packs():
        raise ValidationFailed.field("pack", f"没有名为“{pack}”的政策包")
    overrides = _plain(overrides or {})
    if not isinstance(overrides, dict):
        raise ValidationFailed.field("overrides", "覆盖项应为表")
    layers = layers_for(tenant, effective_from)
    own = layers[-1]
    new_pack = (pack or None) if changing_pack else (own.version.pack if own.version else None)
    pack_name = (
        new_pack
        or next((layer.pack for layer in reversed(layers[:-1]) if layer.pack), None)
        or tenant.policy_pack
    )
    if not pack_name:
        raise ValidationFailed.field("pack", "请先为该租户或其上级选择政策包")
    base = load_pack(pack_name)
    errors = check_overrides(overrides, base.get("overridable") or [])
    if errors:
        raise ValidationFailed("覆盖项不被政策包允许", {p: [r] for p, r in errors.items()})
    try:
        effective = merge(base, [layer.overrides for layer in layers[:-1]] + [overrides])
    except PackError as exc:
        raise ValidationFailed("覆盖后的政策不合法", _as_field_errors(exc)) from None
    return Proposal(
        tenant,
        effective_from,
        pack_name,
        new_pack,
        layers,
        overrides,
        effective,
        str(base["meta"].get("version", "")),
    )


def save_version(
    ctx: Context,
    *,
    overrides: dict[str, Any],
    effective_from: date,
    comment: str = "",
    pack: Any = UNCHANGED,
) -> PolicyVersion:
    """Make a new version of the acting tenant's own policy, in force from ``effective_from``
    (checked by ``propose``: nothing is written unless the merged pack validates)."""
    require_action(ctx, Perm.POLICY_EDIT)
    p = propose(ctx, overrides=overrides, effective_from=effective_from, pack=pack)
    tenant, own = p.tenant, p.layers[-1]
    previous = history(tenant)
    number = (previous[0].number if previous else 0) + 1
    version = PolicyVersion(
        tenant_id=tenant.id,
        number=number,
        effective_from=effective_from,
        pack=p.new_pack,
        overrides=p.overrides,
        diff=_diff(own.overrides, p.overrides),
        comment=comment.strip()[:255],
        created_by=ctx.actor.user_id,
    )
    db.session.add(version)
    db.session.flush()
    filing = filings.file_if_required(
        ctx, version, p.effective, [layer.tenant for layer in p.layers]
    )
    audit.record(
        ctx,
        "policy.changed",
        object_type="policy_version",
        object_id=version.id,
        before={"overrides": own.overrides, "pack": own.pack},
        after={
            "number": number,
            "effective_from": effective_from,
            "pack": p.new_pack,
            "diff": version.diff,
            "comment": version.comment,
            "filed_with": filing.parent_tenant_id if filing else None,
        },
    )
    return version
