"""The client against a strict Security Server, over real HTTP in both error spellings:
no retry of what cannot succeed, a literal ``%`` escaped in paths, and a ``hint`` on the
faults integrators meet most often."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.xroad_client.apps import RecordingProvider
from tests.xroad_client.conftest import FAST_RETRY
from tests.xroad_client.worlds import PORTAL, REGISTRY, SEALED, Registry, registry_world
from xroad_client import (
    ClientFault,
    ClientId,
    ClientProxyFault,
    ErrorSpelling,
    Exchange,
    FaultCode,
    RetryPolicy,
    ServerProxyFault,
    XRoadClient,
)
from xroad_client.emulator import ConnectionType, FaultSpec, serve_in_thread
from xroad_client.retry import TRANSIENT_FAULTS, cannot_succeed_on_retry

ELEVEN_MIB = b"x" * (11 * 1024 * 1024)
EVERYTHING_TRANSIENT = RetryPolicy(
    max_attempts=3,
    base_delay=0.001,
    max_delay=0.005,
    deadline=10.0,
    transient_faults=TRANSIENT_FAULTS
    | {FaultCode("Server.ClientProxy.SslAuthenticationFailed"), FaultCode("Client.BadRequest")},
)


@pytest.fixture(params=list(ErrorSpelling), ids=lambda s: s.value)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Registry, str]]:
    registry = registry_world(RecordingProvider(), spelling=request.param)
    with serve_in_thread(registry.emulator) as base_url:
        yield registry, base_url


def _client(base_url: str, seen: list[Exchange], retry: RetryPolicy = FAST_RETRY) -> XRoadClient:
    return XRoadClient(base_url, PORTAL, retry=retry, on_exchange=seen.append)


@pytest.mark.parametrize("retry", [FAST_RETRY, EVERYTHING_TRANSIENT], ids=["default", "wide"])
def test_an_over_size_put_is_sent_once_and_says_why(
    served: tuple[Registry, str], retry: RetryPolicy
) -> None:
    """X-Road reports the message log's refusal as IOError, a transient code: it must still
    not be retried, since the same body is refused again (issue 18: it was sent 3 times)."""
    registry, base_url = served
    seen: list[Exchange] = []
    with _client(base_url, seen, retry) as client, pytest.raises(ClientProxyFault) as caught:
        client.put(REGISTRY, "/rfc/A", content=ELEVEN_MIB)
    fault = caught.value
    assert fault.code == "Server.ClientProxy.IOError"
    assert fault.logging_failed and cannot_succeed_on_retry(fault)
    assert fault.hint is not None and "max-loggable-body-size" in fault.hint
    assert "Hint:" in str(fault)
    assert [(e.attempt, e.will_retry) for e in seen] == [(1, False)]
    assert len(registry.emulator.exchanges(x_road_id=seen[0].x_road_id)) == 1
    assert registry.provider.seen == []


def test_a_connection_type_refusal_is_not_retried_even_when_listed(
    served: tuple[Registry, str],
) -> None:
    registry, base_url = served
    registry.emulator.topology.connect(PORTAL, ConnectionType.HTTPS)
    seen: list[Exchange] = []
    with (
        _client(base_url, seen, EVERYTHING_TRANSIENT) as client,
        pytest.raises(ClientProxyFault) as caught,
    ):
        client.get(REGISTRY, "/rfc/A")
    assert caught.value.code == "Server.ClientProxy.SslAuthenticationFailed"
    assert caught.value.hint is not None and "Connection type" in caught.value.hint
    assert "TLSConfig(client_cert=" in caught.value.hint
    assert len(seen) == 1


def test_a_client_fault_is_not_retried_even_when_listed(served: tuple[Registry, str]) -> None:
    registry, base_url = served
    registry.emulator.inject_fault(
        REGISTRY, FaultSpec(error_rate=1.0, error_code="Client.BadRequest", error_message="no")
    )
    seen: list[Exchange] = []
    with (
        _client(base_url, seen, EVERYTHING_TRANSIENT) as client,
        pytest.raises(ClientFault) as caught,
    ):
        client.get(REGISTRY, "/rfc/A")
    assert cannot_succeed_on_retry(caught.value)
    assert len(seen) == 1


def test_calling_a_server_that_does_not_know_the_client_hints_at_the_wrong_server(
    served: tuple[Registry, str],
) -> None:
    _, base_url = served
    stranger = ClientId("MX", "GOB", "E24", "backoffice")  # a member, not local here
    with (
        XRoadClient(base_url, stranger, retry=FAST_RETRY) as client,
        pytest.raises(ClientProxyFault) as caught,
    ):
        client.get(REGISTRY, "/rfc/A")
    assert caught.value.code == "Server.ClientProxy.UnknownMember"
    assert caught.value.message == "Client 'SUBSYSTEM:MX/GOB/E24/backoffice' not found"
    assert caught.value.hint is not None and "consumer's own Security Server" in caught.value.hint


def test_an_unknown_provider_hints_at_the_service_id(served: tuple[Registry, str]) -> None:
    _, base_url = served
    nowhere = ClientId("MX", "GOB", "NOPE", "rfc").service("validate")
    with (
        XRoadClient(base_url, PORTAL, retry=FAST_RETRY) as client,
        pytest.raises(ClientProxyFault) as caught,
    ):
        client.get(nowhere, "/rfc/A")
    assert caught.value.message == (
        'Could not find addresses for service provider "SERVICE:MX/GOB/NOPE/rfc/validate"'
    )
    assert caught.value.hint is not None and "global configuration" in caught.value.hint


def test_other_faults_carry_no_hint(served: tuple[Registry, str]) -> None:
    _, base_url = served
    with (
        XRoadClient(base_url, PORTAL, retry=FAST_RETRY) as client,
        pytest.raises(ServerProxyFault) as caught,
    ):
        client.get(SEALED, "/x")
    assert caught.value.code == "Server.ServerProxy.AccessDenied"
    assert caught.value.hint is None and "Hint:" not in str(caught.value)


@pytest.mark.parametrize(
    ("path", "received"),
    [
        ("/rfc/100%", "/api/rfc/100%25"),
        ("/rfc/a%zz b", "/api/rfc/a%25zz%20b"),
        ("/rfc/A%2FB", "/api/rfc/A%2FB"),  # an escape stays one
        ("/rfc/%2541", "/api/rfc/%2541"),  # how to send a literal "%41"
    ],
)
def test_a_literal_percent_in_a_path_is_escaped(
    served: tuple[Registry, str], path: str, received: str
) -> None:
    registry, base_url = served
    with XRoadClient(base_url, PORTAL, retry=FAST_RETRY) as client:
        response = client.get(REGISTRY, path)
    assert response.status == 200
    assert registry.provider.seen[-1].raw_path == received


def test_the_metadata_of_an_unknown_provider_has_the_hint_too(
    served: tuple[Registry, str],
) -> None:
    _, base_url = served
    with XRoadClient(base_url, PORTAL) as client, pytest.raises(ClientProxyFault) as caught:
        client.list_methods(ClientId("MX", "GOB", "NOPE", "rfc"))
    assert caught.value.hint is not None and "service id" in caught.value.hint
    assert caught.value.message.endswith('"SERVICE:MX/GOB/NOPE/rfc/listMethods"')
