import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from companies import audit, registries, tasks
from companies.documents import issuance, rendering, seal, verification
from companies.filing import read, reservations
from companies.management import demo
from companies.models import (
    AgencyAccess,
    AgencyService,
    Application,
    Company,
    Notification,
    OutboxMessage,
    RegistrationCounter,
    SigningDocument,
)
from companies.processing import checks
from companies.signatures.report import Kind
from portal import roles
from portal.auth import EIdentityBackend
from portal.models import User

pytestmark = pytest.mark.django_db


def _load(err: StringIO | None = None) -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out, stderr=err or StringIO())
    return out.getvalue()


@pytest.fixture
def seal_in_tmp(settings, tmp_path):
    """The seal's files in a folder of this test's own, where there is no key yet."""
    settings.VAR_DIR = tmp_path
    settings.SEAL_KEY_PATH = tmp_path / "seal" / "seal-key.pem"
    settings.SEAL_CERT_PATH = tmp_path / "seal" / "seal-cert.pem"
    return settings.SEAL_KEY_PATH, settings.SEAL_CERT_PATH


def test_demo_data_prints_sign_ins_that_work_and_is_repeatable(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = _load()
    assert _load() == first
    for role, username, password in re.findall(r"(\w+)\s+/entrar/\s+(\w+) / (\S+)", first):
        user = authenticate(username=username, password=password)
        assert user is not None, role
        assert user.groups.filter(name=role).exists()
    assert "Ana Sofía Ramírez Olvera (RAOA900514MQTMLN01" in first
    assert "Roberto Salinas" not in first  # deceased demo people are not offered
    assert User.objects.filter(username="registradora").count() == 1


def test_demo_data_lets_the_demo_agency_call_the_agency_api_and_keeps_the_admins_changes(
    settings, tmp_path, client
):
    settings.VAR_DIR = tmp_path
    agency = {"HTTP_X_ROAD_CLIENT": "MX-DEV/GOV/SAT/padron"}
    assert client.get("/api/v1/cambios", **agency).status_code == 403
    printed = _load()
    AgencyAccess.objects.filter(service=AgencyService.DOCUMENTS).update(active=False)
    _load()
    allowed = AgencyAccess.objects.filter(client="MX-DEV/GOV/SAT/padron")
    assert sorted(allowed.values_list("service", "active")) == [
        ("cambios", True),
        ("documentos", False),  # switched off in the admin, not switched back on
        ("empresas", True),
    ]
    assert all("load_demo_data" in note for note in allowed.values_list("note", flat=True))
    assert AgencyAccess.objects.count() == 3
    assert client.get("/api/v1/cambios", **agency).status_code == 200
    assert (
        "curl -H 'X-Road-Client: MX-DEV/GOV/SAT/padron' "
        f"{settings.XROAD_SECURITY_SERVER_URL}/r1/MX-DEV/GOV/QRO-SEDESU/registro/cambios"
    ) in printed


def test_demo_data_refuses_to_run_without_the_sandbox(settings):
    settings.SANDBOX = False
    with pytest.raises(CommandError, match="only with the sandbox"):
        _load()


# -- The seal key ---------------------------------------------------------------------------


def test_demo_data_makes_a_development_seal_key_when_there_is_none_and_keeps_it(seal_in_tmp):
    key, cert = seal_in_tmp
    printed = _load()
    assert f"Seal key written to {key}, certificate to {cert}." in printed
    assert key.stat().st_mode & 0o777 == 0o600
    assert seal.key_path() == key and seal.cert_path() == cert
    certificate = rendering.render_certificate(Company.objects.first())
    assert seal.validate_seal(seal.seal_pdf(certificate)).valid, "the key seals documents"
    made = key.read_bytes(), cert.read_bytes()
    assert "Seal key written" not in _load()
    assert (key.read_bytes(), cert.read_bytes()) == made


def test_demo_data_keeps_an_existing_seal_key(seal_in_tmp, seal_files):
    key, cert = seal_in_tmp
    key.parent.mkdir()
    key.write_bytes(seal_files[0].read_bytes())
    cert.write_bytes(seal_files[1].read_bytes())
    assert "Seal key written" not in _load()
    assert key.read_bytes() == seal_files[0].read_bytes()
    assert cert.read_bytes() == seal_files[1].read_bytes()


def test_demo_data_leaves_half_a_seal_key_alone_and_says_what_is_missing(seal_in_tmp):
    key, cert = seal_in_tmp
    key.parent.mkdir()
    key.write_bytes(b"the registry's key")
    err = StringIO()
    _load(err)
    assert key.read_bytes() == b"the registry's key"
    assert not cert.exists()
    assert f"The seal file {cert} is missing" in err.getvalue()


# -- The demo companies ---------------------------------------------------------------------


def test_demo_data_registers_the_demo_companies_once_through_the_workflow(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    printed = _load()
    assert _load() == printed
    companies = list(Company.objects.select_related("application", "legal_form"))
    assert sorted(c.name for c in companies) == [
        "Talleres Bernal, S.A.S.",
        "Tortillería La Esperanza, S.A.S.",
        "Viñedos de Tequisquiapan, S.A. de C.V.",
    ]
    year = timezone.localdate().year
    for company in companies:
        application = company.application
        assert re.fullmatch(rf"QRO-{year}-\d{{6}}", company.registration_number)
        assert f"{company.registration_number}  {company.name}" in printed
        assert application.status == "registered"
        verbs = list(application.events.values_list("verb", flat=True))
        assert verbs == [
            "send_for_signatures",
            "submit",
            "start_checks",
            *(["approve"] if company.legal_form.code == "sas" else ["send_to_review", "approve"]),
            "register",
        ]
        version = application.versions.get()
        assert sorted(
            version.signatures.values_list("founder__curp", "decision", "method")
        ) == sorted(
            (curp, "approved", "browser")
            for curp in application.founders.values_list("curp", flat=True)
        )  # each founder's demo e.firma, verified with SAT's answer and embedded in the PDF
        assert all(s.certificate_status.status == "good" for s in version.signatures.all())
        assert SigningDocument.objects.get(version=version).signatures == version.signatures.count()
        waiting = OutboxMessage.objects.filter(sent_at__isnull=True, args__0=application.pk)
        assert list(waiting.values_list("task", flat=True)) == [
            "companies.tasks.rfc_and_documents"
        ], "the worker gets the RFC and the documents, and nothing else is left to do"
    assert Application.objects.count() == 3
    assert audit.verify_chain() is None


def test_the_sa_de_cv_is_approved_by_the_demo_clerk_and_the_sas_with_no_human(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _load()
    approvals = dict(
        Application.objects.filter(events__verb="approve").values_list(
            "legal_form__code", "events__actor__username"
        )
    )
    assert approvals == {"sas": None, "sa-de-cv": "registradora"}
    viñedos = Application.objects.get(proposed_name="Viñedos de Tequisquiapan")
    assert viñedos.payments.get().status == "paid"
    assert viñedos.review_reasons == [demo.BY_A_CLERK]
    company_founder = viñedos.founders.get(kind="legal")
    assert (company_founder.legal_name, company_founder.rfc, company_founder.curp) == (
        "Constructora Jurica, S.A. de C.V.",
        "CJU150610I85",
        demo.CARLOS.curp,
    )
    version = viñedos.versions.get()
    signed = set(version.signatures.values_list("founder__curp", "founder__kind"))
    assert signed == {
        (demo.ANA.curp, "natural"),
        (demo.CARLOS.curp, "natural"),
        (demo.CARLOS.curp, "legal"),
    }


def test_the_demo_sa_de_cv_passes_the_notary_and_deed_checks_with_its_own_deed(
    settings, tmp_path, xroad_sandbox
):
    settings.VAR_DIR = tmp_path
    _load()
    viñedos = Application.objects.select_related("legal_form").get(
        proposed_name="Viñedos de Tequisquiapan"
    )
    planned = [p for p in checks.plan(viñedos) if p.kind in ("notary", "deed")]
    assert [(p.kind, p.subject) for p in planned] == [("notary", "22/5"), ("deed", "22/5/51207")]
    for item in planned:
        found = checks.CHECKERS[item.kind](viñedos, item.subject)
        assert (found.result, found.outcome) == (
            "clean",
            "active" if item.kind == "notary" else "deed_matches",
        )
    detail = found.detail
    assert detail["application"]["name_reserved_on"] == "2025-02-10"
    assert [f["in_deed_as"] for f in detail["application"]["founders"]] == [
        "Ana Sofía Ramírez Olvera",
        "Carlos Eduardo Mendoza Reséndiz",
        "Constructora Jurica, S.A. de C.V.",  # the company founder, by its RFC
    ]


def test_demo_entrepreneurs_find_their_registered_companies_after_an_e_identity_sign_in(
    settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    _load()
    for person, names in (
        (demo.ANA, {"Tortillería La Esperanza", "Viñedos de Tequisquiapan"}),
        (demo.CARLOS, {"Talleres Bernal", "Viñedos de Tequisquiapan"}),
    ):
        user = EIdentityBackend().filter_users_by_claims({"curp": person.curp}).get()
        assert (user.username, user.has_usable_password()) == (person.curp, False)
        assert user.groups.filter(name=roles.ENTREPRENEURS).exists()
        registered = read.dashboard(user)["registered"]
        assert {a.proposed_name for a in registered} == names


def test_a_person_who_signed_in_before_keeps_their_account(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    ana = User.objects.create_user(username="ana", curp=demo.ANA.curp, email="ana@correo.mx")
    _load()
    assert User.objects.filter(curp=demo.ANA.curp).get() == ana
    assert Application.objects.filter(filer=ana).count() == 2


def test_a_demo_name_held_by_someone_else_is_left_out_and_the_rest_registered(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    someone = User.objects.create_user(username="someone", curp="NUPI951212MDFXXS00")
    reservations.reserve_name(holder=someone, name="Talleres Bernal")
    printed = _load()
    assert "not registered  Talleres Bernal (name in use)" in printed
    assert Company.objects.count() == 2
    assert not Application.objects.filter(proposed_name="Talleres Bernal").exists()


def test_the_worker_gives_a_demo_company_its_rfc_and_three_sealed_documents(
    settings, tmp_path, xroad_sandbox, mailoutbox
):
    settings.VAR_DIR = tmp_path
    # The sandbox's tax registry lives for the whole run and remembers the numbers other tests
    # registered: numbers of this test's own keep it from answering "registered with other data".
    RegistrationCounter.objects.create(year=timezone.localdate().year, last=700)
    _load()
    application = Application.objects.get(proposed_name="Viñedos de Tequisquiapan")
    tasks.rfc_and_documents(application.pk)
    company = Company.objects.get(application=application)
    assert re.fullmatch(r"[A-ZÑ&]{3}\d{6}[A-Z0-9]{3}", company.rfc)
    issued = {d.kind: d for d in company.documents.all()}
    assert set(issued) == {"certificate", "articles", "register"}
    for document in issued.values():
        assert seal.validate_seal(issuance.read(document)).valid
    assert issued["certificate"].facts["rfc"] == company.rfc
    # the articles are the PDF the founders signed with their demo e.firma, sealed last
    articles = issuance.read(issued["articles"])
    assert articles.startswith(
        bytes(SigningDocument.objects.get(version__application=application).pdf)
    )
    found = verification.signatures_of(articles)
    assert [s.kind for s in found] == [Kind.EFIRMA] * (len(found) - 1) + [Kind.SEAL]
    assert len(found) == application.founders.count() + 1
    assert all(s.intact and s.valid and s.trusted for s in found)


def run_the_outbox_as_the_worker_does() -> None:
    """What the worker of `make run` does on its first start: every message still waiting."""
    from portal.celery import app as celery_app

    for message in OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk"):
        celery_app.tasks[message.task].apply(args=message.args, throw=True)


def test_the_worker_sends_no_e_mails_about_the_demo_companies_yet_issues_their_documents(
    settings, tmp_path, xroad_sandbox, mailoutbox
):
    settings.VAR_DIR = tmp_path
    RegistrationCounter.objects.create(year=timezone.localdate().year, last=800)  # as above
    _load()

    run_the_outbox_as_the_worker_does()

    assert [m.subject for m in mailoutbox] == []  # no invitation, "submitted" or "registered"
    assert not Notification.objects.exists()
    for company in Company.objects.all():
        assert company.rfc, company
        assert company.documents.count() == 3, company


def test_demo_companies_whose_tax_registry_answers_late_get_their_rfc_without_an_e_mail(
    settings, tmp_path, xroad_sandbox, mailoutbox
):
    from xroad_client.emulator import FaultSpec

    settings.VAR_DIR = tmp_path
    RegistrationCounter.objects.create(year=timezone.localdate().year, last=900)  # as above
    _load()
    application = Application.objects.get(proposed_name="Talleres Bernal")
    xroad_sandbox.inject_fault("MX-DEV/GOV/SAT/padron/contribuyentes", FaultSpec(down=True))
    with pytest.raises(registries.RegistryUnavailable):  # called directly, a retry re-raises
        tasks.rfc_and_documents(application.pk)
    xroad_sandbox.clear_faults()
    tasks.rfc_and_documents(application.pk)

    company = Company.objects.get(application=application)
    assert company.rfc
    assert company.documents.filter(kind="certificate").count() == 2  # without, then with RFC
    assert mailoutbox == []
