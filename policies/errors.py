"""Errors raised by the policy layer."""

from __future__ import annotations


class PackError(ValueError):
    """An invalid pack or override. ``errors`` maps dotted key paths to reasons (Chinese first)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(sorted(errors.items()))
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class DuplicateHookError(RuntimeError):
    """Two hooks (rule kinds) claimed the same name."""
