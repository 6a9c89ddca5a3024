"""Find, load and validate packs shipped as folders under ``policies/`` (one folder = one pack).

Every regional pack inherits the national layer (``policies/national/pack.toml``, issue 14):
``load_pack`` merges it under the region's values (``national_layer.inherit``), so whoever loads a
regional pack gets national law with it. The national folder is not itself a pack a tenant can
choose: ``available_packs`` leaves it out and ``load_national`` reads it.
"""

from __future__ import annotations

import copy
import importlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import PackError
from .hooks import HookRegistry
from .national_layer import NATIONAL, inherit, validate_national
from .schema import validate_pack

PACKS_DIR = Path(__file__).resolve().parent


def available_packs() -> list[str]:
    """Folder names holding a regional pack.toml (the national layer is not one)."""
    return sorted(p.parent.name for p in PACKS_DIR.glob("*/pack.toml") if p.parent.name != NATIONAL)


def _load_rules(name: str) -> None:
    """Import ``policies/<name>/rules.py`` if there is one: it registers the pack's hooks."""
    if (PACKS_DIR / name / "rules.py").exists():
        importlib.import_module(f"policies.{name}.rules")


def parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError({"(toml)": f"TOML 语法错误：{exc}"}) from None


@lru_cache(maxsize=1)
def _national() -> dict[str, Any]:
    path = PACKS_DIR / NATIONAL / "pack.toml"
    return validate_national(parse_toml(path.read_text(encoding="utf-8")))


def load_national() -> dict[str, Any]:
    """The validated national layer (a fresh copy; raises ``PackError`` when invalid)."""
    return copy.deepcopy(_national())


def with_national(data: Any, region_id: str) -> Any:
    """A regional pack's TOML data with the national layer under it (not yet validated)."""
    return inherit(data, _national(), region_id)


def load_pack(name: str, registry: HookRegistry | None = None) -> dict[str, Any]:
    """The validated regional pack ``name`` with the national layer under it (raises
    ``PackError`` when missing or invalid, or when the region contradicts national law)."""
    if name == NATIONAL:
        raise PackError(
            {
                "(pack)": "国家法律层不是可选择的地区政策包：它由 load_national() 读取，并自动并入"
                "每个地区政策包 (the national layer is inherited, not chosen)"
            }
        )
    path = PACKS_DIR / name / "pack.toml"
    if name not in available_packs():
        raise PackError({"(pack)": f"没有名为“{name}”的政策包 (no such pack)"})
    _load_rules(name)
    data = parse_toml(path.read_text(encoding="utf-8"))
    pack = validate_pack(with_national(data, name), registry)
    if pack["meta"]["id"] != name:
        raise PackError({"meta.id": f"应与文件夹名“{name}”一致 (must equal the folder name)"})
    return pack


def validate_text(text: str, region_id: str | None = None) -> dict[str, Any]:
    """Validate a pack.toml's text the way ``load_pack`` would: the national layer alone when the
    file is the national pack (``meta.level = "national"``), otherwise a regional pack with the
    national layer under it (``region_id`` defaults to the file's ``meta.id``)."""
    data = parse_toml(text)
    meta: dict[str, Any] = data["meta"] if isinstance(data.get("meta"), dict) else {}
    if meta.get("level") == NATIONAL:
        return validate_national(data)
    return validate_pack(with_national(data, region_id or str(meta.get("id") or "region")))
