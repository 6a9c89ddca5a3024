"""Job kinds by name. A job is a function ``fn(ctx, **args)``; ``ctx.progress`` reports progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class JobContext(Protocol):
    job_id: str
    tenant_id: int

    def progress(self, percent: int, message: str = "") -> None: ...


JobFn = Callable[..., Any]


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: JobFn
    queue: str
    timeout_seconds: int | None
    max_attempts: int | None


REGISTRY: dict[str, JobKind] = {}


def job(name: str, *, queue: str = "default", timeout_seconds: int | None = None,
        max_attempts: int | None = None) -> Callable[[JobFn], JobFn]:
    """Register a job kind. Two registrations of one name fail loudly."""

    def decorate(fn: JobFn) -> JobFn:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise RuntimeError(f"job {name!r} is registered twice")
        REGISTRY[name] = JobKind(name, fn, queue, timeout_seconds, max_attempts)
        return fn

    return decorate


def kind(name: str) -> JobKind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise LookupError(f"no job kind named {name!r}") from None
