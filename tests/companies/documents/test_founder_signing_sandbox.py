"""Ana and Carlos sign their articles with the sandbox's demo e.firma files (the .key opened
with its password, as the page will do), SAT's OCSP asked over real HTTP through the X-Road
emulator; SAT's service down, then up again, through the beat task."""

from __future__ import annotations

from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from companies import tasks, workflow
from companies.documents import founder_signing
from companies.models import CertificateStatus, RegistryExchange, Signature, SigningDocument
from companies.signatures import refusals
from tests.efirma import sign
from tests.factories import complete_application, founder_user
from xroad_client.emulator import FaultSpec

pytestmark = pytest.mark.django_db
CERTIFICATES = "MX-DEV/GOV/SAT/padron/certificados"


def demo(folder, file: str, password: str):
    people = folder / "personas"
    key = serialization.load_der_private_key(
        (people / f"{file}.key").read_bytes(), password.encode()
    )
    return (people / f"{file}.cer").read_bytes(), key


def signs(application, curp, certificate, key):
    founder = application.founders.get(curp=curp)
    to_sign = founder_signing.prepare(
        application.versions.get(), founder, certificate, "browser",
        user=founder_user(founder), authenticated_at=application.versions.get().created_at,
    )  # fmt: skip
    return founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))


@pytest.fixture
def drawn(applicant, other_applicant):
    application = workflow.send_for_signatures(complete_application(applicant), actor=applicant)
    founder_signing.draw(application.pk)
    return application


def test_ana_and_carlos_sign_with_their_demo_efirma(xroad_sandbox, efirma_folder, drawn):
    ana = demo(efirma_folder, "ana", "demo-ana")
    carlos = demo(efirma_folder, "carlos", "demo-carlos")

    signs(drawn, "RAOA900514MQTMLN01", *ana)
    signs(drawn, "MERC851102HQTNSR00", *carlos)

    assert Signature.objects.filter(decision="approved").count() == 2
    assert CertificateStatus.objects.filter(status="good").count() == 2
    assert RegistryExchange.objects.filter(operation="certificate_status").count() == 2
    root = x509.load_pem_x509_certificates((efirma_folder / "ca.pem").read_bytes())[0]
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))]
    )
    reader = PdfFileReader(BytesIO(bytes(SigningDocument.objects.get().pdf)), strict=False)
    statuses = [validate_pdf_signature(s, context) for s in reader.embedded_signatures]
    assert [s.bottom_line for s in statuses] == [True, True]


def test_carlos_revoked_demo_efirma_is_refused_by_sat(xroad_sandbox, efirma_folder, drawn):
    with pytest.raises(refusals.Revoked):
        signs(drawn, "MERC851102HQTNSR00", *demo(efirma_folder, "carlos-revocada", "demo-carlos"))

    assert SigningDocument.objects.get().signatures == 0


def test_sat_down_then_up_the_signature_counts_through_beat(xroad_sandbox, efirma_folder, drawn):
    xroad_sandbox.inject_fault(CERTIFICATES, FaultSpec(down=True))

    finished = signs(drawn, "RAOA900514MQTMLN01", *demo(efirma_folder, "ana", "demo-ana"))
    assert finished.waiting
    assert tasks.check_waiting_signatures() == 0

    xroad_sandbox.clear_faults()
    assert tasks.check_waiting_signatures() == 1
    assert Signature.objects.get().certificate_status.status == "good"
