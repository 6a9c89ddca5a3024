"""The English switch: pages after /lang/en, and API answers for Accept-Language: en."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.helpers import bearer, login, post_form

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "tenant_app" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "_l": None, "lazy_gettext": None}
# The platform's own pages and messages. Feature modules (and base.html's navigation, which
# every feature extends) are not held to this here: run the babel.cfg commands when adding them.
_UI = (
    "__init__",
    "dashboard",
    "errors",
    "forms",
    "i18n",
    "public",
    "security",
    "session_guard",
    "tenant_pages",
)
_PAGES = ("_form", "dashboard", "error", "index")
CORE_SOURCES = (
    [(f"tenant_app/ui/{name}.py", "python") for name in _UI]
    + [
        ("tenant_app/jobs/pages.py", "python"),
        ("tenant_app/tenants/pages.py", "python"),
        ("tenant_app/accounts/pages.py", "python"),
        ("tenant_app/auth/**.py", "python"),
        ("tenant_app/core/errors.py", "python"),
    ]
    + [(f"tenant_app/ui/templates/{name}.html", "jinja2") for name in _PAGES]
    + [
        ("tenant_app/auth/templates/login.html", "jinja2"),
        ("tenant_app/accounts/templates/users/**.html", "jinja2"),
        ("tenant_app/tenants/templates/tenants/**.html", "jinja2"),
        ("tenant_app/jobs/templates/jobs/**.html", "jinja2"),
    ]
)


def test_chinese_is_the_default(client, world):
    page = client.get("/xj-urumqi/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "<h1>登录</h1>" in page
    assert "Log in" not in page


def test_english_switch_translates_the_login_page(client, world):
    resp = client.get("/lang/en?next=/xj-urumqi/login")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/xj-urumqi/login")
    page = client.get("/xj-urumqi/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert ">Username</label>" in page and ">Password</label>" in page
    assert "登录" not in page and "用户名" not in page

    resp = login(client, "xj-urumqi", "urumqi-officer1", "wrong-password-1")
    assert resp.status_code == 401
    assert "Wrong username or password" in resp.get_data(as_text=True)

    # The language survives logging in (a new session is started then).
    assert login(client, "xj-urumqi", "urumqi-officer1").status_code == 302
    page = client.get("/xj-urumqi/").get_data(as_text=True)
    assert "乌鲁木齐市 · Dashboard" in page
    assert "Enforcement officer" in page

    client.get("/lang/zh_CN")
    assert "乌鲁木齐市 · 工作台" in client.get("/xj-urumqi/").get_data(as_text=True)


def test_unknown_language_code_is_ignored(client, world):
    client.get("/lang/xx")
    assert "<h1>登录</h1>" in client.get("/xj-urumqi/login").get_data(as_text=True)


def test_english_form_errors_and_error_pages(client, world):
    client.get("/lang/en")
    login(client, "xj-urumqi", "urumqi-admin")
    resp = post_form(
        client,
        "/xj-urumqi/admin/users/new",
        "/xj-urumqi/admin/users/new",
        {"username": "new-user", "display_name": "", "password": "x", "roles": "tenant_admin"},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Please enter the full name." in html
    assert "Full name" in html and "Initial password" in html

    resp = client.get("/xj-urumqi/no-such-page")
    assert resp.status_code == 404
    assert "Not found." in resp.get_data(as_text=True)


def test_api_errors_follow_accept_language(client, world):
    resp = client.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert resp.status_code == 401
    assert resp.get_json() == {
        "code": "unauthorized",
        "errors": {},
        "message": "Please log in or provide a valid API token.",
    }
    resp = client.get("/api/v1/me")
    assert resp.get_json()["message"] == "请先登录或提供有效的 API 令牌"

    headers = {**bearer("urumqi-admin"), "Accept-Language": "en"}
    resp = client.get("/api/v1/tenants/no-such-region/users", headers=headers)
    assert resp.status_code == 404
    assert resp.get_json()["message"] == "Not found."

    resp = client.post(
        "/api/v1/tenants/xj-urumqi/users",
        headers=headers,
        json={
            "username": "api-user",
            "display_name": "接口用户",
            "password": "short1",
            "roles": ["tenant_admin"],
        },
    )
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["message"] == "The submitted data is invalid."
    assert body["errors"] == {"password": ["The password needs at least 10 characters."]}

    resp = client.get("/api/v1/tenants/sx-taiyuan/users", headers=headers)
    assert resp.status_code == 403
    assert resp.get_json()["message"] == "You are not allowed to do this."


def test_catalog_covers_every_marked_string_and_is_compiled():
    with (CATALOG / "messages.po").open("rb") as f:
        po = read_po(f)
    translated = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}

    marked = set()
    for pattern, method in CORE_SOURCES:
        for _f, _l, msg, _c, _ctx in extract_from_dir(
            str(ROOT), [(pattern, method)], keywords=KEYWORDS
        ):
            if isinstance(msg, str):
                marked.add(msg)
    assert len(marked) > 80
    missing = sorted(marked - set(translated))
    assert not missing, f"run the pybabel commands in babel.cfg; untranslated: {missing}"

    with (CATALOG / "messages.mo").open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    stale = sorted(k for k, v in translated.items() if mo.get(k) != v)
    assert not stale, f"messages.mo is stale: pybabel compile -d tenant_app/translations; {stale}"
