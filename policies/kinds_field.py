"""A marshmallow field whose schema is chosen by the value's ``kind`` from the hook registry."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from marshmallow import ValidationError, fields

from .hooks import REGISTRY, HookRegistry
from .schema_fields import MSG

CURRENT_REGISTRY: ContextVar[HookRegistry] = ContextVar("policy_hook_registry", default=REGISTRY)


class KindField(fields.Field):
    def __init__(self, namespace: str = "condition", **kw: Any) -> None:
        kw.setdefault("required", True)
        super().__init__(**kw)
        self.namespace = namespace

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError(MSG["invalid_table"])
        registry = CURRENT_REGISTRY.get()
        kind = value.get("kind")
        if not isinstance(kind, str) or not registry.has(self.namespace, kind):
            known = ", ".join(registry.names(self.namespace))
            raise ValidationError(
                {"kind": [f"未知的规则类型“{kind}”（应为 {known} 之一）(unknown kind)"]}
            )
        return registry.get(self.namespace, kind).Params().load(value)
