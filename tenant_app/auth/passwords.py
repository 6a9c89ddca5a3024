"""Password hashing with argon2id at OWASP's floor (19 MiB, 2 passes) or above."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# A real hash of a random string: unknown users cost the same time as known ones.
_DUMMY = _hasher.hash("timing-equaliser")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def password_problem(password: str) -> str | None:
    """A reason in Chinese when a new password is too weak, else None."""
    if len(password) < MIN_LENGTH:
        return _("密码至少需要 %(n)s 个字符", n=MIN_LENGTH)
    if password.isdigit() or password.isalpha():
        return _("密码须同时包含字母和数字或符号")
    return None
