"""The agency API answers only its X-Road Security Server: by certificate or by address."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from companies.api import spool
from companies.api.trust import certificate_sha256
from companies.models import AgencyAccess, AgencyRequest

pytestmark = pytest.mark.django_db

AGENCY = "MX-DEV/GOV/SAT/padron"
SECURITY_SERVER = "10.20.0.5"
PROXY = "10.0.0.2"
STRANGER = "198.51.100.9"


def _certificate(name: str) -> tuple[str, str]:
    """A TLS certificate as PEM and its SHA-256 fingerprint, as ``openssl x509`` prints it."""
    pem = trustme.CA().issue_cert(name).cert_chain_pems[0].bytes().decode()
    digest = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256())
    return pem, digest.hex(":").upper()


SS_PEM, SS_FINGERPRINT = _certificate("ss1.registro.queretaro.gob.mx")
OTHER_PEM, _ = _certificate("ss1.registro.queretaro.gob.mx")


@pytest.fixture
def agency(db):
    AgencyAccess.objects.create(client=AGENCY, service="cambios")
    return AGENCY


@pytest.fixture
def behind_tls_proxy(settings):
    """Production-like: nginx terminates TLS and passes the client certificate it verified."""
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AGENCY_API_SECURITY_SERVER_CERTS = [SS_FINGERPRINT]
    settings.AGENCY_API_CLIENT_CERT_HEADER = "X-SSL-Client-Cert"
    settings.AGENCY_API_SECURITY_SERVERS = []
    return settings


@pytest.fixture
def listed_addresses(settings):
    """Production-like: the Security Servers are a listed network, no certificate configured."""
    settings.BEHIND_TLS_PROXY = False
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AGENCY_API_SECURITY_SERVER_CERTS = []
    settings.AGENCY_API_SECURITY_SERVERS = ["10.20.0.0/29"]
    return settings


def get(client, **meta):
    return client.get("/api/v1/cambios", HTTP_X_ROAD_CLIENT=AGENCY, **meta)


def assert_refused(response) -> None:
    assert response.status_code == 403
    assert response.json()["code"] == "untrusted_connection"


# -- by certificate -----------------------------------------------------------------------------


def test_refuses_a_caller_without_the_security_servers_certificate(
    client, agency, behind_tls_proxy
):
    assert_refused(get(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=STRANGER))


def test_serves_the_security_servers_certificate_as_nginx_passes_it(
    client, agency, behind_tls_proxy
):
    escaped = quote(SS_PEM, safe="")  # nginx's $ssl_client_escaped_cert
    response = get(
        client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=STRANGER, HTTP_X_SSL_CLIENT_CERT=escaped
    )
    assert response.status_code == 200


def test_refuses_another_certificate(client, agency, behind_tls_proxy):
    response = get(client, REMOTE_ADDR=PROXY, HTTP_X_SSL_CLIENT_CERT=quote(OTHER_PEM, safe=""))
    assert_refused(response)


def test_the_certificate_header_is_read_from_the_configured_name(client, agency, behind_tls_proxy):
    behind_tls_proxy.AGENCY_API_CLIENT_CERT_HEADER = "X-Client-Cert-Sha256"
    assert get(client, HTTP_X_CLIENT_CERT_SHA256=SS_FINGERPRINT).status_code == 200
    assert_refused(get(client, HTTP_X_SSL_CLIENT_CERT=SS_FINGERPRINT))


def test_a_certificate_header_counts_only_behind_a_tls_proxy(client, agency, behind_tls_proxy):
    # Reached directly, anyone can send the Security Server's (public) certificate in a header.
    behind_tls_proxy.BEHIND_TLS_PROXY = False
    assert_refused(get(client, HTTP_X_SSL_CLIENT_CERT=quote(SS_PEM, safe="")))


def _der_base64(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(SS_PEM, id="pem"),
        pytest.param(quote(SS_PEM, safe=""), id="url-escaped pem (nginx)"),
        pytest.param(SS_PEM.replace("\n", "\n\t"), id="tab-folded pem (nginx $ssl_client_cert)"),
        pytest.param(_der_base64(SS_PEM), id="base64 der (traefik)"),
        pytest.param(f"{_der_base64(SS_PEM)},{_der_base64(OTHER_PEM)}", id="chain, leaf first"),
        pytest.param(SS_FINGERPRINT, id="sha-256 with colons"),
        pytest.param(SS_FINGERPRINT.replace(":", "").lower(), id="sha-256 hex"),
    ],
)
def test_certificate_sha256_reads_what_proxies_pass(value):
    assert certificate_sha256(value) == SS_FINGERPRINT.replace(":", "").lower()


@pytest.mark.parametrize("value", ["", "(null)", "-----BEGIN CERTIFICATE-----\n!!\n", "abcd"])
def test_certificate_sha256_is_none_for_what_is_no_certificate(value):
    assert certificate_sha256(value) is None


def test_also_a_listed_address_is_served_when_certificates_are_configured(
    client, agency, behind_tls_proxy
):
    behind_tls_proxy.AGENCY_API_SECURITY_SERVERS = [SECURITY_SERVER + "/32"]
    assert get(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SECURITY_SERVER).status_code == 200


# -- by address ---------------------------------------------------------------------------------


def test_serves_a_listed_address_and_refuses_any_other(client, agency, listed_addresses):
    assert get(client, REMOTE_ADDR=SECURITY_SERVER).status_code == 200
    assert get(client, REMOTE_ADDR="::ffff:10.20.0.6").status_code == 200
    assert_refused(get(client, REMOTE_ADDR=STRANGER))
    assert_refused(get(client, REMOTE_ADDR="10.20.0.8"))


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(
    client, agency, listed_addresses
):
    response = get(client, REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=SECURITY_SERVER)
    assert_refused(response)


def test_through_a_proxy_only_the_address_it_appended_counts(client, agency, listed_addresses):
    listed_addresses.TRUSTED_PROXY_COUNT = 1
    through_proxy = get(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SECURITY_SERVER)
    # The caller wrote the Security Server's address; the proxy appended the caller's own.
    spoofed = get(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SECURITY_SERVER}, {STRANGER}")
    assert through_proxy.status_code == 200
    assert_refused(spoofed)
    assert_refused(get(client, REMOTE_ADDR=SECURITY_SERVER))  # no header: address unknown


def test_behind_two_proxies_the_caller_is_second_from_the_right(client, agency, listed_addresses):
    listed_addresses.TRUSTED_PROXY_COUNT = 2
    chain = f"{STRANGER}, {SECURITY_SERVER}, 10.0.0.3"
    assert get(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain).status_code == 200
    assert_refused(get(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SECURITY_SERVER))


def test_the_refusal_is_logged_like_every_request(client, agency, listed_addresses):
    get(client, REMOTE_ADDR=STRANGER, HTTP_X_ROAD_ID="MX-DEV-spoof")
    spool.ingest()
    logged = AgencyRequest.objects.get()
    assert (logged.x_road_id, logged.client, logged.status) == ("MX-DEV-spoof", AGENCY, 403)


def test_the_development_default_serves_the_sandbox_on_loopback(client, agency, settings):
    assert settings.AGENCY_API_SECURITY_SERVERS == ["127.0.0.1/32", "::1/128"]
    assert get(client, REMOTE_ADDR="127.0.0.1").status_code == 200
    assert get(client, REMOTE_ADDR="::1").status_code == 200
    assert_refused(get(client, REMOTE_ADDR="192.168.1.20"))


def test_the_untrusted_refusal_is_a_documented_error_code(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "untrusted_connection" in document["components"]["schemas"]["ErrorCode"]["enum"]
