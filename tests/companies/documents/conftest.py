"""The documents' tests start from a company in the register."""

import pytest


@pytest.fixture
def company(registered_company):
    return registered_company


@pytest.fixture
def registered(applicant, xroad_sandbox, django_capture_on_commit_callbacks):
    """Ana's clean S.A.S. submitted and processed against the sandbox registries: registered, its
    ``after_registration`` (the RFC, the documents) not run yet."""
    from companies.processing import checks
    from tests.factories import submitted

    application = submitted(applicant)
    with django_capture_on_commit_callbacks(execute=False):
        checks.process(application.pk)
    return application


@pytest.fixture(scope="module")
def tsa_server():
    """The sandbox TSA on a free loopback port, with its root certificate (PEM)."""
    from sandbox.tsa import create_tsa_app, generate_authority
    from tests.conftest import free_port
    from xroad_client.emulator import serve_in_thread

    authority = generate_authority()
    with serve_in_thread(create_tsa_app(authority), port=free_port()) as url:
        yield f"{url}/", authority.ca_pem


@pytest.fixture
def tsa(tsa_server, settings, tmp_path):
    """The portal seals with the sandbox TSA and trusts its root."""
    url, ca_pem = tsa_server
    (tmp_path / "tsa-ca.pem").write_bytes(ca_pem)
    settings.SEAL_TSA_URL = url
    settings.SEAL_TSA_CA_PATH = str(tmp_path / "tsa-ca.pem")
    return url
