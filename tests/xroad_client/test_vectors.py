"""Every vector of the vendored X-Road test vectors (tests/xroad_client/data/vectors.json), checked from three sides:

1. the requests our client builds match the vector's method, path and headers;
2. the vector's responses parse into the right objects or faults;
3. the emulator answers the vector's request as the vector's response says (fresh ids aside),
   in test_vectors_emulator.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import warnings
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree as ET  # type: ignore[import-untyped, unused-ignore]

from tests.xroad_client.apps import ENVELOPE_OPEN
from tests.xroad_client.vector_worlds import PETSTORE
from tests.xroad_client.vectors import (
    NS,
    Vector,
    all_vectors,
    body_bytes,
    has_concrete_rest_request,
    header,
    names,
    raw_response,
    soap_body_xml,
    soap_envelope,
    split_rest_path,
    vector,
)
from xroad_client import (
    NO_RETRY,
    ClientFault,
    ClientId,
    ClientInfo,
    ClientProxyServiceFailed,
    Endpoint,
    IdentifierError,
    IdentifierWarning,
    InvalidResponseError,
    RestResponse,
    ServerProxyFault,
    ServiceId,
    XRoadClient,
    XRoadFault,
    parse_rest_target,
)
from xroad_client._core import openapi_document
from xroad_client.metadata import parse_client_list, parse_rest_services, parse_soap_services
from xroad_client.rest import interpret_rest
from xroad_client.soap import SHA512, interpret_soap

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SOAP_REQUESTS = names(
    lambda v: v["protocol"].startswith("SOAP") and "header" in v["request"]["body"]
)
RESPONDED = names(lambda v: v["response"] is not None)
WITH_EXPECT = names(lambda v: v["expect"] is not None and v["response"] is None)
ALL = [v["name"] for v in all_vectors()]


def test_every_vector_is_covered() -> None:
    """All vectors parse (side 2) and reach the emulator (side 3, over every vector);
    only those without a concrete request cannot be built by the client (side 1)."""
    built = set(names(has_concrete_rest_request)) | set(SOAP_REQUESTS)
    parsed = set(RESPONDED) | set(WITH_EXPECT)
    assert len(ALL) == 19
    assert set(ALL) == parsed
    assert {n for n in ALL if n not in built} == {
        "rest_err_cat2_provider_unreachable",
        "rest_err_cat3_bad_request",
        "rest_err_cat4_provider_ss_db_error",
        "soap_fault_technical",
    }


# -- 1. requests our client builds -----------------------------------------------------------


def _mock_reply(v: Vector, sent: httpx.Request) -> httpx.Response:
    """The vector's response as a Security Server would send it for *our* request."""
    response = v["response"] or {"status": 200, "headers": {}, "body": None}
    headers = dict(response["headers"])
    if v["protocol"] != "META-HTTP":
        headers = {k: val for k, val in headers.items() if k.lower() != "x-road-id"}
        headers["x-road-id"] = sent.headers["x-road-id"]
        headers.setdefault("x-road-request-id", "f92591a3-6bf0-49b1-987b-0dd78c034cc3")
    headers = {k: val for k, val in headers.items() if k.lower() != "content-length"}
    return httpx.Response(response["status"], headers=headers, content=body_bytes(response["body"]))


def _rest_call(client: XRoadClient, v: Vector) -> Any:
    request = v["request"]
    ids, path, params = split_rest_path(request["path"])
    if v["protocol"] == "META-HTTP":
        return client.list_clients()
    if v["protocol"] == "REST-META":
        provider = ClientId(*ids[:4])
        if ids[4] == "getOpenAPI":
            return client.get_openapi(provider.service(params["serviceCode"]))
        return (
            client.list_methods(provider)
            if ids[4] == "listMethods"
            else client.allowed_methods(provider)
        )
    options: dict[str, Any] = {"params": params or None}
    accept = header(request["headers"], "accept")
    if accept:
        options["headers"] = {"accept": accept}
    body = request["body"]
    if isinstance(body, dict) and "multipart" in body:
        part = body["multipart"][0]
        options["files"] = {part["name"]: ("photo.jpg", b"\xff\xd8\xff", part["content_type"])}
    elif body is not None:
        options["json"] = body
    service = ServiceId(ClientId(*ids[:4]), ids[4])
    return client.request(request["method"], service, path, **options)


