"""Job kinds by name. A job is a function ``fn(ctx, job, **args)``: ``ctx`` is the Context the
run acts in (built once per run: the job's tenant, on behalf of whoever enqueued it), handed on
to services as a page hands on its request's; ``job.progress`` reports progress."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class JobContext(Protocol):
    """This run of a job: its id, its tenant and its progress bar."""

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


def job(
    name: str,
    *,
    queue: str = "default",
    timeout_seconds: int | None = None,
    max_attempts: int | None = None,
) -> Callable[[JobFn], JobFn]:
    """Register a job kind. Two registrations of one name fail loudly."""

    def decorate(fn: JobFn) -> JobFn:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise RuntimeError(f"job {name!r} is registered twice")
        REGISTRY[name] = JobKind(name, fn, queue, timeout_seconds, max_attempts)
        return fn

    return decorate


def load_job_modules(spec: str | None = None) -> list[str]:
    """Import the modules named in JOB_MODULES (comma-separated), which register more job kinds.
    Returns the module names; importing twice is harmless."""
    if spec is None:
        from flask import current_app, has_app_context

        spec = current_app.config.get("JOB_MODULES", "") if has_app_context() else ""
    names = [n.strip() for n in (spec or "").split(",") if n.strip()]
    for name in names:
        importlib.import_module(name)
    return names


def kind(name: str) -> JobKind:
    if name not in REGISTRY:
        load_job_modules()
    try:
        return REGISTRY[name]
    except KeyError:
        raise LookupError(f"no job kind named {name!r}") from None
