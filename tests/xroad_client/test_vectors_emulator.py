"""Side 3 of the vector checks: the emulator answers each vector's request as the vector's
response says (fresh ids, request ids and hashes aside)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.vector_worlds import VectorWorld, world_for
from tests.xroad_client.vectors import (
    NS,
    Vector,
    all_vectors,
    body_bytes,
    header,
    soap_envelope,
    split_rest_path,
    vector,
)
from xroad_client.emulator import BadRequestStyle

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ALL = [v["name"] for v in all_vectors()]


B64_SHA512 = re.compile(r"^[A-Za-z0-9+/]{86}==$")


def _media(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _request_kwargs(v: Vector) -> dict[str, Any]:
    request = v["request"]
    kwargs: dict[str, Any] = {"headers": dict(request["headers"])}
    body = request["body"]
    if isinstance(body, dict) and "multipart" in body:
        part = body["multipart"][0]
        kwargs["headers"].pop("Content-Type")
        kwargs["files"] = {part["name"]: ("photo.jpg", b"\xff\xd8\xff", part["content_type"])}
    elif body is not None:
        kwargs["json"] = body
    return kwargs


def _check_xroad_headers(response: httpx.Response, v: Vector) -> None:
    request_client = header(v["request"]["headers"], "X-Road-Client")
    instance = (request_client or "").split("/")[0]
    assert re.fullmatch(rf"{instance}-[0-9a-f-]{{36}}", response.headers["x-road-id"])
    assert response.headers["x-road-client"] == request_client
    assert UUID.match(response.headers["x-road-request-id"])
    assert B64_SHA512.match(response.headers["x-road-request-hash"])
    expected_service = header((v["response"] or {}).get("headers", {}), "x-road-service")
    if expected_service:
        assert response.headers["x-road-service"] == expected_service
        assert response.headers["x-road-request-id"] != header(
            v["response"]["headers"], "x-road-request-id"
        )


async def _emulate_rest(v: Vector, http: httpx.AsyncClient) -> httpx.Response:
    request = v["request"]
    if v["name"] == "rest_err_cat3_bad_request":
        return await http.get("/r1/DEV/COM")  # malformed: 2 id parts, no X-Road-Client
    path = request["path"].replace("...", "v2/pets/1124")
    return await http.request(request["method"], path, **_request_kwargs(v))


def _check_rest_answer(v: Vector, response: httpx.Response, world: VectorWorld) -> None:
    expected = v["response"]
    if expected is None:  # the mapping vectors: check what the provider received
        assert response.status_code == 200
        _check_xroad_headers(response, v)
        assert world.rest_provider is not None
        (seen,) = world.rest_provider.seen
        _, provider_path, params = split_rest_path(v["request"]["path"])
        assert (seen.method, seen.host) == ("GET", "barservice.example.org")
        assert (seen.raw_path, seen.query) == (
            provider_path or "/",
            "&".join(f"{k}={x}" for k, x in params.items()),
        )
        assert seen.header("x-road-request-id") == response.headers["x-road-request-id"]
        return
    assert response.status_code == expected["status"]
    expected_type = header(expected["headers"], "Content-Type")
    if expected_type:
        assert _media(response.headers["content-type"]) == _media(expected_type)
    code = header(expected["headers"], "X-Road-Error")
    if code:
        body = response.json()
        assert response.headers["x-road-error"] == code == body["type"]
        assert UUID.match(body["detail"]) and body["detail"] != expected["body"]["detail"]
        assert body["message"]
        if v["name"] == "rest_err_cat4_provider_ss_db_error":
            assert body["message"] == expected["body"]["message"]
        return
    _check_xroad_headers(response, v)
    assert response.content == body_bytes(expected["body"])
    for absent in expected.get("headers_absent", []):
        assert absent not in response.headers
    receives = (v.get("expect") or {}).get("provider_receives")
    if receives:
        assert world.rest_provider is not None
        seen = world.rest_provider.seen[-1]
        assert f"{seen.method} https://{seen.host}{seen.raw_path}" == receives


def _check_soap_answer(v: Vector, sent: bytes, response: httpx.Response) -> None:
    assert response.status_code == 200
    assert _media(response.headers["content-type"]) == "text/xml"
    envelope = ET.fromstring(response.content)
    summary = v["response"]["body"]
    body = envelope.find(f"{{{NS['SOAP-ENV']}}}Body")
    assert body is not None
    if "fault" in summary:
        fault = body.find(f"{{{NS['SOAP-ENV']}}}Fault")
        assert fault is not None
        assert fault.findtext("faultcode") == summary["fault"]["faultcode"]
        assert fault.findtext("faultstring") == summary["fault"]["faultstring"]
        assert UUID.match(fault.findtext("detail/faultDetail") or "")
        return
    soap_header = envelope.find(f"{{{NS['SOAP-ENV']}}}Header")
    assert soap_header is not None
    digest = soap_header.find(f"{{{NS['xrd']}}}requestHash")
    assert digest is not None
    assert digest.get("algorithmId") == summary["header"]["requestHash"]["algorithmId"]
    assert digest.text == base64.b64encode(hashlib.sha512(sent).digest()).decode()
    request_header = v["request"]["body"]["header"]
    for key in ("id", "userId", "issue", "protocolVersion"):
        if key in request_header:
            assert soap_header.findtext(f"{{{NS['xrd']}}}{key}") == request_header[key]
    (wrapper,) = list(body)
    assert wrapper.tag == summary["body_element"]
    if "services" in summary:
        codes = [s.findtext(f"{{{NS['id']}}}serviceCode") for s in wrapper]
        assert codes == [s["serviceCode"] for s in summary["services"]]
        return
    for key, value in summary["body_children"].items():
        child = wrapper.find(key)
        assert child is not None
        if isinstance(value, str):
            assert (child.text or "") == value
        else:
            assert {c.tag: c.text for c in child} == value


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_emulator_answers_the_vector_request(name: str) -> None:
    v = vector(name)
    world = world_for(v)
    if name == "rest_err_cat3_bad_request":  # the spec's example, which no release answers
        world.emulator.topology.bad_request_style = BadRequestStyle.SPEC
    transport = world.emulator.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://ss.test") as http:
        if v["protocol"] == "REST":
            _check_rest_answer(v, await _emulate_rest(v, http), world)
            if name == "rest_identifier_percent_encoding":
                invalid = v["expect"]["invalid_form"].split(" ", 1)[0]
                refused = await http.get(f"/r1/{invalid}", headers=v["request"]["headers"])
                # one id segment: RestRequest.decodeIdentifiers says "Invalid request URI"
                assert refused.status_code == 500
                assert refused.headers["x-road-error"] == "Server.ClientProxy.InternalError"
                assert refused.json()["message"] == "Invalid request URI"
        elif v["protocol"] == "REST-META":
            response = await http.get(v["request"]["path"], headers=v["request"]["headers"])
            assert response.status_code == 200
            _check_xroad_headers(response, v)
            if name == "mrest_getOpenAPI":
                assert _media(response.headers["content-type"]) == "text/plain"
                served = response.text
                assert "openapi: 3.0.0" in served and "title: Firm listing" in served
                assert "version: 1.0.0" in served and "/firms:" in served
                assert "operationId: listFirms" in served
            else:
                assert response.json() == v["response"]["body"]
        elif v["protocol"] == "META-HTTP":
            response = await http.get(v["request"]["path"], headers=v["request"]["headers"])
            assert response.status_code == 200
            assert response.json() == v["response"]["body"]
        else:
            summary = v["request"]["body"]
            if not isinstance(summary, dict):  # "(envelope without Body)"
                summary = vector("soap_exampleService")["request"]["body"]
            sent = soap_envelope(summary, body=name != "soap_fault_technical")
            response = await http.post("/", content=sent, headers=v["request"]["headers"])
            _check_soap_answer(v, sent, response)
