"""OpenAPI 3.1, produced from the same models that validate the requests."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from service.kit.web import PROBLEM_STATUSES, Operation

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "index": {"type": "integer"},
                    "row": {"type": "integer"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def _operations(app: web.Application) -> list[tuple[str, str, Operation]]:
    found = []
    for route in app.router.routes():
        op = getattr(route.handler, "__operation__", None)
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if op is None or not path or route.method == "HEAD":
            continue
        found.append((_PARAM.sub(r"{\1}", path), route.method.lower(), op))
    return found


def build_openapi(app: web.Application, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI document of every route that carries operation metadata."""
    ops = _operations(app)
    inputs: list[tuple[Any, JsonSchemaMode, TypeAdapter[Any]]] = []
    for path, method, op in ops:
        if op.body is not None:
            inputs.append(((path, method, "body"), "validation", TypeAdapter(op.body)))
        if op.query is not None:
            inputs.append(((path, method, "query"), "validation", TypeAdapter(op.query)))
        for status, model in op.responses.items():
            if model is not None:
                inputs.append(((path, method, status), "serialization", TypeAdapter(model)))
    schemas, defs = TypeAdapter.json_schemas(inputs, ref_template=REF)
    components: dict[str, Any] = dict(defs.get("$defs", {}))
    components["Problem"] = PROBLEM_SCHEMA

    paths: dict[str, dict[str, Any]] = {}
    for path, method, op in ops:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": f"{method}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}",
            "responses": {},
        }
        if op.description:
            entry["description"] = op.description
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PARAM.findall(path)
        ]
        if op.query is not None:
            qschema = _resolve(schemas[((path, method, "query"), "validation")], components)
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                params.append(
                    {"name": name, "in": "query", "required": name in required, "schema": prop}
                )
        if params:
            entry["parameters"] = params
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": schemas[((path, method, "body"), "validation")]}
                },
            }
        elif op.body_media:
            entry["requestBody"] = {
                "required": not op.body_optional,
                "content": {k: {"schema": v} for k, v in op.body_media.items()},
            }
        for status, model in op.responses.items():
            if model is None:
                entry["responses"][str(status)] = {"description": "No content"}
            else:
                entry["responses"][str(status)] = {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": schemas[((path, method, status), "serialization")]
                        }
                    },
                }
        for status, media in op.response_media.items():
            entry["responses"][str(status)] = {
                "description": "OK",
                "content": {k: {"schema": v} for k, v in media.items()},
            }
        for status in sorted({*op.problems, 500}):
            entry["responses"][str(status)] = {
                "description": PROBLEM_STATUSES.get(status, "Unexpected error"),
                "content": {
                    "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}
                },
            }
        if not op.public:
            entry["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[method] = entry

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return components[ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return schema
