"""Founders sign the version's articles PDF with their e.firma: prepared by the portal, signed
elsewhere (here a Python stand-in for the browser: ``tests.efirma.sign`` over the prepared bytes
with the person's key), finished by the portal; SAT's OCSP answered in-process by the test's
own authority. pyHanko checks the result offline, trusting only that authority's root."""

from __future__ import annotations

import datetime
import hashlib
from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from companies import jobs, registries, workflow
from companies.documents import founder_signing, rendering
from companies.filing import signing
from companies.models import (
    CertificateStatus,
    OutboxMessage,
    Signature,
    SigningDocument,
    SigningSession,
)
from companies.signatures import refusals
from sandbox import efirma
from tests.efirma import ANA, CARLOS, DAY, NOW, der, other_authority, self_signed, sign
from tests.efirma import valid as validity
from tests.factories import complete_application, founder_user
from tests.pdf import blank_pdf, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def language_restored():
    """The pages below activate the language they answer in; the next test starts afresh."""
    before = translation.get_language()
    yield
    if before:
        translation.activate(before)
    else:
        translation.deactivate()


@pytest.fixture
def drawn(sent, fast_drawing):
    founder_signing.draw(sent.pk)
    return sent


def founder(application, person):
    return application.founders.get(curp=person.curp)


def prepare(application, person, certificate, *, method="browser", now=None):
    f = founder(application, person)
    return founder_signing.prepare(
        application.versions.get(),
        f,
        der(certificate),
        method,
        user=founder_user(f),
        authenticated_at=NOW,
        now=now,
    )


def signs(application, person, certificate, key):
    """A founder signs in full: prepared, signed by the stand-in browser, finished."""
    to_sign = prepare(application, person, certificate)
    return founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))


def validated(pdf: bytes, root):
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der(root))])
    return [(s.field_name, validate_pdf_signature(s, context)) for s in reader.embedded_signatures]


# -- what is signed -------------------------------------------------------------------------


def test_sending_for_signatures_asks_the_worker_to_draw_the_articles(sent):
    message = OutboxMessage.objects.get(task=jobs.DRAW_SIGNING_DOCUMENT)
    assert message.args == [sent.pk]
    assert not SigningDocument.objects.exists()


def test_the_versions_articles_are_drawn_once_from_its_frozen_content(sent, monkeypatch):
    version = sent.versions.get()
    sent.proposed_name = "Otro Nombre"  # an edit after freezing does not reach the PDF
    sent.save()

    document = founder_signing.draw(sent.pk)

    text = text_of(bytes(document.pdf))
    assert "Tortillería La Esperanza, S.A.S." in text
    assert "Otro Nombre" not in text
    assert f"{sent.reference} · v1" in text
    assert version.sha256 in text.replace(" ", "")
    assert "e.firma" in text
    assert document.original_sha256 == document.sha256 == hashlib.sha256(document.pdf).hexdigest()
    monkeypatch.setattr(rendering, "render_version_articles", lambda v: pytest.fail("twice"))
    assert founder_signing.draw(sent.pk) == document


def test_before_the_document_is_drawn_the_founder_is_told_it_is_being_prepared(sat, sent):
    certificate, _key = efirma.issue_to(sat, ANA, validity())

    with pytest.raises(refusals.DocumentPreparing):
        prepare(sent, ANA, certificate)


# -- signing --------------------------------------------------------------------------------


def test_one_founder_signs_and_it_counts_as_an_approval(sat, drawn):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate)

    finished = founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))

    signature = finished.signature
    assert signature is not None and not finished.waiting
    assert signature.decision == Signature.Decision.APPROVED
    assert signature.method == Signature.Method.BROWSER
    assert signature.serial_number == "30001000000500000001"
    assert signature.issuer == "AC DEL SERVICIO DE ADMINISTRACION TRIBUTARIA (SANDBOX)"
    assert bytes(signature.certificate) == der(certificate)
    assert signature.certificate_status == CertificateStatus.objects.get()
    assert signature.signed_at == to_sign.session.signed_at
    document = SigningDocument.objects.get()
    assert document.signatures == 1
    assert signature.signed_range_sha256 == bytes(to_sign.session.document_digest).hex()
    assert SigningSession.objects.get().status == SigningSession.Status.SIGNED
    assert [s.founder.curp for s in signing.signatures_of_current(drawn).values()] == [ANA.curp]
    assert not signing.all_signed(drawn)


