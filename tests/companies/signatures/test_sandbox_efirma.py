"""The demo e.firma files of the sandbox, signed with their .key and checked against the sandbox
SAT over real HTTP through the X-Road emulator: SAT's answer kept beside its exchange."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import translation

from companies.models import CertificateStatus, RegistryExchange
from companies.signatures import refusals, verification
from tests.efirma import sign
from tests.factories import ApplicationFactory
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
CERTIFICATES = "MX-DEV/GOV/SAT/padron/certificados"
ARTICLES = b"%PDF-1.7 the articles as frozen for signatures"
PASSWORDS = {
    "carlos-revocada": "demo-carlos",
    "isabel-vencida": "demo-isabel",
    "ana-otra-ac": "demo-ana",
    "ana-autofirmada": "demo-ana",
}
CURPS = {
    "ana": "RAOA900514MQTMLN01",
    "carlos": "MERC851102HQTNSR00",
    "isabel": "NUPI951212MDFXXS00",
}


def signed_with(folder, file: str, password: str) -> tuple[bytes, bytes]:
    """The .cer and a signature over the articles made with the .key opened by its password."""
    key = serialization.load_der_private_key(
        (folder / "personas" / f"{file}.key").read_bytes(), password.encode()
    )
    return (folder / "personas" / f"{file}.cer").read_bytes(), sign(key, ARTICLES)


def verify(folder, file, *, founder, application=None):
    certificate, signature = signed_with(folder, file, PASSWORDS.get(file, f"demo-{file}"))
    return verification.verify(
        certificate=certificate,
        signature=signature,
        signed=ARTICLES,
        founder_curp=CURPS[founder],
        application=application,
    )


def test_anas_signature_counts_and_sats_answer_is_kept_with_its_exchange(
    xroad_sandbox, efirma_folder
):
    application = ApplicationFactory()

    verified = verify(efirma_folder, "ana", founder="ana", application=application)

    exchange = RegistryExchange.objects.get()
    assert (exchange.operation, exchange.service, exchange.method, exchange.http_status) == (
        "certificate_status",
        CERTIFICATES,
        "POST",
        200,
    )
    kept = CertificateStatus.objects.get()
    assert kept.status == "good"
    assert kept.x_road_id == exchange.x_road_id
    assert kept.application == exchange.application == application
    assert verified.holder.rfc == "RAOA9005149F8"


def test_carlos_revoked_e_firma_is_refused_with_the_day_sat_gives(xroad_sandbox, efirma_folder):
    with translation.override("en"), pytest.raises(refusals.Revoked) as refused:
        verify(efirma_folder, "carlos-revocada", founder="carlos")

    kept = CertificateStatus.objects.get()
    assert refused.value.revoked_on == kept.revoked_at
    assert "renew your e.firma at SAT" in refused.value.message


def test_isabels_expired_e_firma_is_refused_without_asking_sat(xroad_sandbox, efirma_folder):
    with pytest.raises(refusals.Expired):
        verify(efirma_folder, "isabel-vencida", founder="isabel")

    assert not RegistryExchange.objects.exists()


def test_the_e_firma_of_nobody_is_not_anas(xroad_sandbox, efirma_folder):
    with pytest.raises(refusals.AnotherPerson):
        verify(efirma_folder, "nadie", founder="ana")


@pytest.mark.parametrize(
    ("file", "refusal"),
    [("ana-otra-ac", refusals.ForeignAuthority), ("ana-autofirmada", refusals.SelfSigned)],
)
def test_anas_name_on_a_certificate_sat_did_not_issue_is_refused(
    xroad_sandbox, efirma_folder, file, refusal
):
    with pytest.raises(refusal):
        verify(efirma_folder, file, founder="ana")

    assert not RegistryExchange.objects.exists()


def test_when_sats_service_is_down_the_signature_waits(xroad_sandbox, efirma_folder):
    xroad_sandbox.inject_fault(CERTIFICATES, FaultSpec(down=True))

    with pytest.raises(refusals.SignatureWaits):
        verify(efirma_folder, "ana", founder="ana")

    assert not CertificateStatus.objects.exists()
    assert RegistryExchange.objects.filter(operation="certificate_status").exists()


def test_the_portal_asks_sat_over_x_road_not_at_the_responder_the_certificate_names(
    xroad_sandbox, efirma_folder, monkeypatch
):
    """The demo certificates name a responder for standard tools (nothing listens there in the
    tests); the portal's check goes through X-Road all the same, and asks nowhere else."""
    import httpx
    from cryptography import x509

    cer = x509.load_der_x509_certificate((efirma_folder / "personas" / "ana.cer").read_bytes())
    assert cer.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    asked = []
    real_send = httpx.Client.send

    def send(self, request, **kwargs):
        asked.append(str(request.url))
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", send)

    verified = verify(efirma_folder, "ana", founder="ana")

    assert verified.certificate_status.status == "good"
    assert verified.certificate_status.x_road_id == RegistryExchange.objects.get().x_road_id
    assert asked and all("/r1/MX-DEV/GOV/SAT/padron/certificados/v1/ocsp" in u for u in asked)
    assert not any(":8704" in u for u in asked)
