"""Policy packs: a region's rulebook as data (pack.toml) plus small hooks, and the one interface
(``Policy``) the core calls. See policies/README.md."""

from . import conditions as _conditions  # noqa: F401  (registers built-in rule kinds)
from .decision import ApprovalRequirement, ConditionVerdict, Decision, ScreeningResult
from .errors import DuplicateHookError, PackError
from .facts import CreditEntry, EnterpriseFacts, Record
from .hooks import REGISTRY, HookRegistry
from .interface import Calendar, Policy
from .loader import available_packs, load_pack, parse_toml
from .overrides import check_overrides, explain_sources, is_overridable, merge
from .schema import PackSchema, validate_pack
from .versions import PolicyVersion, version_in_force

__all__ = [
    "REGISTRY",
    "ApprovalRequirement",
    "Calendar",
    "ConditionVerdict",
    "CreditEntry",
    "Decision",
    "DuplicateHookError",
    "EnterpriseFacts",
    "HookRegistry",
    "PackError",
    "PackSchema",
    "Policy",
    "PolicyVersion",
    "Record",
    "ScreeningResult",
    "available_packs",
    "check_overrides",
    "explain_sources",
    "is_overridable",
    "load_pack",
    "merge",
    "parse_toml",
    "validate_pack",
    "version_in_force",
]
