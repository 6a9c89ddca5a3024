"""Per role, three things to try in the demo, with their URLs."""

from __future__ import annotations


def tips(host: str = "127.0.0.1", port: int = 5000) -> dict[str, list[tuple[str, str]]]:
    return {}
