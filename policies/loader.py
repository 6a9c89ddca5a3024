"""Find, load and validate packs shipped as folders under ``policies/`` (one folder = one pack)."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

from .errors import PackError
from .hooks import HookRegistry
from .schema import validate_pack

PACKS_DIR = Path(__file__).resolve().parent


def available_packs() -> list[str]:
    """Folder names holding a pack.toml."""
    return sorted(p.parent.name for p in PACKS_DIR.glob("*/pack.toml"))


def _load_rules(name: str) -> None:
    """Import ``policies/<name>/rules.py`` if there is one: it registers the pack's hooks."""
    if (PACKS_DIR / name / "rules.py").exists():
        importlib.import_module(f"policies.{name}.rules")


def parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError({"(toml)": f"TOML 语法错误：{exc}"}) from None


def load_pack(name: str, registry: HookRegistry | None = None) -> dict[str, Any]:
    """The validated pack ``name`` (raises ``PackError`` when missing or invalid)."""
    path = PACKS_DIR / name / "pack.toml"
    if name not in available_packs():
        raise PackError({"(pack)": f"没有名为“{name}”的政策包 (no such pack)"})
    _load_rules(name)
    data = parse_toml(path.read_text(encoding="utf-8"))
    pack = validate_pack(data, registry)
    if pack["meta"]["id"] != name:
        raise PackError({"meta.id": f"应与文件夹名“{name}”一致 (must equal the folder name)"})
    return pack
