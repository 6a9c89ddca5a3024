"""The README's first line, as a newcomer runs it (issue 9 item 1): `tenant-app demo --port N`
seeds, prints the accounts and then serves, in the same process, from any directory."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback only
        return resp.status, resp.read().decode("utf-8")


@pytest.mark.slow
def test_demo_command_seeds_then_serves_the_chinese_home_page(tmp_path: Path) -> None:
    exe = shutil.which("tenant-app", path=str(Path(sys.executable).parent))
    assert exe, "the README's first line installs the `tenant-app` command into the venv"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "TENANT_APP_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"  # not the developer's own
    log = (tmp_path / "demo.log").open("w+")
    proc = subprocess.Popen(
        [exe, "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = 0
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"demo exited with {proc.returncode} instead of serving:\n{log.read()}")
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, "no answer on /healthz within 120 s"
        status, home = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert '<html lang="zh-CN">' in home and "生态环境执法监管平台" in home
        log.seek(0)
        printed = log.read()
        assert f"http://127.0.0.1:{port}/xj-urumqi/login" in printed  # the accounts, with URLs
        assert "Demo-2026-pass" in printed
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()
