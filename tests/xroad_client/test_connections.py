"""Each client's connection type (HTTP, HTTPS without or with a client certificate), enforced
by the emulator on REST, SOAP and metadata calls over real HTTP and TLS, in both spellings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.worlds import CURP, PORTAL, REGISTRY, SAT, Registry, registry_world
from xroad_client import (
    NO_RETRY,
    ClientProxyFault,
    ErrorSpelling,
    TLSConfig,
    XRoadClient,
)
from xroad_client.emulator import ConnectionType, ServerTLS, serve_in_thread
from xroad_client.emulator.connections import der_certificate

CODES = {
    ErrorSpelling.V7_7: "Server.ClientProxy.SslAuthenticationFailed",
    ErrorSpelling.V7_8: "server.clientproxy.ssl_authentication_failed",
}
NAMED = "Client (SUBSYSTEM:MX/GOB/E24/portal)"
NO_CERTIFICATE = f"{NAMED} specifies HTTPS but did not supply TLS certificate"
PLAINTEXT = f"{NAMED} specifies HTTPS NO AUTH but client made plaintext connection"
CURP_BODY = '<c:curpLookup xmlns:c="http://sat.example/curp"><rfc>A</rfc></c:curpLookup>'


@dataclass(frozen=True)
class Pki:
    ca: Path
    portal_cert: Path
    portal_key: Path
    portal_pem: str
    other_pem: str

    def tls(self, *, with_certificate: bool) -> TLSConfig:
        if not with_certificate:
            return TLSConfig(ca_bundle=self.ca)
        return TLSConfig(self.ca, self.portal_cert, self.portal_key)


@dataclass(frozen=True)
class Served:
    registry: Registry
    http_url: str
    https_url: str
    pki: Pki
    spelling: ErrorSpelling

    def client(self, *, tls: bool = False, with_certificate: bool = False) -> XRoadClient:
        if not tls:
            return XRoadClient(self.http_url, PORTAL, retry=NO_RETRY)
        config = self.pki.tls(with_certificate=with_certificate)
        return XRoadClient(self.https_url, PORTAL, tls=config, retry=NO_RETRY)

    def connect(self, connection_type: ConnectionType, **options: object) -> None:
        self.registry.emulator.topology.connect(PORTAL, connection_type, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pki, Path]:
    folder = tmp_path_factory.mktemp("connections-pki")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    portal = ca.issue_cert("portal.empresa24.example")
    other = ca.issue_cert("backoffice.empresa24.example")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    portal.cert_chain_pems[0].write_to_path(str(folder / "portal.pem"))
    portal.private_key_pem.write_to_path(str(folder / "portal.key"))
    server.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
    files = Pki(
        folder / "ca.pem",
        folder / "portal.pem",
        folder / "portal.key",
        portal.cert_chain_pems[0].bytes().decode(),
        other.cert_chain_pems[0].bytes().decode(),
    )
    return files, folder / "server.pem"


@pytest.fixture(scope="module", params=list(ErrorSpelling), ids=lambda s: s.value)
def served(request: pytest.FixtureRequest, pki: tuple[Pki, Path]) -> Iterator[Served]:
    files, server_pem = pki
    registry = registry_world(RecordingProvider(), spelling=request.param)
    tls = ServerTLS(certfile=server_pem, client_ca=files.ca, client_certificate="optional")
    with (
        serve_in_thread(registry.emulator) as http_url,
        serve_in_thread(registry.emulator, tls=tls) as https_url,
    ):
        yield Served(registry, http_url, https_url, files, request.param)


@pytest.fixture
def world(served: Served) -> Iterator[Served]:
    yield served
    served.registry.emulator.topology.connections.clear()


def _refused(world: Served, client: XRoadClient, message: str) -> None:
    with client, pytest.raises(ClientProxyFault) as caught:
        client.get(REGISTRY, "/rfc/A")
    fault = caught.value
    assert str(fault.code) == CODES[world.spelling]
    assert fault.message == message
    assert fault.http_status == 500


# -- the three connection types -------------------------------------------------------------


def test_http_is_the_default_and_accepts_plain_and_tls_connections(world: Served) -> None:
    for client in (
        world.client(),
        world.client(tls=True),
        world.client(tls=True, with_certificate=True),
    ):
        with client:
            assert client.get(REGISTRY, "/rfc/A").status == 200


def test_https_refuses_plain_http_naming_the_client(world: Served) -> None:
    world.connect(ConnectionType.HTTPS)
    _refused(world, world.client(), NO_CERTIFICATE)


def test_https_refuses_tls_without_a_client_certificate(world: Served) -> None:
    world.connect(ConnectionType.HTTPS)
    _refused(world, world.client(tls=True), NO_CERTIFICATE)


def test_https_accepts_tls_with_the_client_certificate(world: Served) -> None:
    world.connect(ConnectionType.HTTPS, certificates=[world.pki.portal_pem])
    with world.client(tls=True, with_certificate=True) as client:
        response = client.get(REGISTRY, "/rfc/A")
    assert response.status == 200


def test_https_refuses_a_certificate_that_is_not_the_clients(world: Served) -> None:
    world.connect(ConnectionType.HTTPS, certificates=[world.pki.other_pem])
    message = f"{NAMED} TLS certificate does not match any IS certificates"
    _refused(world, world.client(tls=True, with_certificate=True), message)


def test_https_refuses_a_client_without_registered_certificates(world: Served) -> None:
    world.connect(ConnectionType.HTTPS, certificates=[])
    _refused(
        world, world.client(tls=True, with_certificate=True), f"{NAMED} has no IS certificates"
    )


def test_https_no_auth_refuses_plain_http(world: Served) -> None:
    world.connect(ConnectionType.HTTPS_NO_AUTH)
    _refused(world, world.client(), PLAINTEXT)


def test_https_no_auth_accepts_tls_with_or_without_a_certificate(world: Served) -> None:
    world.connect(ConnectionType.HTTPS_NO_AUTH)
    for client in (world.client(tls=True), world.client(tls=True, with_certificate=True)):
        with client:
            assert client.get(REGISTRY, "/rfc/A").status == 200


# -- every kind of request -----------------------------------------------------------------


def test_soap_calls_are_refused_with_a_soap_fault(world: Served) -> None:
    world.connect(ConnectionType.HTTPS)
    with world.client() as client, pytest.raises(ClientProxyFault) as caught:
        client.soap(CURP, CURP_BODY)
    assert str(caught.value.code) == CODES[world.spelling]
    assert caught.value.message == NO_CERTIFICATE
    assert caught.value.http_status == 200  # SOAP faults travel with 200
    with world.client(tls=True, with_certificate=True) as client:
        assert client.soap(CURP, CURP_BODY).status == 200


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.list_methods(SAT),
        lambda client: client.allowed_methods(SAT),
        lambda client: client.get_openapi(REGISTRY),
        lambda client: client.soap_list_methods(SAT),
        lambda client: client.soap_allowed_methods(SAT),
        lambda client: client.get_wsdl(CURP),
    ],
    ids=[
        "listMethods",
        "allowedMethods",
        "getOpenAPI",
        "soap listMethods",
        "soap allowedMethods",
        "getWsdl",
    ],
)
def test_metadata_calls_follow_the_callers_connection_type(world: Served, call: object) -> None:
    world.connect(ConnectionType.HTTPS_NO_AUTH)
    with world.client() as client, pytest.raises(ClientProxyFault) as caught:
        call(client)  # type: ignore[operator]
    assert str(caught.value.code) == CODES[world.spelling]
    assert caught.value.message == PLAINTEXT
    with world.client(tls=True) as client:
        call(client)  # type: ignore[operator]


def test_list_clients_names_no_client_and_is_not_checked(world: Served) -> None:
    world.connect(ConnectionType.HTTPS)
    with world.client() as client:
        assert client.list_clients()


def test_the_rule_is_per_client(world: Served) -> None:
    world.registry.emulator.topology.connect(SAT, ConnectionType.HTTPS)  # another client
    with world.client() as client:
        assert client.get(REGISTRY, "/rfc/A").status == 200


# -- settings ------------------------------------------------------------------------------


def test_certificates_are_kept_as_der_whatever_form_they_are_given_in(
    pki: tuple[Pki, Path],
) -> None:
    files, _ = pki
    der = der_certificate(files.portal_pem)
    assert der_certificate(files.portal_pem.encode()) == der == der_certificate(der)


def test_optional_client_certificates_need_a_ca(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a client_ca"):
        ServerTLS(certfile=tmp_path / "server.pem", client_certificate="optional")
    with pytest.raises(ValueError, match="'required' or 'optional'"):
        ServerTLS(tmp_path / "s.pem", client_ca=tmp_path / "ca.pem", client_certificate="maybe")  # type: ignore[arg-type]


def test_the_command_line_accepts_optional_client_certificates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from xroad_client.emulator import __main__ as cli

    served: list[ServerTLS | None] = []
    monkeypatch.setattr(cli, "_load", lambda spec: None)
    monkeypatch.setattr(cli, "serve", lambda app, *, host, port, tls: served.append(tls))
    arguments = ["x", "m:f", "--certfile", "s.pem", "--client-ca", "ca.pem"]
    monkeypatch.setattr("sys.argv", [*arguments, "--client-certificate", "optional"])
    cli.main()
    monkeypatch.setattr("sys.argv", arguments)
    cli.main()
    assert [tls.client_certificate for tls in served if tls] == ["optional", "required"]
