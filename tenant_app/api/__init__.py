"""The JSON API under /api/v1/, over the same services as the pages; OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import flask
from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser, is_json_request

from tenant_app.api.schemas import ErrorSchema
from tenant_app.extensions import csrf
from tenant_app.http.bodies import decode_json


class PlatformApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """ui/errors.py answers errors for pages and API alike, in one shape."""


class BoundedParser(FlaskParser):
    """JSON bodies go through the one decoding path (http/bodies.py): depth, syntax, storable
    values, then the schema; read only when the view's arguments are parsed, after auth."""

    _instances: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: flask.Request) -> Schema:
        """One instance per argument schema class, not one per request (webargs builds a new
        one each time: a few percent of a list request, issue 13); loading keeps no state on
        the instance."""
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._instances.get(argmap)
            if schema is None:
                schema = self._instances.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req: flask.Request) -> Any:
        from webargs import core

        if not is_json_request(req):
            return core.missing
        return decode_json(req.get_data(cache=True))


# every flask-smorest Blueprint parses with it (its documented hook is this class attribute)
Blueprint.ARGUMENTS_PARSER = BoundedParser()
api = PlatformApi()


def init_api(app: Flask, blueprints: Iterable[Blueprint]) -> None:
    """The API over the features' blueprints (tenant_app/features.py)."""
    api.init_app(
        app,
        spec_kwargs={
            "info": {
                "description": "正面清单与涉企执法检查平台。认证：`Authorization: Bearer <token>`"
                "（`tenant-app tokens create --user 用户名` 生成）。错误统一为 "
                "`{code, message, errors}`。"
            },
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for blp in blueprints:
        csrf.exempt(blp)
        api.register_blueprint(blp)
