"""The browser fixtures of tests/web, for the positive-list browser test."""

from tests.web.conftest import artifacts, browser_page, live_server  # noqa: F401
