"""What the domain's tests share: the founders' signed articles, sealed, built with pyHanko."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfWriter

from tests.efirma import ANA, CARLOS, sign_pades, stored_ocsp


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def signed_by_two(efirma_folder) -> bytes:
    once = sign_pades(tiny_pdf(), efirma_folder, ANA, "FirmaAna")
    return sign_pades(once, efirma_folder, CARLOS, "FirmaCarlos")


@pytest.fixture
def answers(efirma_folder) -> list[bytes]:
    return [stored_ocsp(efirma_folder, person) for person in (ANA, CARLOS)]


@pytest.fixture
def sealed(signed_by_two, answers) -> bytes:
    from companies.documents import seal

    return seal.seal_pdf(signed_by_two, ocsp_responses=answers)


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


@pytest.fixture(scope="module")
def hierarchy():
    """A SAT-shaped hierarchy of the test's own (the sandbox's builder), made once a module."""
    from sandbox import efirma
    from tests.efirma import NOW

    return efirma.new_authority(now=NOW)


@pytest.fixture
def sat(hierarchy, settings, tmp_path, monkeypatch):
    """A SAT-shaped authority the portal trusts, answering OCSP about what it issued."""
    import dataclasses

    from companies import registries
    from tests.efirma import responder

    authority = dataclasses.replace(hierarchy, issued={})
    roots = tmp_path / "sat-roots.pem"
    roots.write_bytes(authority.ca_pem)
    settings.ESIGN_TRUST_ROOTS = str(roots)
    monkeypatch.setattr(registries, "certificate_status", responder(authority))
    return authority
