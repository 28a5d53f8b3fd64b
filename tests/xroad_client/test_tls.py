"""mTLS between our client and the emulator served over HTTPS (uvicorn, trustme certificates)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.worlds import PORTAL, REGISTRY, registry_world
from xroad_client import NO_RETRY, AsyncXRoadClient, TLSConfig, XRoadClient, XRoadTransportError
from xroad_client.emulator import ServerTLS, serve_in_thread


@dataclass(frozen=True)
class Pki:
    ca: Path
    client_cert: Path
    client_key: Path
    stranger_ca: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pki, str]]:
    folder = tmp_path_factory.mktemp("pki")
    ca, stranger = trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    portal = ca.issue_cert("portal.empresa24.example")
    files = Pki(
        folder / "ca.pem", folder / "portal.pem", folder / "portal.key", folder / "stranger.pem"
    )
    ca.cert_pem.write_to_path(str(files.ca))
    stranger.cert_pem.write_to_path(str(files.stranger_ca))
    portal.cert_chain_pems[0].write_to_path(str(files.client_cert))
    portal.private_key_pem.write_to_path(str(files.client_key))
    server.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
    registry = registry_world(RecordingProvider())
    tls = ServerTLS(certfile=folder / "server.pem", client_ca=files.ca)
    with serve_in_thread(registry.emulator, tls=tls) as base_url:
        yield files, base_url


def test_call_with_a_client_certificate_succeeds(pki: tuple[Pki, str]) -> None:
    files, base_url = pki
    tls = TLSConfig(ca_bundle=files.ca, client_cert=files.client_cert, client_key=files.client_key)
    assert base_url.startswith("https://127.0.0.1:")
    with XRoadClient(base_url, PORTAL, tls=tls) as client:
        response = client.get(REGISTRY, "/rfc/A")
    assert response.status == 200 and response.x_road.service_id == REGISTRY


def test_call_without_a_client_certificate_is_refused(pki: tuple[Pki, str]) -> None:
    files, base_url = pki
    with (
        XRoadClient(base_url, PORTAL, tls=TLSConfig(ca_bundle=files.ca), retry=NO_RETRY) as client,
        pytest.raises(XRoadTransportError) as caught,
    ):
        client.get(REGISTRY, "/rfc/A")
    assert "Timeout" not in type(caught.value).__name__


def test_a_server_we_do_not_trust_is_refused(pki: tuple[Pki, str]) -> None:
    files, base_url = pki
    tls = TLSConfig(
        ca_bundle=files.stranger_ca, client_cert=files.client_cert, client_key=files.client_key
    )
    with (
        XRoadClient(base_url, PORTAL, tls=tls, retry=NO_RETRY) as client,
        pytest.raises(XRoadTransportError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(REGISTRY, "/rfc/A")


@pytest.mark.anyio
async def test_async_client_speaks_mtls_too(pki: tuple[Pki, str]) -> None:
    files, base_url = pki
    tls = TLSConfig(ca_bundle=files.ca, client_cert=files.client_cert, client_key=files.client_key)
    async with AsyncXRoadClient(base_url, PORTAL, tls=tls) as client:
        assert (await client.get(REGISTRY, "/rfc/A")).status == 200