@pytest.mark.parametrize("name", names(has_concrete_rest_request))
def test_client_builds_the_vector_rest_request(name: str) -> None:
    v = vector(name)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _mock_reply(v, request)

    client_header = header(v["request"]["headers"], "X-Road-Client") or "AA/GOV/TS1OWNER"
    transport = httpx.MockTransport(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with XRoadClient(
            "http://ss.test", client_header, transport=transport, retry=NO_RETRY
        ) as client:
            result = _rest_call(client, v)
    # only the vector with a '/' inside its service code leaves the strict character set
    assert [w.category for w in caught] == (
        [IdentifierWarning] if "%2F" in v["request"]["path"] else []
    )

    (request,) = sent
    assert request.method == v["request"]["method"]
    assert request.url.raw_path.decode() == v["request"]["path"]
    for key, value in v["request"]["headers"].items():
        if "<any>" in value:
            media, _, rest = request.headers[key].partition(";")
            assert media == value.partition(";")[0] and "boundary=" in rest
        else:
            assert request.headers[key] == value
    if v["protocol"] == "META-HTTP":
        assert "x-road-client" not in request.headers
    else:
        assert UUID.match(request.headers["x-road-id"])
    if isinstance(v["request"]["body"], dict) and "multipart" not in v["request"]["body"]:
        assert json.loads(request.content) == v["request"]["body"]
    if isinstance(result, RestResponse):
        assert result.status == (v["response"] or {"status": 200})["status"]
        assert result.x_road.id == request.headers["x-road-id"]


def _soap_client_id(fields: dict[str, str]) -> ClientId:
    return ClientId(
        fields["xRoadInstance"],
        fields["memberClass"],
        fields["memberCode"],
        fields.get("subsystemCode"),
    )


def _soap_service_id(fields: dict[str, str]) -> ServiceId:
    return ServiceId(_soap_client_id(fields), fields["serviceCode"], fields.get("serviceVersion"))


def _soap_call(client: XRoadClient, v: Vector) -> Any:
    header_summary = v["request"]["body"]["header"]
    service = _soap_service_id(header_summary["service"])
    if service.service_code == "listMethods":
        return client.soap_list_methods(service.provider)
    code = service.service_code
    body = f'<ns1:{code} xmlns:ns1="http://producer.x-road.eu"><exampleInput>foo</exampleInput></ns1:{code}>'
    return client.soap(
        service,
        body,
        x_road_id=header_summary["id"],
        user_id=header_summary.get("userId"),
        issue=header_summary.get("issue"),
    )


def _soap_reply(v: Vector, sent: httpx.Request) -> httpx.Response:
    """The vector's response body, under the header a Security Server echoes for our request."""
    match = re.search(rb"<SOAP-ENV:Header>(.*?)</SOAP-ENV:Header>", sent.content, re.S)
    assert match is not None
    digest = base64.b64encode(hashlib.sha512(sent.content).digest()).decode()
    hash_xml = f'<xrd:requestHash algorithmId="{SHA512}">{digest}</xrd:requestHash>'
    summary = {k: val for k, val in v["response"]["body"].items() if k != "header"}
    envelope = (
        f"{ENVELOPE_OPEN}<SOAP-ENV:Header>{match.group(1).decode()}{hash_xml}</SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{soap_body_xml(summary)}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    return httpx.Response(200, headers={"content-type": "text/xml"}, content=envelope.encode())


@pytest.mark.parametrize("name", SOAP_REQUESTS)
def test_client_builds_the_vector_soap_request(name: str) -> None:
    v = vector(name)
    expected = v["request"]["body"]["header"]
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _soap_reply(v, request)

    client_id = _soap_client_id(expected["client"])
    transport = httpx.MockTransport(handler)
    with XRoadClient("http://ss.test", client_id, transport=transport, retry=NO_RETRY) as client:
        result = _soap_call(client, v)

    (request,) = sent
    assert (request.method, request.url.path) == ("POST", v["request"]["path"])
    assert (
        request.headers["content-type"].lower() == v["request"]["headers"]["Content-Type"].lower()
    )
    envelope = ET.fromstring(request.content)
    soap_header = envelope.find(f"{{{NS['SOAP-ENV']}}}Header")
    assert soap_header is not None
    assert [child.tag.split("}")[1] for child in soap_header] == list(expected)
    for name_ in ("client", "service"):
        element = soap_header.find(f"{{{NS['xrd']}}}{name_}")
        assert element is not None
        assert element.get(f"{{{NS['id']}}}objectType") == expected[name_]["objectType"]
        got = {child.tag.split("}")[1]: child.text for child in element}
        assert got == {k: val for k, val in expected[name_].items() if k != "objectType"}
    for name_ in ("userId", "issue", "protocolVersion"):
        if name_ in expected:
            assert soap_header.findtext(f"{{{NS['xrd']}}}{name_}") == expected[name_]
    if expected["service"]["serviceCode"] != "listMethods":
        assert soap_header.findtext(f"{{{NS['xrd']}}}id") == expected["id"]
    body = envelope.find(f"{{{NS['SOAP-ENV']}}}Body")
    assert body is not None and len(body) == 1
    if "body_element" in v["request"]["body"]:
        assert body[0].tag == v["request"]["body"]["body_element"]
        assert {c.tag: c.text or "" for c in body[0]} == v["request"]["body"]["body_children"]
    assert result is not None


# -- 2. the vector's responses parse ---------------------------------------------------------


def _check_rest_parse(v: Vector) -> None:
    raw = raw_response(v)
    response = v["response"]
    code = header(response["headers"], "X-Road-Error")
    x_road_id = header(response["headers"], "x-road-id")
    if code:
        with pytest.raises(XRoadFault) as caught:
            interpret_rest(raw, x_road_id=None)
        fault = caught.value
        assert fault.code == code and str(fault.code) == code
        assert (fault.message, fault.detail) == (
            response["body"]["message"],
            response["body"]["detail"],
        )
        assert fault.http_status == response["status"]
        category = ClientFault if code.startswith("Client") else ServerProxyFault
        assert isinstance(fault, category)
        return
    parsed = interpret_rest(raw, x_road_id=x_road_id)
    assert parsed.status == response["status"]
    assert parsed.x_road.id == x_road_id
    assert parsed.x_road.request_id == header(response["headers"], "x-road-request-id")
    assert parsed.x_road.request_hash == header(response["headers"], "x-road-request-hash")
    assert parsed.x_road.client == header(response["headers"], "x-road-client")
    assert parsed.x_road.service_id == PETSTORE
    assert parsed.x_road.client_id == ClientId.parse(
        header(response["headers"], "x-road-client") or ""
    )
    if response["body"] is not None:
        assert parsed.json() == response["body"]
    for absent in response.get("headers_absent", []):
        assert absent not in parsed.headers


def _check_rest_meta_parse(v: Vector) -> None:
    raw = raw_response(v)
    response = interpret_rest(raw, x_road_id=None, require_xroad_headers=False)
    if v["name"] == "mrest_getOpenAPI":
        document = openapi_document(response)
        assert document.content_type.startswith("(as served")  # the vector's placeholder
        assert json.loads(document.content)["info.title"] == "Firm listing"
        return
    services = parse_rest_services(response)
    expected = v["response"]["body"]["service"]
    assert [s.service.service_code for s in services] == [e["service_code"] for e in expected]
    for service, item in zip(services, expected, strict=True):
        assert service.service_type == item["service_type"]
        assert service.service.provider == ClientId(
            item["xroad_instance"],
            item["member_class"],
            item["member_code"],
            item["subsystem_code"],
        )
        assert service.endpoints == tuple(
            Endpoint(e["method"], e["path"]) for e in item["endpoint_list"]
        )


def _expected_clients(v: Vector) -> list[ClientInfo]:
    return [
        ClientInfo(
            ClientId(
                m["id"]["xroad_instance"],
                m["id"]["member_class"],
                m["id"]["member_code"],
                m["id"].get("subsystem_code"),
            ),
            m["name"],
            m.get("subsystem_name"),
        )
        for m in v["response"]["body"]["member"]
    ]


def _check_soap_parse(v: Vector) -> None:
    summary = v["response"]["body"]
    raw = raw_response(v)
    raw = type(raw)(raw.status, raw.headers, soap_envelope(summary))
    if "fault" in summary:
        with pytest.raises(ClientProxyServiceFailed) as caught:
            interpret_soap(raw, sent=None)
        fault = caught.value
        assert fault.code == summary["fault"]["faultcode"]
        assert fault.message == summary["fault"]["faultstring"]
        assert fault.detail == summary["fault"]["detail.faultDetail"]
        assert fault.http_status == 200
        return
    parsed = interpret_soap(raw, sent=None)
    assert parsed.body.tag == summary["body_element"]
    digest = summary["header"]["requestHash"]
    assert (parsed.header.request_hash, parsed.header.request_hash_algorithm) == (
        digest["value"],
        digest["algorithmId"],
    )
    if "services" in summary:
        listed = parse_soap_services(parsed.body)
        assert [(s.service_code, s.service_version) for s in listed] == [
            (s["serviceCode"], s["serviceVersion"]) for s in summary["services"]
        ]
        return
    children = {c.tag: c for c in parsed.body}
    for key, value in summary["body_children"].items():
        assert key in children
        if isinstance(value, str):
            assert (children[key].text or "") == value
        else:
            assert {c.tag: c.text for c in children[key]} == value
    if "client" in summary["header"]:
        assert parsed.header.id == summary["header"]["id"]
        assert parsed.header.client == _soap_client_id(summary["header"]["client"])
        assert parsed.header.service == _soap_service_id(summary["header"]["service"])
        assert parsed.header.user_id == summary["header"]["userId"]
        assert parsed.header.protocol_version == summary["header"]["protocolVersion"]


@pytest.mark.parametrize("name", RESPONDED)
def test_vector_response_parses(name: str) -> None:
    v = vector(name)
    if v["protocol"] == "REST":
        _check_rest_parse(v)
    elif v["protocol"] == "REST-META":
        _check_rest_meta_parse(v)
    elif v["protocol"] == "META-HTTP":
        assert parse_client_list(raw_response(v)) == _expected_clients(v)
    else:
        _check_soap_parse(v)


def test_get_openapi_yaml_is_returned_as_served_and_not_json() -> None:
    served = "openapi: 3.0.0\ninfo:\n  title: Firm listing\n"

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"x-road-id": request.headers["x-road-id"], "content-type": "text/plain"}
        return httpx.Response(200, headers=headers, content=served.encode())

    transport = httpx.MockTransport(handler)
    with XRoadClient(
        "http://ss.test", "INSTANCE/CLASS1/MEMBER1/SUBSYSTEM1", transport=transport
    ) as client:
        document = client.get_openapi("INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2/listFirms")
    assert document.text == served and document.content_type == "text/plain"
    with pytest.raises(InvalidResponseError):
        document.json()


@pytest.mark.parametrize("name", WITH_EXPECT)
def test_vector_identifier_expectations(name: str) -> None:
    v = vector(name)
    target = parse_rest_target(v["request"]["path"])
    expect = v["expect"]
    if "parsed" in expect:
        parsed = expect["parsed"]
        assert target.protocol_version == parsed["protocol_version"]
        assert [*target.service.provider.parts, target.service.service_code] == parsed["service"]
        assert (
            list(ClientId.parse(v["request"]["headers"]["X-Road-Client"]).parts) == parsed["client"]
        )
        assert (target.service_path, target.query) == (parsed["service_path"], parsed["query"])
    else:
        assert target.service.service_code == expect["service_code_decoded"]
        invalid = expect["invalid_form"].split(" ", 1)[0]
        with pytest.raises(IdentifierError, match="5"):
            parse_rest_target(f"/r1/{invalid}")
        assert target.service.encode().endswith("/BAR%2FSERVICE")