def test_what_the_browser_gets_is_json_with_the_bytes_and_their_digest(sat, drawn):
    certificate, _key = efirma.issue_to(sat, ANA, validity())

    sent_out = prepare(drawn, ANA, certificate).as_json()

    import base64

    attributes = base64.b64decode(sent_out["to_be_signed"])
    assert base64.b64decode(sent_out["digest"]) == hashlib.sha256(attributes).digest()
    assert sent_out["hash_algorithm"] == "SHA-256"
    assert sent_out["signature_algorithm"] == "RSASSA-PKCS1-v1_5"


def test_two_founders_sign_in_order_and_pyhanko_finds_both_intact(sat, sent):
    founder_signing.draw(sent.pk)  # the real articles
    ana, ana_key = efirma.issue_to(sat, ANA, validity())
    carlos, carlos_key = efirma.issue_to(sat, CARLOS, validity())

    signs(sent, ANA, ana, ana_key)
    signs(sent, CARLOS, carlos, carlos_key)

    document = SigningDocument.objects.get()
    pdf = bytes(document.pdf)
    found = validated(pdf, sat.root)
    assert [name for name, _status in found] == ["Fundador1", "Fundador2"]
    for _name, status in found:
        assert (status.intact, status.valid, status.trusted) == (True, True, True)
    signers = [status.signing_cert.subject.native["common_name"] for _name, status in found]
    assert signers == [ANA.name, CARLOS.name]
    # the drawing the founders were sent is still the file's first revision, byte for byte
    original = pdf[: document.original_size]
    assert hashlib.sha256(original).hexdigest() == document.original_sha256
    assert signing.all_signed(sent)
    assert OutboxMessage.objects.filter(task=jobs.TELL_FOUNDERS, args__2="v1").exists()


def test_a_remote_signing_service_signs_the_digest(sat, drawn):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate, method="remote")

    value = key.sign(to_sign.digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    finished = founder_signing.finish(to_sign.session, value)

    assert finished.signature is not None
    assert finished.signature.method == Signature.Method.REMOTE


# -- refusals -------------------------------------------------------------------------------


def test_another_persons_efirma_is_refused_before_anything_is_prepared(sat, drawn):
    carlos, _key = efirma.issue_to(sat, CARLOS, validity())
    f = founder(drawn, ANA)

    with translation.override("en"), pytest.raises(refusals.AnotherPerson) as refused:
        founder_signing.prepare(
            drawn.versions.get(), f, der(carlos), "browser", user=founder_user(f),
            authenticated_at=NOW,
        )  # fmt: skip

    assert "belongs to another person" in refused.value.message
    assert not SigningSession.objects.exists()


def test_nobody_signs_for_a_founder_they_are_not(sat, drawn, other_applicant):
    certificate, _key = efirma.issue_to(sat, ANA, validity())

    with pytest.raises(refusals.NotTheirFounder):
        founder_signing.prepare(
            drawn.versions.get(), founder(drawn, ANA), der(certificate), "browser",
            user=other_applicant, authenticated_at=NOW,
        )  # fmt: skip


def test_a_revoked_efirma_is_refused_with_the_day_and_nothing_is_embedded(sat, drawn):
    revoked_on = NOW - 3 * DAY
    certificate, key = efirma.issue_to(sat, ANA, validity(days_ago=400), revoked_at=revoked_on)
    to_sign = prepare(drawn, ANA, certificate)

    with translation.override("en"), pytest.raises(refusals.Revoked) as refused:
        founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))

    assert "renew your e.firma at SAT" in refused.value.message
    session = SigningSession.objects.get()
    assert (session.status, session.refusal) == (SigningSession.Status.REFUSED, "Revoked")
    assert session.message == refused.value.message
    assert SigningDocument.objects.get().signatures == 0
    assert not Signature.objects.exists()


def test_an_expired_efirma_is_refused_at_once(sat, drawn):
    certificate, _key = efirma.issue_to(sat, ANA, validity(days_ago=1500, days_left=-10))

    with pytest.raises(refusals.Expired):
        prepare(drawn, ANA, certificate)


def test_an_efirma_of_another_authority_is_refused(sat, drawn):
    certificate, _key = efirma.issue_to(other_authority(), ANA, validity())

    with pytest.raises(refusals.ForeignAuthority):
        prepare(drawn, ANA, certificate)


def test_a_self_signed_certificate_is_refused(sat, drawn):
    certificate, _key = self_signed(ANA)

    with pytest.raises(refusals.SelfSigned):
        prepare(drawn, ANA, certificate)


