"""The key that binds the PostgreSQL scope settings (issue 12, item 7; docs/security.md).

The app signs ``"<backend pid>|<app.tenant_id>|<app.read_tenants>|<app.user_id>"`` with
HMAC-SHA256 and sets the result as ``app.scope_sig``; the database recomputes it in the SECURITY
DEFINER function ``app_scope_valid()`` from an owner-only table (migrations/rls.py). SQL running
as the app role can still call ``set_config`` but, lacking the key, cannot make a setting the
policies trust. Binding the backend pid means a signature seen on one connection is worthless on
another.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

_BLOCK = 64  # SHA-256 block size: HMAC pads the key to it


@lru_cache(maxsize=4)
def derive(secret: str) -> bytes:
    """The 32-byte HMAC key from the DB_SCOPE_KEY setting."""
    return hashlib.sha256(b"tenant-app rls scope\0" + secret.encode()).digest()


def pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys, so SQL can compute HMAC with sha256() alone."""
    k0 = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in k0), bytes(b ^ 0x5C for b in k0)


def fingerprint(key: bytes) -> str:
    """Names the key (to compare app and database) without revealing it."""
    return hashlib.sha256(b"fingerprint\0" + key).hexdigest()[:16]


def message(pid: int, tenant_id: str, read_ids: str, user_id: str) -> bytes:
    return f"{pid}|{tenant_id}|{read_ids}|{user_id}".encode()


def sign(key: bytes, pid: int, tenant_id: str, read_ids: str, user_id: str) -> str:
    return hmac.new(key, message(pid, tenant_id, read_ids, user_id), hashlib.sha256).hexdigest()
