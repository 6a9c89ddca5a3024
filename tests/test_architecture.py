"""The shape of the house (issue 18, docs/architecture.md), as far as import-linter cannot see it.

import-linter (.ci/run, contracts in pyproject.toml) holds the layers between packages; these
tests hold what lies inside a module: which Flask names a service imports, and which regional
facts the core spells out instead of asking the policy packs.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "tenant_app"

# Modules that make decisions and change state. Pages, API resources, jobs and the CLI build a
# Context and hand it over; these modules receive it.
SERVICE_GLOBS = (
    "*/services/**/*.py",
    "accounts/users.py",
    "tenants/service.py",
    "tenants/transfer/*.py",
    "policy/service.py",
    "audit/log.py",
    "audit/checkpoints.py",
    "calendar/years.py",
    "calendar/deadlines.py",
    "core/*.py",
    "context.py",
)
REQUEST_STATE = {
    "flask": {"g", "request", "session", "has_request_context"},
    "flask_login": None,  # None: any name (current_user, login_user, …)
}


def service_modules() -> list[Path]:
    found = {p for pattern in SERVICE_GLOBS for p in APP.glob(pattern)}
    return sorted(found)


def _request_state_imports(path: Path, root: Path = ROOT) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in REQUEST_STATE:
            banned = REQUEST_STATE[node.module]
            for alias in node.names:
                if banned is None or alias.name in banned:
                    yield f"{path.relative_to(root)}:{node.lineno} from {node.module} import {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in REQUEST_STATE:
                    yield f"{path.relative_to(root)}:{node.lineno} import {alias.name}"


def test_the_service_list_is_not_empty() -> None:
    # Guards the scan below: a renamed folder must not turn it into a test of nothing.
    names = {p.relative_to(APP).as_posix() for p in service_modules()}
    assert "listing/services/entries.py" in names
    assert "inspections/services/checks.py" in names
    assert "registry/services/enterprises.py" in names
    assert len(names) > 60


def test_no_service_reads_flasks_request_state() -> None:
    """Issue 18 item 1: services are told who acts; the CLI and jobs need no fake request."""
    found = [hit for p in service_modules() for hit in _request_state_imports(p)]
    assert found == []


def test_the_request_state_scan_catches_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import current_app, g\nfrom flask_login import current_user\n")
    assert [h.split(" ", 1)[1] for h in _request_state_imports(bad, tmp_path)] == [
        "from flask import g",
        "from flask_login import current_user",
    ]


# --- regional facts only in packs (issue 18 item 4) ---------------------------------------

RULE_ID = re.compile(r"^[A-Z]{2,4}-[A-Z0-9][A-Z0-9.]*$")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def regional_rule_ids() -> set[str]:
    """Every rule id a regional pack declares: a third province's ids join the scan by itself."""
    ids: set[str] = set()
    for pack in (ROOT / "policies").glob("*/pack.toml"):
        data = tomllib.loads(pack.read_text(encoding="utf-8"))
        ids |= {s for s in _strings(data) if RULE_ID.match(s)}
    return ids


def _docstring_nodes(tree: ast.AST) -> set[int]:
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return docs


def rule_id_literals(path: Path, ids: set[str], root: Path = ROOT) -> Iterator[str]:
    """String literals (not docstrings or comments: citing a rule there is wanted) naming a
    regional rule id."""
    pattern = re.compile(
        r"(?<![A-Z0-9-])(" + "|".join(map(re.escape, sorted(ids))) + r")(?![A-Z0-9])"
    )
    if path.suffix == ".py":
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and (m := pattern.search(node.value))
            ):
                yield f"{path.relative_to(root)}:{node.lineno} {m.group(1)}"
    else:
        text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        for lineno, line in enumerate(text.splitlines(), 1):
            if m := pattern.search(line):
                yield f"{path.relative_to(root)}:{lineno} {m.group(1)}"


def core_files() -> list[Path]:
    """The core: everything in tenant_app but the demo (which seeds regional sample data on
    purpose) and the translations."""
    files = [*APP.rglob("*.py"), *APP.rglob("*.html")]
    return sorted(p for p in files if not {"demo", "translations"} & set(p.relative_to(APP).parts))


def test_the_packs_declare_the_rule_ids_the_scan_looks_for() -> None:
    ids = regional_rule_ids()
    assert {"XJ-P", "XJ-X", "XJ-C1", "SX-3", "SX-4", "SX-10"} <= ids


def test_the_core_names_no_regional_rule_id() -> None:
    """A rule id reaches the core from the pack (Policy interface), never as a literal."""
    ids = regional_rule_ids()
    found = [hit for p in core_files() for hit in rule_id_literals(p, ids)]
    assert found == []


def test_the_rule_id_scan_catches_a_literal_and_spares_a_docstring(tmp_path: Path) -> None:
    src = tmp_path / "mod.py"
    src.write_text(
        '"""Cites SX-3 (wanted)."""\n\n# SX-4 in a comment\nRULE = "SX-3"\nmsg = f"{x}：SX-4 …"\n'
    )
    hits = sorted(rule_id_literals(src, {"SX-3", "SX-4"}, tmp_path))
    assert hits == ["mod.py:4 SX-3", "mod.py:5 SX-4"]


# --- the documented policy interface is used -----------------------------------------------


def _interface_methods() -> list[str]:
    from policies.interface import Policy

    return sorted(
        name
        for name, value in vars(Policy).items()
        if not name.startswith("_") and callable(getattr(Policy, name)) and name != "from_version"
    )


@pytest.mark.parametrize("method", _interface_methods())
def test_every_policy_interface_method_has_a_caller_in_the_core(method: str) -> None:
    """Issue 18 item 4: every documented interface method has a caller, or goes."""
    call = re.compile(r"\." + re.escape(method) + r"\(")
    callers = [
        p
        for p in APP.rglob("*.py")
        if "demo" not in p.relative_to(APP).parts and call.search(p.read_text(encoding="utf-8"))
    ]
    assert callers, f"Policy.{method} has no caller in tenant_app"