def test_an_upload_that_is_too_large_or_not_a_certificate_is_refused():
    with translation.override("en"), pytest.raises(refusals.TooLarge) as large:
        founder_signing.read_upload(b"0" * (64 * 1024 + 1))
    with pytest.raises(refusals.UnreadableCertificate):
        founder_signing.read_upload(b"%PDF-1.7 not a certificate")
    assert "64 KB" in large.value.message


def test_a_signature_over_other_bytes_is_refused(sat, drawn):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate)

    with pytest.raises(refusals.OtherBytes):
        founder_signing.finish(to_sign.session, sign(key, b"something else"))
    assert SigningDocument.objects.get().signatures == 0


def test_a_signature_made_for_an_older_version_is_refused(sat, drawn, applicant):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate)
    workflow.reopen(drawn, actor=applicant)
    workflow.send_for_signatures(drawn, actor=applicant)
    founder_signing.draw(drawn.pk)

    with translation.override("en"), pytest.raises(refusals.OlderVersion) as refused:
        founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))

    assert "earlier version" in refused.value.message
    assert not Signature.objects.exists()


def test_a_session_past_its_ten_minutes_is_refused(sat, drawn):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate)
    late = to_sign.expires_at + datetime.timedelta(seconds=1)

    with pytest.raises(refusals.SessionExpired):
        founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes), now=late)

    assert SigningSession.objects.get().refusal == "SessionExpired"


def test_the_second_of_two_founders_prepared_on_the_same_state_signs_again(sat, drawn):
    ana, ana_key = efirma.issue_to(sat, ANA, validity())
    carlos, carlos_key = efirma.issue_to(sat, CARLOS, validity())
    for_ana = prepare(drawn, ANA, ana)
    for_carlos = prepare(drawn, CARLOS, carlos)
    founder_signing.finish(for_ana.session, sign(ana_key, for_ana.signed_attributes))

    with translation.override("en"), pytest.raises(refusals.SomeoneSignedFirst) as refused:
        founder_signing.finish(for_carlos.session, sign(carlos_key, for_carlos.signed_attributes))

    assert "Someone signed just before you" in refused.value.message
    assert [name for name, _s in validated(bytes(SigningDocument.objects.get().pdf), sat.root)] == [
        "Fundador1"
    ]
    again = prepare(drawn, CARLOS, carlos)
    founder_signing.finish(again.session, sign(carlos_key, again.signed_attributes))
    found = validated(bytes(SigningDocument.objects.get().pdf), sat.root)
    assert [(name, s.bottom_line) for name, s in found] == [
        ("Fundador1", True),
        ("Fundador2", True),
    ]


def test_finishing_twice_counts_once(sat, drawn):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate)
    value = sign(key, to_sign.signed_attributes)

    first = founder_signing.finish(to_sign.session, value)
    second = founder_signing.finish(to_sign.session, value)

    assert first.signature == second.signature
    assert SigningDocument.objects.get().signatures == 1
    with pytest.raises(refusals.AlreadySigned):
        prepare(drawn, ANA, certificate)


# -- SAT does not answer --------------------------------------------------------------------


def test_when_sat_does_not_answer_the_signature_waits_and_counts_when_it_does(
    sat, drawn, monkeypatch, mailoutbox
):
    certificate, key = efirma.issue_to(sat, ANA, validity())
    carlos, _carlos_key = efirma.issue_to(sat, CARLOS, validity())
    honest = registries.certificate_status
    monkeypatch.setattr(
        registries, "certificate_status", lambda request, application=None: registries.UNAVAILABLE
    )
    to_sign = prepare(drawn, ANA, certificate)

    with translation.override("en"):
        finished = founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))

    assert finished.waiting
    assert "Your signature waits" in finished.message
    session = SigningSession.objects.get()
    assert session.status == SigningSession.Status.WAITING
    assert bytes(session.signature_value) == sign(key, to_sign.signed_attributes)
    assert not Signature.objects.exists()
    with pytest.raises(refusals.AnotherSignatureWaits):
        prepare(drawn, CARLOS, carlos)
    assert founder_signing.check_waiting() == 0  # SAT still silent: nothing decided, kept

    monkeypatch.setattr(registries, "certificate_status", honest)
    assert founder_signing.check_waiting() == 1

    signature = Signature.objects.get()
    assert signature.decision == Signature.Decision.APPROVED
    assert SigningDocument.objects.get().signatures == 1
    told = OutboxMessage.objects.get(task=jobs.TELL_SIGNER)
    from companies import notifications

    notifications.signature_checked(told.args[1])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [founder(drawn, ANA).email]


