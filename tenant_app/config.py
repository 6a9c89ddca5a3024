"""Declared settings: every key has a type, a default and a line in docs/configuration.md.

Values come from the environment (``TENANT_APP_`` prefix optional for the documented names);
unknown ``TENANT_APP_*`` variables are refused so that a typo never silently falls back to a default.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot make a safe configuration."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    default: Any
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", str, "development", "development | production | testing"),
    Setting(
        "DATABASE_URL",
        str,
        "",
        "SQLAlchemy URL the app connects with (default: SQLite in instance/)",
    ),
    Setting(
        "MIGRATE_DATABASE_URL",
        str,
        "",
        "URL of the schema owner for migrations (default: DATABASE_URL)",
    ),
    Setting(
        "APP_DB_ROLE",
        str,
        "tenant_app",
        "PostgreSQL role the app connects as; migrations grant it rights",
    ),
    Setting("REDIS_URL", str, "", "Redis for RQ jobs; unset runs jobs in-process"),
    Setting(
        "CACHE_REDIS_URL",
        str,
        "",
        "Redis for the public pages' cache (default: REDIS_URL; neither set: per process)",
    ),
    Setting(
        "PUBLIC_CACHE_SECONDS",
        int,
        600,
        "how long a rendered public page is kept (a publication changes its key at once)",
    ),
    Setting("SECRET_KEY", str, "", "signs sessions and CSRF tokens; required in production"),
    Setting("SESSION_IDLE_MINUTES", int, 30, "log out after this much inactivity"),
    Setting("SESSION_ABSOLUTE_HOURS", int, 12, "log out this long after login, active or not"),
    Setting(
        "LOGIN_MAX_FAILURES", int, 10, "failed logins per account or address allowed in the window"
    ),
    Setting("LOGIN_WINDOW_SECONDS", int, 60, "the throttle window"),
    Setting(
        "RATELIMIT_REDIS_URL",
        str,
        "",
        "Redis for the rate limiter (default: REDIS_URL; neither set: the database)",
    ),
    Setting("RATELIMIT_PREFIX", str, "tenant_app:rl:", "key prefix of the rate limiter in Redis"),
    Setting("LOGIN_DEVICE_DAYS", int, 90, "how long a browser that logged in stays a known device"),
    Setting("JOB_TIMEOUT_SECONDS", int, 1800, "hard time limit of one job run"),
    Setting("JOB_MAX_ATTEMPTS", int, 3, "runs of a failing job before it is failed for good"),
    Setting("JOB_RETRY_SECONDS", int, 10, "wait before a failed job runs again (RQ mode)"),
    Setting("JOB_STALE_SECONDS", int, 300, "a running job without heartbeat this long is reaped"),
    Setting(
        "JOB_WAIT_WARN_SECONDS",
        int,
        120,
        "a job still waiting this long says on its page that no worker has taken it",
    ),
    Setting(
        "JOBS_EAGER", bool, False, "in-process mode: run jobs synchronously after commit (tests)"
    ),
    Setting(
        "SCHEDULER_TICK_SECONDS",
        int,
        30,
        "without Redis: how often the web process checks for due periodic jobs",
    ),
    Setting(
        "JOB_MODULES", str, "", "extra modules registering job kinds, comma-separated import paths"
    ),
    Setting(
        "UPLOAD_DIR", str, "", "where uploaded evidence and import files go (outside the web root)"
    ),
    Setting("MAX_UPLOAD_MB", int, 50, "largest accepted upload (only on upload routes)"),
    Setting("MAX_BODY_KB", int, 256, "largest JSON or form body on every other route"),
    Setting(
        "PUBLIC_MICROCACHE_SECONDS",
        int,
        5,
        "anonymous public pages answered from memory this long per process (0: off)",
    ),
    Setting(
        "DB_PING_AFTER_IDLE_SECONDS",
        int,
        5,
        "a pooled connection idle this long is checked before use (core/db_connections.py)",
    ),
    Setting("MAX_JSON_DEPTH", int, 32, "deepest nesting of a JSON body"),
    Setting("IMPORT_MAX_ROWS", int, 200_000, "rows an import file may have (header excluded)"),
    Setting("IMPORT_MAX_COLUMNS", int, 200, "columns an import file may have"),
    Setting(
        "IMPORT_MAX_UNPACKED_MB", int, 200, "largest XLSX content once unpacked (all its parts)"
    ),
    Setting("IMPORTS_PER_TENANT", int, 2, "imports of one tenant waiting or running at once"),
    Setting(
        "EXPORT_INLINE_MAX_ROWS",
        int,
        2000,
        "an enterprise export up to this many rows downloads at once; a larger one runs as a job",
    ),
    Setting("EXPORTS_PER_TENANT", int, 3, "export jobs of one tenant waiting or running at once"),
    Setting("EXPORT_KEEP_HOURS", int, 72, "how long a file an export job made is kept to download"),
    Setting("DEFAULT_LOCALE", str, "zh_CN", "UI language when the user picked none"),
    Setting(
        "AUDIT_KEY",
        str,
        "",
        "HMAC key(s) of the audit chain: a secret, or 'version:secret' entries separated by"
        " commas; required in production (or AUDIT_KEY_FILE)",
    ),
    Setting(
        "AUDIT_KEY_FILE",
        str,
        "",
        "file holding AUDIT_KEY (one 'version:secret' per line), readable only by the app",
    ),
    Setting(
        "AUDIT_CHECKPOINT_DIR",
        str,
        "",
        "where the daily signed audit checkpoints are written (default instance/audit-checkpoints)",
    ),
    # Notification channels (issue 16 item 4): email by SMTP, signed webhooks; sent in jobs.
    Setting("SMTP_HOST", str, "", "SMTP server for notification emails; unset: no email is sent"),
    Setting("SMTP_PORT", int, 587, "SMTP port"),
    Setting("SMTP_USER", str, "", "SMTP login (empty: no AUTH)"),
    Setting("SMTP_PASSWORD", str, "", "SMTP password"),
    Setting("SMTP_FROM", str, "", "From: address of notification emails"),
    Setting("SMTP_STARTTLS", bool, True, "upgrade the SMTP connection with STARTTLS"),
    Setting(
        "PUBLIC_BASE_URL",
        str,
        "",
        "the site's address as users reach it (https://…): emails and webhooks link to it",
    ),
    Setting(
        "WEBHOOK_ALLOW_PRIVATE",
        bool,
        False,
        "let webhook URLs reach private, loopback and link-local addresses (SSRF guard off)",
    ),
    Setting("WEBHOOK_TIMEOUT_SECONDS", int, 10, "time limit of one webhook request"),
    Setting("WEBHOOK_MAX_ATTEMPTS", int, 6, "webhook attempts before a delivery is given up"),
    Setting(
        "WEBHOOK_RETRY_BASE_SECONDS",
        int,
        60,
        "first retry wait of a failed webhook; doubles after each failure",
    ),
    Setting(
        "DB_SCOPE_KEY",
        str,
        "",
        "key binding the PostgreSQL tenant setting (RLS); default derived from SECRET_KEY."
        " The database holds it too: run `tenant-app db upgrade` after changing it",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
PREFIX = "TENANT_APP_"


def _coerce(setting: Setting, raw: str) -> Any:
    if setting.kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.name} must be an integer, got {raw!r}") from exc
    return raw


def load_settings(
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
    instance_path: str | None = None,
) -> dict[str, Any]:
    env = dict(os.environ if environ is None else environ)
    unknown = [k for k in env if k.startswith(PREFIX) and k[len(PREFIX) :] not in _BY_NAME]
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for s in SETTINGS:
        raw = env.get(PREFIX + s.name, env.get(s.name))
        values[s.name] = s.default if raw is None or raw == "" else _coerce(s, raw)
    for key, val in (overrides or {}).items():
        values[key] = val
    return finish(values, instance_path or str(Path.cwd() / "instance"))


def finish(values: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Derive Flask's own keys from the declared settings."""
    production = values["ENV"] == "production"
    if not values["SECRET_KEY"]:
        if production:
            raise ConfigError("SECRET_KEY must be set in production mode (refusing to start)")
        values["SECRET_KEY"] = "dev-only-not-secret"
    elif production and (problem := weak_secret(str(values["SECRET_KEY"]))):
        raise ConfigError(f"SECRET_KEY {problem} (refusing to start in production mode)")
    if not (values.get("AUDIT_KEY") or values.get("AUDIT_KEY_FILE")):
        if production:
            raise ConfigError(
                "AUDIT_KEY or AUDIT_KEY_FILE must be set in production mode (refusing to start)"
            )
        values["AUDIT_KEY"] = "1:dev-only-audit-key"
    key_file = values.get("AUDIT_KEY_FILE", "")
    if production and key_file and Path(key_file).exists() and Path(key_file).stat().st_mode & 0o7:
        raise ConfigError(
            f"AUDIT_KEY_FILE {key_file!r} is readable by other users: chmod o-rwx (refusing to start)"
        )
    values["AUDIT_KEYS"] = audit_keyring(values.get("AUDIT_KEY", ""), key_file)
    if not values.get("AUDIT_CHECKPOINT_DIR"):
        values["AUDIT_CHECKPOINT_DIR"] = str(Path(instance_path) / "audit-checkpoints")
    if not values.get("DB_SCOPE_KEY"):
        if production and is_postgres(values["DATABASE_URL"]):
            raise ConfigError(
                "DB_SCOPE_KEY must be set in production on PostgreSQL (refusing to start)"
            )
        values["DB_SCOPE_KEY"] = hmac.new(
            values["SECRET_KEY"].encode(), b"tenant-app db scope key v1", hashlib.sha256
        ).hexdigest()
    if not values["DATABASE_URL"]:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        values["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'tenant_app.sqlite3'}"
    if not values["UPLOAD_DIR"]:
        values["UPLOAD_DIR"] = str(Path(instance_path) / "uploads")
    values.update(
        SQLALCHEMY_DATABASE_URI=normalise_db_url(values["DATABASE_URL"]),
        SQLALCHEMY_ENGINE_OPTIONS=values.get("SQLALCHEMY_ENGINE_OPTIONS") or {},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="__Host-session" if production else "session",
        SESSION_COOKIE_PATH="/",
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=values["SESSION_ABSOLUTE_HOURS"]),
        MAX_CONTENT_LENGTH=(values["MAX_UPLOAD_MB"] + 1) * 1024 * 1024,  # http/bodies.py: per route
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=values["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        API_TITLE="正面清单与涉企检查平台 API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        TESTING=values["ENV"] == "testing",
    )
    return values


# Placeholders from deploy/tenant-app.env.example, docs and this file: public, so no secret.
KNOWN_PLACEHOLDERS = frozenset(
    {"change-me-64-random-bytes", "dev-only-not-secret", "test-secret", "changeme", "secret"}
)
MIN_SECRET_LENGTH = 32


def weak_secret(key: str) -> str | None:
    """Why a production SECRET_KEY is unacceptable, or None: a published placeholder, fewer
    than 32 characters, or too few distinct characters to be random."""
    stripped = key.strip()
    if stripped.lower() in KNOWN_PLACEHOLDERS or "change-me" in stripped.lower():
        return "is the placeholder from the deploy example; generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
    if len(stripped) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(stripped)) < 10:
        return "has too few distinct characters to be random"
    return None


def audit_keyring(inline: str, path: str) -> dict[int, bytes]:
    """Parse the audit keys: ``secret`` (version 1) or ``version:secret`` entries, from the
    setting (comma-separated) and/or the file (one per line). The highest version signs new
    entries; every listed version verifies (key rotation keeps old chains verifiable)."""
    entries = [e for e in inline.replace("\n", ",").split(",") if e.strip()]
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"AUDIT_KEY_FILE {path!r} cannot be read: {exc}") from exc
        entries += [line for line in text.splitlines() if line.strip()]
    keys: dict[int, bytes] = {}
    for entry in entries:
        version, sep, secret = entry.strip().partition(":")
        if not sep or not version.isdigit():
            version, secret = "1", entry.strip()
        if int(version) < 1 or len(secret) < 16:
            raise ConfigError(
                "AUDIT_KEY entries need a version >= 1 and a secret of at least 16 characters"
            )
        keys[int(version)] = secret.encode()
    if not keys:
        raise ConfigError("AUDIT_KEY / AUDIT_KEY_FILE holds no key")
    return keys


def normalise_db_url(url: str) -> str:
    """psycopg 3 is the driver; accept the plain postgres:// spellings operators type."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")
