"""A live HTTP server of the app under test, for the browser tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tenant_app.extensions import db

ARTIFACTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "test-artifacts"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture()
def live_server(app: Any, world: dict[str, Any]) -> Iterator[str]:
    """Serve the app on 127.0.0.1 (a spare port) from a thread; yields the base URL.

    Requests run in the server thread's own app contexts, against the same database.
    """
    db.session.commit()  # end the test's own transaction: SQLite would lock the server's writes
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def accept_dialog(dialog: Any) -> None:
    """The officer answers "OK" to a confirmation (data-confirm, static/app.js); a test that
    wants "Cancel" removes this listener: ``page.remove_listener("dialog", accept_dialog)``."""
    dialog.accept()


@pytest.fixture()
def browser_page(live_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.services import need_chromium

    executable = need_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("dialog", accept_dialog)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture()
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