def test_when_sat_answers_revoked_after_waiting_the_founder_is_told_why(
    sat, drawn, monkeypatch, mailoutbox
):
    certificate, key = efirma.issue_to(sat, ANA, validity(days_ago=400), revoked_at=NOW - DAY)
    honest = registries.certificate_status
    monkeypatch.setattr(
        registries, "certificate_status", lambda request, application=None: registries.UNAVAILABLE
    )
    to_sign = prepare(drawn, ANA, certificate)
    founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))
    monkeypatch.setattr(registries, "certificate_status", honest)

    with translation.override("en"):
        assert founder_signing.check_waiting() == 1

    session = SigningSession.objects.get()
    assert (session.status, session.refusal) == (SigningSession.Status.REFUSED, "Revoked")
    assert not Signature.objects.exists()
    from companies import notifications

    notifications.signature_checked(session.pk)
    assert "renew your e.firma at SAT" in session.message
    assert session.message in mailoutbox[0].body


# -- the views the front ends call ---------------------------------------------------------


def _prepare_url(application):
    from django.urls import reverse

    return reverse("companies:efirma_prepare", args=[application.public_id])


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("ana.cer", data, content_type="application/pkix-cert")


def test_the_browser_signs_over_two_posts(sat, drawn, client, applicant):
    import base64

    from tests.conftest import fresh_login

    certificate, key = efirma.issue_to(sat, ANA, validity())
    fresh_login(client, applicant)

    prepared = client.post(_prepare_url(drawn), {"certificate": _upload(der(certificate))})

    assert prepared.status_code == 200, prepared.content
    body = prepared.json()
    value = sign(key, base64.b64decode(body["to_be_signed"]))
    finished = client.post(body["finish"], {"signature": base64.b64encode(value).decode()})
    assert finished.status_code == 200, finished.content
    assert finished.json()["status"] == "signed"
    assert Signature.objects.get().founder.curp == ANA.curp


def test_the_views_refuse_with_what_to_do(sat, drawn, client, applicant):
    from tests.conftest import fresh_login

    fresh_login(client, applicant)
    with translation.override("es-mx"):
        large = client.post(_prepare_url(drawn), {"certificate": _upload(b"0" * 70_000)})
        other = client.post(_prepare_url(drawn), {"certificate": _upload(b"hello")})
        missing = client.post(_prepare_url(drawn))

    assert (large.status_code, large.json()["error"]) == (400, "TooLarge")
    assert "64 KB" in large.json()["message"]
    assert other.json()["error"] == missing.json()["error"] == "UnreadableCertificate"


def test_a_bad_signature_value_is_refused(sat, drawn, client, applicant):
    from tests.conftest import fresh_login

    certificate, _key = efirma.issue_to(sat, ANA, validity())
    fresh_login(client, applicant)
    body = client.post(_prepare_url(drawn), {"certificate": _upload(der(certificate))}).json()

    garbled = client.post(body["finish"], {"signature": "not base64!"})
    wrong = client.post(body["finish"], {"signature": "AAAA"})

    assert garbled.json()["error"] == "UnreadableSignature"
    assert wrong.json()["error"] == "OtherBytes"


def test_the_views_need_a_fresh_sign_in_the_founders_access_and_csrf(
    sat, drawn, client, applicant, clerk
):
    from urllib.parse import quote

    from django.test import Client

    from tests.conftest import fresh_login

    certificate, _key = efirma.issue_to(sat, ANA, validity())
    client.force_login(applicant)
    stale = client.post(_prepare_url(drawn), {"certificate": _upload(der(certificate))})
    fresh_login(client, clerk)
    stranger = client.post(_prepare_url(drawn), {"certificate": _upload(der(certificate))})
    strict = Client(enforce_csrf_checks=True)
    fresh_login(strict, applicant)
    forged = strict.post(_prepare_url(drawn), {"certificate": _upload(der(certificate))})

    assert (stale.status_code, stale.json()["error"]) == (403, "SignInAgain")
    back = quote(f"/solicitudes/{drawn.public_id}/firmar/", safe="")
    assert stale.json()["sign_in"] == f"/oidc/authenticate/?fresh=1&next={back}"
    assert stranger.status_code == 404
    assert forged.status_code == 403
    assert not SigningSession.objects.exists()


