"""Flask's signed-cookie session, with its signing serializer built once per set of keys.

Flask builds a new serializer for every request that opens the session, and itsdangerous
probes the serializer with a trial dump each time: a fortieth of an API request that never
reads the cookie (issue 13). The serializer holds only its keys and settings, so one per key
set serves every thread; a changed ``SECRET_KEY`` or fallback list makes a new one.
"""

from __future__ import annotations

import threading

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (id(app), app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(key)
        if found is None:
            found = super().get_signing_serializer(app)
            with self._lock:
                self._serializers[key] = found
        return found
