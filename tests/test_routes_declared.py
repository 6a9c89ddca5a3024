"""Every route declares what it needs (a permission, 'authenticated' or 'public')."""

from __future__ import annotations

FRAMEWORK = {"static", "api-docs.openapi_json"}


def _declared(view) -> list[str]:
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return [] if hasattr(view, "required_permission") else ["<function>"]
    missing = []
    for method in view_class.methods or []:
        fn = getattr(view_class, method.lower())
        if not hasattr(fn, "required_permission"):
            missing.append(method)
    return missing


def test_every_route_declares_its_permission(app):
    undeclared = {
        endpoint: missing
        for endpoint, view in app.view_functions.items()
        if endpoint not in FRAMEWORK and (missing := _declared(view))
    }
    assert undeclared == {}, f"routes without @permission: {undeclared}"


def test_a_route_without_declaration_is_caught(app):
    def naked() -> str:
        return "data"

    assert _declared(naked) == ["<function>"]
