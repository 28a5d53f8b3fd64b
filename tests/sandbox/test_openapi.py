"""Each registry's OpenAPI document describes exactly the routes its app serves."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import pytest
from starlette.routing import Route

from sandbox.providers import certificates, notaries, payments, population, tax

from .conftest import client_for

pytestmark = pytest.mark.anyio

PROVIDERS = [population, tax, certificates, notaries, payments]
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def served_operations(module: ModuleType) -> set[tuple[str, str]]:
    app = module.create_app()
    return {
        (route.path, method.lower())
        for route in app.routes
        if isinstance(route, Route) and route.path != "/openapi.json"
        for method in route.methods or ()
        if method != "HEAD"
    }


def described_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def all_refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def resolve(document: dict[str, Any], ref: str) -> object:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_document_is_openapi_3_with_title_and_version(module: ModuleType) -> None:
    document = module.OPENAPI

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert document["info"]["version"]


@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_served_route_is_described_and_nothing_else(module: ModuleType) -> None:
    assert served_operations(module) == described_operations(module.OPENAPI)


@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_operations_have_ids_responses_and_declared_path_parameters(module: ModuleType) -> None:
    document = module.OPENAPI
    operation_ids = []
    for path, method in described_operations(document):
        operation = document["paths"][path][method]
        operation_ids.append(operation["operationId"])
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
        assert any(code.startswith("2") for code in operation["responses"]), (path, method)
        assert any(code.startswith("4") for code in operation["responses"]), (path, method)
        if method == "post" and "{" not in path:
            assert "requestBody" in operation, path

    assert len(set(operation_ids)) == len(operation_ids)


@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_reference_resolves(module: ModuleType) -> None:
    document = module.OPENAPI

    for ref in all_refs(document):
        assert ref.startswith("#/")
        assert isinstance(resolve(document, ref), dict), ref


@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
async def test_app_serves_its_document_at_openapi_json(module: ModuleType) -> None:
    async with client_for(module.create_app()) as client:
        response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == module.OPENAPI
