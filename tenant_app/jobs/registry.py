"""Job kinds by name. A job is a function ``fn(ctx, job, **args)``: ``ctx`` is the Context the
run acts in (built once per run: the job's tenant, on behalf of whoever enqueued it), handed on
to services as a page hands on its request's; ``job.progress`` reports progress (a percent, a
sentence, and when the kind counts, ``done`` of ``total`` items).

A kind names the permission of the people who may start it (``permission``); they may also
retry it when it failed (jobs/status.py). Without one it is ``Perm.JOBS_RUN``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tenant_app.auth.roles import Perm


class Progress(Protocol):
    """Reports how far a run is: a percent for the bar, a sentence, and the count of items done
    of how many ("已处理 N / M") when the kind counts them."""

    def __call__(
        self,
        percent: int,
        message: str = "",
        *,
        done: int | None = None,
        total: int | None = None,
    ) -> None: ...


class JobContext(Protocol):
    """This run of a job: its id, its tenant and its progress bar."""

    job_id: str
    tenant_id: int

    def progress(
        self,
        percent: int,
        message: str = "",
        *,
        done: int | None = None,
        total: int | None = None,
    ) -> None: ...


DEFAULT_PERMISSION: str = Perm.JOBS_RUN
DEFAULT_TITLE = "后台任务"


JobFn = Callable[..., Any]


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: JobFn
    queue: str
    timeout_seconds: int | None
    max_attempts: int | None
    permission: str = DEFAULT_PERMISSION  # who may start (and so retry) a job of this kind
    title: str = DEFAULT_TITLE  # what the job's page calls it (a msgid; ui/labels.py "job_kind")


REGISTRY: dict[str, JobKind] = {}


def job(
    name: str,
    *,
    queue: str = "default",
    timeout_seconds: int | None = None,
    max_attempts: int | None = None,
    permission: str = DEFAULT_PERMISSION,
    title: str = DEFAULT_TITLE,
) -> Callable[[JobFn], JobFn]:
    """Register a job kind. Two registrations of one name fail loudly. ``permission``: the one
    that lets a person start a job of this kind (a Perm value), checked again for a retry;
    ``title``: its name in words (Chinese, marked ``N_`` for the catalogue)."""

    def decorate(fn: JobFn) -> JobFn:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise RuntimeError(f"job {name!r} is registered twice")
        REGISTRY[name] = JobKind(
            name, fn, queue, timeout_seconds, max_attempts, str(permission), title
        )
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


def N_(message: str) -> str:
    """Marks a job's title for extraction; the page translates it when it shows it."""
    return message


def kind(name: str) -> JobKind:
    if name not in REGISTRY:
        load_job_modules()
    try:
        return REGISTRY[name]
    except KeyError:
        raise LookupError(f"no job kind named {name!r}") from None
