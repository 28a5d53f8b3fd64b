"""One emulated world per test vector: the members, services and rights the vector implies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.xroad_client.apps import Canned, RecordingProvider, SoapEchoProvider
from tests.xroad_client.vectors import (
    Vector,
    all_vectors,
    body_bytes,
    header,
    soap_body_xml,
    split_rest_path,
    vector,
)
from xroad_client import ClientId, ServiceId
from xroad_client.emulator import (
    AsgiProvider,
    Emulator,
    Endpoint,
    FaultSpec,
    RestService,
    SoapService,
    Topology,
)

PETSTORE = ServiceId(ClientId("DEV", "COM", "222", "TESTSERVICE"), "petstore")
PETSTORE_CLIENT = ClientId("DEV", "COM", "222", "TESTCLIENT")
FIRMS_OPENAPI = """openapi: 3.0.0
info:
  title: Firm listing
  version: 1.0.0
servers:
  - url: https://firms.internal
paths:
  /firms:
    get:
      operationId: listFirms
"""


@dataclass
class VectorWorld:
    emulator: Emulator
    rest_provider: RecordingProvider | None = None
    soap_provider: SoapEchoProvider | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def _client(fields: dict[str, str]) -> ClientId:
    return ClientId(
        fields["xroad_instance" if "xroad_instance" in fields else "xRoadInstance"],
        fields.get("member_class") or fields["memberClass"],
        fields.get("member_code") or fields["memberCode"],
        fields.get("subsystem_code") or fields.get("subsystemCode"),
    )


def _soap_service(fields: dict[str, str]) -> ServiceId:
    return ServiceId(_client(fields), fields["serviceCode"], fields.get("serviceVersion"))


def _add(topology: Topology, client: ClientId, name: str) -> None:
    member = topology.member(client)
    if member is None:
        member = topology.add_member(client.member, name)
    if client.subsystem_code is not None:
        member.subsystems.setdefault(client.subsystem_code, None)


def _petstore_routes() -> dict[tuple[str, str], Canned]:
    routes = {}
    for v in all_vectors():
        path = v["request"]["path"]
        if not path.startswith(f"/r1/{PETSTORE.encode()}/") or "..." in path:
            continue
        response = v["response"]
        content_type = header(response["headers"], "content-type")
        headers = [("content-type", content_type)] if content_type else []
        routes[(v["request"]["method"], split_rest_path(path)[1])] = Canned(
            response["status"], body_bytes(response["body"]), headers
        )
    return routes


def petstore_world(v: Vector) -> VectorWorld:
    topology = Topology(instance="DEV")
    _add(topology, PETSTORE_CLIENT, "Test member")
    _add(topology, PETSTORE.provider, "Test member")
    provider = RecordingProvider(routes=_petstore_routes())
    service = RestService(id=PETSTORE, provider=AsgiProvider(provider, "https://petstore.niis.org"))
    service.allow(PETSTORE_CLIENT)
    topology.add_service(service)
    emulator = Emulator(topology)
    if v["name"] == "rest_err_cat2_provider_unreachable":
        emulator.inject_fault(PETSTORE, FaultSpec(down=True))
    if v["name"] == "rest_err_cat4_provider_ss_db_error":
        body = v["response"]["body"]
        emulator.inject_fault(
            PETSTORE,
            FaultSpec(error_rate=1.0, error_code=body["type"], error_message=body["message"]),
        )
    return VectorWorld(emulator, rest_provider=provider)


def generic_world(v: Vector) -> VectorWorld:
    ids, _, _ = split_rest_path(v["request"]["path"])
    client = ClientId.parse(v["request"]["headers"]["X-Road-Client"])
    service = ServiceId(ClientId(*ids[:4]), ids[4])
    topology = Topology(instance=client.instance)
    _add(topology, client, "Consumer")
    _add(topology, service.provider, "Provider")
    provider = RecordingProvider()
    base = "https://barservice.example.org"
    rest = RestService(id=service, provider=AsgiProvider(provider, base))
    rest.allow(client)
    topology.add_service(rest)
    return VectorWorld(Emulator(topology), rest_provider=provider, notes={"base": base})


def mrest_world(v: Vector) -> VectorWorld:
    client = ClientId.parse(v["request"]["headers"]["X-Road-Client"])
    topology = Topology(instance=client.instance)
    _add(topology, client, "Consumer")
    provider = RecordingProvider()
    if v["name"] == "mrest_getOpenAPI":
        ids, _, params = split_rest_path(v["request"]["path"])
        owner = ClientId(*ids[:4])
        _add(topology, owner, "Provider")
        firms = RestService(
            id=owner.service(params["serviceCode"]),
            provider=AsgiProvider(provider),
            openapi=FIRMS_OPENAPI,
        )
        topology.add_service(firms)
        return VectorWorld(Emulator(topology), rest_provider=provider)
    for item in vector("mrest_listMethods")["response"]["body"]["service"]:
        owner = _client(item)
        _add(topology, owner, "Provider")
        openapi = {"openapi": "3.0.0", "paths": {}} if item["service_type"] == "OPENAPI" else None
        endpoints = [Endpoint(e["method"], e["path"]) for e in item["endpoint_list"]]
        service = RestService(
            id=owner.service(item["service_code"]),
            provider=AsgiProvider(provider),
            openapi=openapi,
            endpoints=endpoints,
        )
        topology.add_service(service)
    someone_else = ClientId("INSTANCE", "CLASS9", "OTHER", "SUB")
    _add(topology, someone_else, "Someone else")
    for registered in topology.services:  # others' rights must not show in allowedMethods
        registered.allow(someone_else, method="GET", path="/**")
    for item in vector("mrest_allowedMethods")["response"]["body"]["service"]:
        granted = topology.find_service(_client(item).service(item["service_code"]))
        assert granted is not None
        for endpoint in item["endpoint_list"]:
            granted.allow(client, method=endpoint["method"], path=endpoint["path"])
    return VectorWorld(Emulator(topology), rest_provider=provider)


def list_clients_world(v: Vector) -> VectorWorld:
    entries = v["response"]["body"]["member"]
    topology = Topology(instance=entries[0]["id"]["xroad_instance"])
    for entry in entries:
        client = _client(entry["id"])
        member = topology.member(client) or topology.add_member(client.member, entry["name"])
        if client.subsystem_code is not None:
            member.subsystems[client.subsystem_code] = entry.get("subsystem_name")
    topology.add_member("BB/GOV/FOREIGN", "Another instance")  # must not be listed
    return VectorWorld(Emulator(topology))


def soap_world(v: Vector) -> VectorWorld:
    request = v["request"]["body"]
    if not isinstance(request, dict):  # the technical-fault vector: reuse exampleService's
        request = vector("soap_exampleService")["request"]["body"]
    client = _client(request["header"]["client"])
    service = _soap_service(request["header"]["service"])
    topology = Topology(instance=client.instance)
    _add(topology, client, "Consumer")
    _add(topology, service.provider, "Provider")
    if v["protocol"] == "SOAP-META":
        for item in v["response"]["body"]["services"]:
            listed = SoapService(id=_soap_service(item), provider=AsgiProvider(RecordingProvider()))
            if item["serviceCode"].startswith("allowed"):
                listed.allow(client)
            topology.add_service(listed)
        return VectorWorld(Emulator(topology))
    response = v["response"]["body"] if "body_element" in v["response"]["body"] else None
    body = soap_body_xml(response or vector("soap_exampleService")["response"]["body"])
    provider = SoapEchoProvider(body)
    soap = SoapService(id=service, provider=AsgiProvider(provider, "https://producer.example"))
    soap.allow(client)
    topology.add_service(soap)
    return VectorWorld(Emulator(topology, seed=1), soap_provider=provider)


BUILDERS: dict[str, Callable[[Vector], VectorWorld]] = {
    "rest_generic_get_mapping": generic_world,
    "rest_identifier_percent_encoding": generic_world,
    "mrest_listMethods": mrest_world,
    "mrest_allowedMethods": mrest_world,
    "mrest_getOpenAPI": mrest_world,
    "meta_listClients_json": list_clients_world,
}


def world_for(v: Vector) -> VectorWorld:
    if v["name"] in BUILDERS:
        return BUILDERS[v["name"]](v)
    if v["protocol"].startswith("SOAP"):
        return soap_world(v)
    return petstore_world(v)
