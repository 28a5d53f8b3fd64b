"""A company that founds signs through its representative's own e.firma: the certificate's CURP
must be the representative's (issue 13, item 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from companies import workflow
from companies.documents import founder_signing
from companies.filing import signing
from companies.models import Signature, SigningSession
from companies.signatures import refusals
from sandbox import efirma
from tests.efirma import ANA, CARLOS, NOW, der, sign
from tests.efirma import valid as validity
from tests.factories import CompanyFounderFactory, complete_application, founder_user

pytestmark = pytest.mark.django_db

ANA_ONLY = [("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True)]


@pytest.fixture
def with_a_company(applicant, fast_drawing):
    """An S.A. de C.V. founded by Ana and by Constructora Jurica, which Carlos represents,
    sent for signatures and its articles drawn."""
    application = complete_application(applicant, legal_form="sa-de-cv", founders=ANA_ONLY)
    CompanyFounderFactory(application=application, contribution="4000")
    application = workflow.send_for_signatures(application, actor=applicant)
    founder_signing.draw(application.pk)
    return application


def company_founder(application):
    return application.founders.get(kind="legal")


def prepared_for(application, founder, certificate):
    return founder_signing.prepare(
        application.versions.get(),
        founder,
        der(certificate),
        "browser",
        user=founder_user(founder),
        authenticated_at=NOW,
    )


def test_the_representative_signs_for_the_company_with_their_own_efirma(sat, with_a_company):
    company = company_founder(with_a_company)
    carlos, carlos_key = efirma.issue_to(sat, CARLOS, validity())
    to_sign = prepared_for(with_a_company, company, carlos)

    finished = founder_signing.finish(to_sign.session, sign(carlos_key, to_sign.signed_attributes))

    assert finished.signature is not None
    assert finished.signature.founder == company
    assert finished.signature.method == Signature.Method.BROWSER
    assert not signing.all_signed(with_a_company)  # Ana has not signed yet
    ana_founder = with_a_company.founders.get(kind="natural")
    ana, ana_key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepared_for(with_a_company, ana_founder, ana)
    founder_signing.finish(to_sign.session, sign(ana_key, to_sign.signed_attributes))
    assert signing.all_signed(with_a_company)


def test_another_persons_efirma_cannot_sign_for_the_company(sat, with_a_company):
    ana, _key = efirma.issue_to(sat, ANA, validity())

    with translation.override("en"), pytest.raises(refusals.AnotherPerson) as refused:
        prepared_for(with_a_company, company_founder(with_a_company), ana)

    assert "belongs to another person" in refused.value.message
    assert not SigningSession.objects.exists()


def test_the_status_page_shows_each_efirma_signer_with_serial_and_issuer(
    sat,
    with_a_company,
    client,
):
    carlos, carlos_key = efirma.issue_to(sat, CARLOS, validity())
    ana, ana_key = efirma.issue_to(sat, ANA, validity())
    for founder, certificate, key in (
        (company_founder(with_a_company), carlos, carlos_key),
        (with_a_company.founders.get(kind="natural"), ana, ana_key),
    ):
        to_sign = prepared_for(with_a_company, founder, certificate)
        founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))
    client.force_login(with_a_company.filer)

    url = reverse("companies:status", args=[with_a_company.public_id])
    page = client.get(url, headers={"accept-language": "es-mx"}).content.decode()

    assert "Quién firmó los estatutos" in page
    for certificate in (ana, carlos):
        assert efirma.serial_digits(certificate.serial_number) in page
    assert "Constructora Jurica, S.A. de C.V. (firmó su representante Carlos Eduardo" in page
    assert page.count("emitida por") == 2


def test_the_agency_api_lists_the_articles_signers(sat, with_a_company, client):
    from companies.documents import issuance
    from companies.models import AgencyAccess, AgencyService, Document
    from tests.factories import registered_company

    carlos, carlos_key = efirma.issue_to(sat, CARLOS, validity())
    ana, ana_key = efirma.issue_to(sat, ANA, validity())
    for founder, certificate, key in (
        (with_a_company.founders.get(kind="natural"), ana, ana_key),
        (company_founder(with_a_company), carlos, carlos_key),
    ):
        to_sign = prepared_for(with_a_company, founder, certificate)
        founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))
    company = registered_company(with_a_company)
    for kind in (Document.Kind.CERTIFICATE, Document.Kind.ARTICLES):
        issuance.issue_document(company_id=company.pk, kind=kind)
    AgencyAccess.objects.create(client="MX-DEV/GOV/SAT/padron", service=AgencyService.DOCUMENTS)

    answer = client.get(
        f"/api/v1/documentos/{company.registration_number}",
        HTTP_X_ROAD_CLIENT="MX-DEV/GOV/SAT/padron",
    ).json()

    by_kind = {item["tipo"]: item for item in answer["items"]}
    signers = by_kind["estatutos"]["firmantes"]
    assert [s["serie"] for s in signers] == [
        efirma.serial_digits(ana.serial_number),
        efirma.serial_digits(carlos.serial_number),
    ]
    assert signers[1]["en_nombre_de"] == "Constructora Jurica, S.A. de C.V."
    assert signers[1]["nombre"].startswith("Carlos Eduardo")
    assert signers[0]["en_nombre_de"] is None and signers[0]["emisor"]
    assert by_kind["certificado"]["firmantes"] == []