def test_the_signing_page_says_the_document_is_being_prepared(
    sat, sent, fast_drawing, client, applicant
):
    from django.urls import reverse

    from tests.conftest import fresh_login

    certificate, _key = efirma.issue_to(sat, ANA, validity())
    fresh_login(client, applicant)
    url = reverse("companies:sign", args=[sent.public_id])
    before = client.get(url).content.decode()
    too_soon = client.post(_prepare_url(sent), {"certificate": _upload(der(certificate))})
    founder_signing.draw(sent.pk)
    after = client.get(url).content.decode()
    ready = client.post(_prepare_url(sent), {"certificate": _upload(der(certificate))})

    assert 'data-efirma-document="preparing"' in before
    assert (too_soon.status_code, too_soon.json()["error"]) == (409, "DocumentPreparing")
    assert 'data-efirma-document="ready"' in after
    assert ready.status_code == 200


# -- two founders finishing at the same moment ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_founders_finishing_at_once_leave_one_intact_signature_and_one_sign_again(
    sat, legal_forms, monkeypatch
):
    import threading

    from django.db import connection

    from tests.factories import EntrepreneurFactory

    monkeypatch.setattr(rendering, "render_version_articles", lambda version: blank_pdf())
    ana_user = EntrepreneurFactory(curp=ANA.curp)
    EntrepreneurFactory(curp=CARLOS.curp)
    application = workflow.send_for_signatures(complete_application(ana_user), actor=ana_user)
    founder_signing.draw(application.pk)
    ana, ana_key = efirma.issue_to(sat, ANA, validity())
    carlos, carlos_key = efirma.issue_to(sat, CARLOS, validity())
    both = [
        (prepare(application, ANA, ana), ana_key),
        (prepare(application, CARLOS, carlos), carlos_key),
    ]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def finish(to_sign, key):
        try:
            start.wait()
            founder_signing.finish(to_sign.session, sign(key, to_sign.signed_attributes))
            outcomes.append("signed")
        except refusals.SomeoneSignedFirst:
            outcomes.append("sign again")
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=pair) for pair in both]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["sign again", "signed"]
    document = SigningDocument.objects.get()
    assert document.signatures == 1 == Signature.objects.count()
    found = validated(bytes(document.pdf), sat.root)
    assert len(found) == 1 and found[0][1].bottom_line


def test_beat_closes_sessions_whose_signature_never_came_back(sat, drawn):
    from companies import tasks

    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(drawn, ANA, certificate)
    SigningSession.objects.update(expires_at=NOW - DAY)

    assert tasks.check_waiting_signatures() == 1

    session = SigningSession.objects.get()
    assert (session.status, session.refusal) == (SigningSession.Status.REFUSED, "SessionExpired")
    assert bytes(session.prepared_pdf) == b""
    with pytest.raises(refusals.SessionClosed) as closed:
        founder_signing.finish(session, sign(key, to_sign.signed_attributes))
    assert closed.value.message == session.message


def test_the_signatures_page_shows_a_signature_being_checked_and_the_efirma(
    sat, drawn, client, applicant, monkeypatch
):
    from django.urls import reverse

    from tests.conftest import fresh_login

    honest = registries.certificate_status
    monkeypatch.setattr(
        registries, "certificate_status", lambda request, application=None: registries.UNAVAILABLE
    )
    certificate, key = efirma.issue_to(sat, ANA, validity())
    signs(drawn, ANA, certificate, key)
    fresh_login(client, applicant)
    url = reverse("companies:signatures", args=[drawn.public_id])

    with translation.override("en"):
        waiting = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        monkeypatch.setattr(registries, "certificate_status", honest)
        founder_signing.check_waiting()
        counted = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "being checked with SAT" in waiting
    assert "30001000000500000001" in counted


@pytest.mark.django_db(transaction=True)
def test_the_same_signature_finished_twice_at_once_counts_once(sat, legal_forms, monkeypatch):
    import threading

    from django.db import connection

    from tests.factories import EntrepreneurFactory

    monkeypatch.setattr(rendering, "render_version_articles", lambda version: blank_pdf())
    ana_user = EntrepreneurFactory(curp=ANA.curp)
    EntrepreneurFactory(curp=CARLOS.curp)
    application = workflow.send_for_signatures(complete_application(ana_user), actor=ana_user)
    founder_signing.draw(application.pk)
    certificate, key = efirma.issue_to(sat, ANA, validity())
    to_sign = prepare(application, ANA, certificate)
    value = sign(key, to_sign.signed_attributes)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def finish():
        try:
            start.wait()
            outcomes.append(founder_signing.finish(to_sign.session, value).signature)
        except refusals.SignatureRefused as refusal:
            outcomes.append(type(refusal).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    signature = Signature.objects.get()
    assert outcomes == [signature, signature]
    assert SigningSession.objects.get().status == SigningSession.Status.SIGNED
    assert SigningDocument.objects.get().signatures == 1
