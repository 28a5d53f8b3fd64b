"""What every sandbox registry shares on the wire: JSON errors, body parsing, OpenAPI.

Each provider is a plain Starlette app built by `registry_app`. Handlers raise
`RegistryError` for a definite answer that is not a success (bad input, not found,
conflict); it becomes `{"error": code, "message": text}` with the given status.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

OpenAPIDocument = dict[str, Any]


class RegistryError(Exception):
    """A definite non-success answer from a registry, sent as a JSON error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def _registry_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RegistryError)
    return error_response(exc.status, exc.code, exc.message)


_HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_ERROR_CODES.get(exc.status_code, "http_error")
    message = f"{request.method} {request.url.path}: {exc.detail}"
    body = {"error": code, "message": message}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def registry_app(routes: Sequence[BaseRoute], openapi: OpenAPIDocument) -> Starlette:
    """A provider app: its routes, `GET /openapi.json`, and JSON bodies for every error."""

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi)

    handlers: Mapping[Any, Callable[[Request, Exception], Any]] = {
        RegistryError: _registry_error,
        HTTPException: _http_error,
    }
    app = Starlette(
        routes=[*routes, Route("/openapi.json", openapi_json, methods=["GET"])],
        exception_handlers=handlers,
    )
    app.router.redirect_slashes = False  # an API answers 404, it does not redirect
    return app


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    body = await request.body()
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise RegistryError(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise RegistryError(400, "invalid_json", "The body must be a JSON object.")
    return parsed


def invalid_field(field: str, message: str) -> RegistryError:
    return RegistryError(400, "invalid_request", f"Field '{field}': {message}")


def required_text(body: Mapping[str, Any], field: str, *, max_length: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise invalid_field(field, "required, a non-empty string.")
    if len(value) > max_length:
        raise invalid_field(field, f"at most {max_length} characters.")
    return value.strip()


def optional_text(body: Mapping[str, Any], field: str, *, max_length: int) -> str | None:
    if body.get(field) is None:
        return None
    return required_text(body, field, max_length=max_length)


def required_date(body: Mapping[str, Any], field: str) -> datetime.date:
    value = body.get(field)
    if not isinstance(value, str):
        raise invalid_field(field, "required, a date as YYYY-MM-DD.")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise invalid_field(field, f"{value!r} is not a date as YYYY-MM-DD.") from exc


def required_choice(body: Mapping[str, Any], field: str, choices: Sequence[str]) -> str:
    value = body.get(field)
    if value not in choices:
        raise invalid_field(field, f"one of {', '.join(choices)}.")
    assert isinstance(value, str)
    return value


def required_object(body: Mapping[str, Any], field: str) -> dict[str, Any]:
    value = body.get(field)
    if not isinstance(value, dict):
        raise invalid_field(field, "required, a JSON object.")
    return value


# --- OpenAPI building blocks shared by the four documents -------------------------------

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable code, e.g. invalid_curp."},
        "message": {"type": "string", "description": "What is wrong, for a developer."},
    },
}


def error_reply(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def json_reply(description: str, schema_name: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def json_body(schema_name: str, example: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema_name}"},
                "example": dict(example),
            }
        },
    }


def path_parameter(name: str, description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": dict(schema),
    }


def openapi_document(
    *, title: str, description: str, paths: dict[str, Any], schemas: dict[str, Any]
) -> OpenAPIDocument:
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0", "description": description},
        "paths": paths,
        "components": {"schemas": {**schemas, "Error": ERROR_SCHEMA}},
    }
