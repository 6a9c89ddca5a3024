"""Schemathesis fuzzes every operation of /api/v1/openapi.json against the real WSGI app.

No input may make the API answer 5xx, and every answer must match what the OpenAPI document
promises for that operation: a documented status code, content type, headers and body schema.
Callers are a superadmin and a tenant admin, and ``{tenant}`` is a real slug part of the time so
the operations get past the tenant lookup into their own validation and services.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import token_for

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation and caller: a total budget shared by the operations (the API grows),
# keeping the run well under a minute. FUZZ_EXAMPLES=300 FUZZ_RANDOM=1 for a deeper local hunt.
TOTAL_EXAMPLES = 640
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
# The caller's own bureau (gets past the lookup and the permission check) and another one (403).
SLUGS = ("xj-urumqi", "sx-taiyuan")
CALLERS = ("admin", "urumqi-admin")  # superadmin, tenant admin of xj-urumqi


def _cases(operation: Any) -> st.SearchStrategy[Any]:
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    strategies = []
    if any(p.name == "tenant" for p in operation.path_parameters):
        # Real slugs first: one_of favours its first branches.
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters={"tenant": slug})
            for slug in SLUGS
            for mode in modes
        ]
    strategies += [operation.as_strategy(generation_mode=mode) for mode in modes]
    return st.one_of(strategies)


def _fuzz(operation: Any, username: str, examples: int) -> list[str]:
    """Run one operation as one caller; return the distinct failures found (empty: all good)."""
    found: dict[str, str] = {}
    # DELETE /me/tokens/{id} may revoke the caller's own token: it gets a fresh one per case.
    revokes_tokens = operation.path.startswith("/api/v1/me/tokens/")
    token = token_for(username)

    @given(case=_cases(operation))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        bearer = token_for(username) if revokes_tokens else token
        # Set on the case, where it wins over a generated Authorization header.
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {bearer}"}
        try:
            case.call_and_validate(checks=CHECKS)
        except FailureGroup as exc:
            for failure in exc.exceptions:
                found.setdefault(f"{failure.title}: {failure.message}"[:300], str(exc)[:3000])

    run()
    return [f"{operation.label} as {username}:\n{detail}" for detail in found.values()]


@pytest.mark.fuzz  # not in the quick loop; .ci/run: FUZZ_EXAMPLES=6 pytest -m fuzz
def test_every_api_operation_survives_fuzzing(app, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations, failures = [], []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as exc:  # an operation the document describes wrongly is a failure too
            failures.append(f"invalid OpenAPI definition: {exc}"[:3000])
    labels = sorted(op.label for op in operations)
    # The document covers the API; a route that silently drops out of it is not fuzzed.
    assert len(operations) >= 9, labels
    examples = MAX_EXAMPLES or max(5, min(25, TOTAL_EXAMPLES // (len(operations) * len(CALLERS))))
    for operation in operations:
        for username in CALLERS:
            failures += _fuzz(operation, username, examples)
    assert not failures, "\n\n".join(failures)


def test_openapi_documents_the_error_answers(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["security"] == [{"bearer": []}]
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "errors"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            default = op["responses"].get("default", {})
            ref = default.get("$ref", "")
            assert ref.endswith("/DEFAULT_ERROR"), (method, path)
    # The region list is public: no token is asked for, and none is needed.
    assert doc["paths"]["/api/v1/tenants"]["get"]["security"] == []
    assert client.get("/api/v1/tenants").status_code == 200
