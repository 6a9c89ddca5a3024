"""What changed between two versions of a tenant's own policy: keys added, changed and removed,
with the value before and after, the rule id and the title of the table each key sits in.

A version holds the tenant's whole own overrides (``PolicyVersion.overrides``), so two versions
are compared leaf by leaf; "version 0" is the tenant before its first version (no own
overrides). The words come from the pack in force today (the tables a key sits in do not move
between versions of one pack).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policies.overrides import leaf_paths
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.models import PolicyVersion
from tenant_app.policy import service as policy_service
from tenant_app.policy.services.rules import context_of, name_of
from tenant_app.policy.services.words import unit_of, vocab_of

CHANGES = {"added": "新增", "changed": "修改", "removed": "删除"}
MAX_VERSION = 1_000_000


@dataclass
class Change:
    path: str
    change: str  # added / changed / removed
    before: Any
    after: Any
    rule_id: str = ""
    title: str = ""
    name: list[tuple[str, str]] = field(default_factory=list)
    vocab: str | None = None
    unit: str = ""


@dataclass
class VersionDiff:
    older: PolicyVersion | None  # None: before the tenant's first version
    newer: PolicyVersion
    changes: list[Change]
    pack_before: str | None
    pack_after: str | None

    @property
    def older_number(self) -> int:
        return self.older.number if self.older else 0

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if c.change == k) for k in CHANGES}


def compare(
    before: dict[str, Any], after: dict[str, Any], pack: dict[str, Any] | None = None
) -> list[Change]:
    """Leaf-by-leaf changes from ``before`` to ``after`` (both override dicts), by path."""
    old, new = leaf_paths(before), leaf_paths(after)
    out = []
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path) and (path in old) == (path in new):
            continue
        kind = "added" if path not in old else ("removed" if path not in new else "changed")
        rule_id, title = context_of(pack or {}, path)
        out.append(
            Change(
                path,
                kind,
                old.get(path),
                new.get(path),
                rule_id,
                title,
                name_of(path),
                vocab_of(path),
                unit_of(path),
            )
        )
    return out


def _number(raw: Any, name: str, allow_zero: bool) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        n = int(str(raw).strip().lstrip("#"))
    except ValueError:
        raise ValidationFailed.field(name, "版本号应为整数") from None
    if n < (0 if allow_zero else 1) or n > MAX_VERSION:
        raise ValidationFailed.field(name, "没有该版本")
    return n


def version_diff(ctx: Context, newer: Any, older: Any = None) -> VersionDiff:
    """The changes from version ``older`` to version ``newer`` of the acting tenant's own
    policy. ``older`` None: the version before ``newer``; 0: before the first version."""
    tenant = ctx.tenant
    if tenant is None:
        raise ServiceError("没有可查看的单位")
    to_n = _number(newer, "to", allow_zero=False)
    from_n = _number(older, "from", allow_zero=True)
    versions = {v.number: v for v in policy_service.history(tenant)}
    if to_n is None:
        if not versions:
            raise ValidationFailed.field("to", "本级尚无自定义版本，没有可比较的版本")
        to_n = max(versions)
    if to_n not in versions:
        raise ValidationFailed.field("to", f"没有第 {to_n} 版")
    if from_n is None:
        from_n = max((n for n in versions if n < to_n), default=0)
    if from_n == to_n:
        raise ValidationFailed.field("from", "请选择两个不同的版本")
    if from_n and from_n not in versions:
        raise ValidationFailed.field("from", f"没有第 {from_n} 版")
    old, new = versions.get(from_n), versions[to_n]
    try:
        pack = policy_service.effective_policy(tenant, with_sources=False).effective
    except ServiceError:
        pack = {}
    return VersionDiff(
        old,
        new,
        compare(dict(old.overrides) if old else {}, dict(new.overrides), pack),
        old.pack if old else None,
        new.pack,
    )
