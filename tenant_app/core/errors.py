"""Errors a service raises for bad input: a message and the fields concerned, in Chinese.

Pages show them next to the fields; the API answers 422 ``{code, message, errors}``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    status = 422
    code = "invalid"
    # True when the refusal itself is a fact to keep (e.g. a positive-list entry stopped by a
    # record that arrived mid-procedure): the error handlers commit instead of rolling back.
    # The service writes only that fact before raising, never a half of the refused step.
    keep = False

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(ServiceError):
    @classmethod
    def field(cls, name: str, reason: str) -> ValidationFailed:
        return cls(str(_l("提交的内容有误")), {name: [reason]})


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Throttled(ServiceError):
    status = 429
    code = "throttled"

    def __init__(
        self, message: str, errors: dict[str, list[str]] | None = None, retry_after: int = 0
    ) -> None:
        super().__init__(message, errors)
        self.retry_after = retry_after
