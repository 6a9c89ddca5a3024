"""The few seconds of memory in front of anonymous public pages (issue 13 item 2/3;
tenant_app/http/microcache.py): a repeat is answered without reaching the app, a signed-in
person or a visitor with any cookie always reaches it, nothing private or streamed is kept, and
a publication shows once the lifetime has passed."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.http import microcache

from .helpers import login

PAGE = "/xj-urumqi/public/positive-list/"


@pytest.fixture()
def cached_app(aut: Any, world: Any, monkeypatch: Any) -> Any:
    """The test app with the layer on (tests/conftest.py turns it off), emptied."""
    layer = aut.app.wsgi_app
    assert isinstance(layer, microcache.PublicMicroCache)
    layer._entries.clear()
    monkeypatch.setattr(layer, "seconds", 5)
    yield aut.app
    layer._entries.clear()


def _count_app_calls(app: Any, monkeypatch: Any) -> list[str]:
    calls: list[str] = []
    inner = app.wsgi_app.app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(app.wsgi_app, "app", counting)
    return calls


def test_a_repeat_is_answered_from_memory_with_the_same_headers_and_a_304(
    cached_app: Any, monkeypatch: Any
) -> None:
    calls = _count_app_calls(cached_app, monkeypatch)
    anon = cached_app.test_client(use_cookies=False)
    first = anon.get(PAGE)
    assert first.status_code == 200 and "public" in first.headers["Cache-Control"]
    second = anon.get(PAGE)
    assert calls == [PAGE]  # the second never reached the app
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    again = anon.get(PAGE, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and calls == [PAGE]
    other_language = anon.get(PAGE, headers={"Accept-Language": "en"})
    assert other_language.status_code == 200 and calls == [PAGE, PAGE]


def test_signed_in_people_and_cookies_always_reach_the_app(
    cached_app: Any, monkeypatch: Any
) -> None:
    calls = _count_app_calls(cached_app, monkeypatch)
    anon = cached_app.test_client(use_cookies=False)
    anon.get(PAGE)
    staff = cached_app.test_client()
    login(staff, "xj-urumqi", "urumqi-officer1")
    before = len(calls)
    page = staff.get(PAGE)
    assert len(calls) == before + 1 and "private" in page.headers["Cache-Control"]
    anon.get(PAGE, headers={"Cookie": "lang=en"})
    assert len(calls) == before + 2


def test_only_public_pages_are_kept_and_a_publication_shows_after_the_lifetime(
    cached_app: Any, monkeypatch: Any
) -> None:
    calls = _count_app_calls(cached_app, monkeypatch)
    anon = cached_app.test_client(use_cookies=False)
    for _ in range(2):
        anon.get("/xj-urumqi/login")
    assert calls.count("/xj-urumqi/login") == 2  # not a public page
    clock = [1000.0]
    monkeypatch.setattr(microcache.time, "monotonic", lambda: clock[0])
    anon.get(PAGE)
    clock[0] += 4.9
    anon.get(PAGE)
    assert calls.count(PAGE) == 1
    clock[0] += 0.2  # 5.1 s after it was kept
    anon.get(PAGE)
    assert calls.count(PAGE) == 2
