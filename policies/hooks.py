"""Hook registry: rule kinds chosen by name from a pack's data.

Namespaces:

* ``condition`` -- screening conditions and direct-inclusion routes (classes with ``Params`` schema
  and ``evaluate``), see ``policies.conditions``;
* anything else a pack's ``rules.py`` needs (register under a new namespace).

Two registrations of the same (namespace, name) fail loudly with ``DuplicateHookError``: a pack
can never silently replace another pack's rule kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .errors import DuplicateHookError

T = TypeVar("T")


class HookRegistry:
    def __init__(self, parent: HookRegistry | None = None) -> None:
        self._items: dict[tuple[str, str], Any] = {}
        self._parent = parent

    def register(self, namespace: str, name: str, obj: Any) -> Any:
        key = (namespace, name)
        if key in self._items or (self._parent is not None and self._parent.has(namespace, name)):
            raise DuplicateHookError(f"hook {namespace}:{name} is already registered")
        self._items[key] = obj
        return obj

    def hook(self, namespace: str, name: str) -> Callable[[T], T]:
        """Decorator form of ``register``."""

        def deco(obj: T) -> T:
            self.register(namespace, name, obj)
            return obj

        return deco

    def has(self, namespace: str, name: str) -> bool:
        if (namespace, name) in self._items:
            return True
        return self._parent is not None and self._parent.has(namespace, name)

    def get(self, namespace: str, name: str) -> Any:
        if (namespace, name) in self._items:
            return self._items[(namespace, name)]
        if self._parent is not None:
            return self._parent.get(namespace, name)
        raise KeyError(f"no hook {namespace}:{name}")

    def names(self, namespace: str) -> list[str]:
        own = {n for (ns, n) in self._items if ns == namespace}
        if self._parent is not None:
            own |= set(self._parent.names(namespace))
        return sorted(own)

    def child(self) -> HookRegistry:
        """A registry that sees this one's hooks and may add (never replace) its own."""
        return HookRegistry(parent=self)


# The process-wide registry; built-in kinds register on import of ``policies.conditions``.
REGISTRY = HookRegistry()
