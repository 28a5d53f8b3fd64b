"""Emulated worlds shared by the tests: the portal calling a SAT registry (REST and SOAP)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.xroad_client.apps import RecordingProvider, SoapEchoProvider
from xroad_client import ClientId, ErrorSpelling, ServiceId
from xroad_client.emulator import AsgiProvider, Emulator, RestService, SoapService, Topology

PORTAL = ClientId("MX", "GOB", "E24", "portal")
BACKOFFICE = ClientId("MX", "GOB", "E24", "backoffice")
SAT = ClientId("MX", "GOB", "SAT", "rfc")
REGISTRY = SAT.service("validate")
SEALED = SAT.service("sealed")
RETIRED = SAT.service("retired")
CURP = SAT.service("curpLookup", "v1")

OPENAPI = {
    "openapi": "3.0.0",
    "info": {"title": "RFC validation", "version": "1.0.0"},
    "servers": [{"url": "https://sat.internal/api"}],
    "paths": {"/rfc/{rfc}": {"get": {"operationId": "validate"}}},
}
CURP_WSDL = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!-- CURP lookup, as SAT publishes it -->\n"
    '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
    ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
    ' xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"'
    ' xmlns:tns="http://sat.example/curp" targetNamespace="http://sat.example/curp"'
    ' name="curpLookup">\n'
    '  <wsdl:service name="curpLookupService">\n'
    '    <wsdl:port name="curpPort" binding="tns:curpBinding">\n'
    '      <soap:address location="https://sat.internal:8443/soap/curp"/>\n'
    "    </wsdl:port>\n"
    '    <wsdl:port name="curpPort12" binding="tns:curpBinding12">\n'
    "      <soap12:address location='http://10.0.0.7/soap12/curp'/>\n"
    "    </wsdl:port>\n"
    "  </wsdl:service>\n"
    "</wsdl:definitions>\n"
)
CURP_RESPONSE = (
    '<ns1:curpLookupResponse xmlns:ns1="http://sat.example/curp">'
    "<curp>PEGJ800101HQTRRN09</curp></ns1:curpLookupResponse>"
)


@dataclass
class Registry:
    emulator: Emulator
    provider: RecordingProvider
    service: RestService
    soap_provider: SoapEchoProvider


def registry_world(
    provider: RecordingProvider,
    *,
    spelling: ErrorSpelling = ErrorSpelling.V7_7,
    soap_provider: SoapEchoProvider | None = None,
) -> Registry:
    """The portal may GET /rfc/** and POST /rfc/*/checks on SAT's ``validate`` service,
    call the SOAP ``curpLookup`` v1 (which has a WSDL); ``sealed`` grants it nothing,
    ``retired`` is disabled."""
    topology = Topology(instance="MX", error_spelling=spelling, local_clients=[PORTAL])
    topology.add_member(
        "MX/GOB/E24", "Empresa24", subsystems={"portal": "Portal", "backoffice": "Back office"}
    )
    topology.add_member("MX/GOB/SAT", "SAT", subsystems={"rfc": "RFC register"})
    rest = RestService(
        id=REGISTRY,
        provider=AsgiProvider(provider, "https://sat.example/api"),
        openapi=OPENAPI,
        timeout_s=2.0,
    )
    rest.allow(PORTAL, method="GET", path="/rfc/**")
    rest.allow(PORTAL, method="POST", path="/rfc/*/checks")
    topology.add_service(rest)
    sealed = RestService(id=SEALED, provider=AsgiProvider(provider, "https://sat.example/sealed"))
    topology.add_service(sealed)
    retired = RestService(
        id=RETIRED,
        provider=AsgiProvider(provider, "https://sat.example/old"),
        disabled_notice="Out of order",
    )
    retired.allow(PORTAL)
    topology.add_service(retired)
    echo = soap_provider or SoapEchoProvider(CURP_RESPONSE)
    soap = SoapService(
        id=CURP, provider=AsgiProvider(echo, "https://sat.example/soap"), wsdl=CURP_WSDL
    )
    soap.allow(PORTAL)
    topology.add_service(soap)
    return Registry(Emulator(topology, seed=7), provider, rest, echo)


def service_text(service: ServiceId) -> str:
    return service.encode()
