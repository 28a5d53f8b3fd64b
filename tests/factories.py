import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from companies.models import Application, Founder, LegalForm
from portal import roles
from portal.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Persona"
    last_name = factory.Sequence(lambda n: f"Prueba {n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class EntrepreneurFactory(UserFactory):
    username = factory.SelfAttribute("curp")
    curp = "RAOA900514MQTMLN01"
    first_name = "Ana Sofía"
    last_name = "Ramírez Olvera"

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or roles.ENTREPRENEURS))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    filer = factory.SubFactory(EntrepreneurFactory)
    legal_form = factory.LazyFunction(lambda: LegalForm.objects.get(code="sas"))


class FounderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Founder

    application = factory.SubFactory(ApplicationFactory)
    curp = "RAOA900514MQTMLN01"
    given_names = "Ana Sofía"
    first_surname = "Ramírez"
    second_surname = "Olvera"
    email = "ana@example.mx"
    contribution = Decimal("10000")
    is_administrator = True
    person_status = "active"


class CompanyFounderFactory(FounderFactory):
    """A company that founds (persona moral), signed for by Carlos: the sandbox's tax registry
    lists Constructora Jurica's RFC as active with a positive compliance opinion."""

    kind = "legal"
    legal_name = "Constructora Jurica, S.A. de C.V."
    rfc = "CJU150610I85"
    tax_status = "active"
    curp = "MERC851102HQTNSR00"
    given_names = "Carlos Eduardo"
    first_surname = "Mendoza"
    second_surname = "Reséndiz"
    email = "carlos@example.mx"
    is_administrator = False


def complete_application(filer, *, legal_form: str = "sas", founders=None):
    """An application whose every wizard step is complete, with two verified founders."""
    from companies.models import LegalForm

    application = ApplicationFactory(
        filer=filer,
        legal_form=LegalForm.objects.get(code=legal_form),
        proposed_name="Tortillería La Esperanza",
        normalised_name="TORTILLERIA ESPERANZA",
        name_verdict={"outcome": "clear", "allowed": True},
        municipality="014",
        street="Av. Zaragoza",
        exterior_number="10",
        neighbourhood="Centro",
        postal_code="76000",
        purpose="Elaboración y venta de tortillas de maíz al público.",
        activity_codes=["311830"],
        capital=Decimal("10000"),
        articles={
            "duration": "indefinite",
            "foreigners": "admission",
            "share_transfer": "preference",
            "fiscal_year": "calendar",
        },
        notary_number=5 if legal_form != "sas" else None,
        deed_number=18250 if legal_form != "sas" else None,
    )
    people = founders or [
        ("RAOA900514MQTMLN01", "Ana Sofía", "Ramírez", "Olvera", "6000", True),
        ("MERC851102HQTNSR00", "Carlos Eduardo", "Mendoza", "Reséndiz", "4000", False),
    ]
    for curp, given, first, second, amount, admin in people:
        FounderFactory(
            application=application,
            curp=curp,
            given_names=given,
            first_surname=first,
            second_surname=second,
            contribution=Decimal(amount),
            is_administrator=admin,
            email=f"{given.split()[0].lower()}@example.mx",
        )
    if legal_form == "sa-de-cv":
        application.comisario_name = "Luz María Hernández Trejo"
        application.comisario_curp = "HETL780223MQTRRZ05"
        application.save()
    return application


JURICA_DEED = {"deed_number": 18250, "deed_date": date(2015, 6, 10)}  # 5/18250 in the sandbox


def submitted_sa_de_cv(
    filer, *, name: str = "Constructora Jurica", reserved_on: date = date(2015, 5, 4), **deed
):
    """A submitted S.A. de C.V. of Ana and Carlos (Luz, comisario) before notary 5, the fee
    paid, the name reserved on ``reserved_on``; the deed fields as given, else those of the
    sandbox's 5/18250 (Constructora Jurica's incorporation, 2015-06-10)."""
    from django.utils import timezone

    from companies import workflow
    from companies.filing.names import normalise_name
    from companies.models import NameReservation, Payment

    application = complete_application(filer, legal_form="sa-de-cv")
    fields = {**JURICA_DEED, "proposed_name": name, "normalised_name": normalise_name(name)}
    for field, value in {**fields, **deed}.items():
        setattr(application, field, value)
    application.save()
    reservation = NameReservation.objects.create(
        name=name,
        normalised_name=application.normalised_name,
        holder=filer,
        application=application,
        expires_at=timezone.now() + timedelta(days=180),
    )
    noon = datetime.combine(reserved_on, time(12), tzinfo=timezone.get_current_timezone())
    NameReservation.objects.filter(pk=reservation.pk).update(created_at=noon)
    Payment.objects.create(application=application, reference="QRO4996099406", amount="1850.00")
    workflow._transition(application.pk, "send_for_signatures")
    return workflow._transition(application.pk, "submit", fields={"submitted_at": timezone.now()})


# -- An application further along, through the real services ---------------------------------


def submitted(filer, **kwargs):
    """A complete application (``complete_application``'s arguments) sent for signatures and
    submitted, without the founders' signatures or the fee (processing does not look at them)."""
    return _submit(complete_application(filer, **kwargs), send=None)


def submitted_for_processing(filer, **kwargs):
    """``submitted``, with ``process_application`` recorded in the outbox as ``workflow.submit``
    records it: a running worker processes the application once the commit is done."""
    return submit_for_processing(complete_application(filer, **kwargs))


def submit_for_processing(application):
    """``application`` (complete) submitted as ``submitted_for_processing`` submits it."""
    from companies import tasks

    return _submit(application, send=[(tasks.process_application.name, [application.pk])])


def _submit(application, *, send):
    from django.utils import timezone

    from companies import workflow

    workflow._transition(application.pk, "send_for_signatures")
    fields = {"submitted_at": timezone.now()}
    return workflow._transition(application.pk, "submit", fields=fields, send=send)


def run_jobs(*names):
    """What a worker does with the outbox, in this process: each message for one of the tasks
    ``names`` not sent yet is marked sent and run, in order, with those the runs record in
    turn. Returns what the runs raised (a worker would retry those later)."""
    from django.utils import timezone

    from companies.models import OutboxMessage
    from portal.celery import app

    raised = []
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True, task__in=names).order_by("pk")
    while (message := waiting.first()) is not None:
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())
        try:
            app.tasks[message.task](*message.args)
        except Exception as error:  # the test looks at it, as a worker logs it
            raised.append(error)
    return raised


def complete_registration(application):
    """``after_registration`` for a registered application, and the documents' tasks it sends,
    run as a worker runs them; returns what they raised (``run_jobs``)."""
    from companies import jobs, tasks

    tasks.after_registration(application.pk)
    return run_jobs(jobs.ISSUE_DOCUMENT)


def in_review(filer):
    """A complete application submitted and checked, waiting for a clerk."""
    from django.utils import timezone

    from companies import workflow

    application = complete_application(filer)
    for verb in ("send_for_signatures", "submit", "start_checks", "send_to_review"):
        fields = (
            {"submitted_at": timezone.now(), "first_submitted_at": timezone.now()}
            if verb == "submit"
            else None
        )
        workflow._transition(application.pk, verb, fields=fields)
    application.refresh_from_db()
    return application


def founder_user(founder):
    """The person who signs for ``founder``: the portal user with the founder's CURP (made when
    missing, named as the founder, or as the representative of a company that founds)."""
    existing = User.objects.filter(curp=founder.curp).first()
    if existing is not None:
        return existing
    surnames = f"{founder.first_surname} {founder.second_surname}".strip()
    return EntrepreneurFactory(
        curp=founder.curp, first_name=founder.given_names, last_name=surnames
    )


def sign_everyone(application):
    """The current version (frozen now when the application is still a draft) signed by every
    founder who has not signed it yet, each with their e.firma through the signing service
    (``sign_with_efirma``)."""
    from companies import workflow
    from companies.filing import signing

    if application.is_editable:
        application = workflow.send_for_signatures(application, actor=application.filer)
    version = application.versions.order_by("-number").first()
    for founder in application.founders.order_by("pk"):
        if not signing.has_signed(version, founder):
            sign_with_efirma(application, founder)
    application.refresh_from_db()
    return application


def signs_as(application, user):
    """``user`` signs the current version with their e.firma for every founder they sign for
    (in their own name, and for each company they represent), as the signing room asks them
    to, one signature each (``sign_with_efirma``)."""
    from companies.filing import signing

    return [sign_with_efirma(application, f) for f in signing.founders_for(application, user)]


def sign_with_efirma(application, founder, *, method: str = "browser"):
    """``founder`` signs the current version's articles as the page's e.firma does, through
    ``documents.founder_signing``: the articles drawn when they are not yet (the worker's job),
    the signature prepared, made with the person's key over the signed attributes, finished. The
    e.firma is the run's demo one for the founder's CURP (``efirma_folder``), or one the run's
    sandbox SAT issues them once; SAT's OCSP is answered in-process by that authority
    (``tests.efirma.responder``) instead of over X-Road. Returns the ``Signature``."""
    from django.utils import timezone

    from companies.documents import founder_signing
    from sandbox import efirma

    def signs():
        version = Application.objects.get(pk=application.pk).versions.order_by("-number").first()
        if not founder_signing.is_ready(version):
            founder_signing.draw(application.pk)
        authority, certificate, key = _efirma_of(founder)
        to_sign = founder_signing.prepare(
            version,
            founder,
            certificate,
            method,
            user=founder_user(founder),
            authenticated_at=timezone.now(),
        )
        finished = founder_signing.finish(
            to_sign.session,
            efirma.sign(key, to_sign.signed_attributes),
            responder=_responder(authority),
        )
        assert finished.signature is not None, finished.message
        return finished.signature

    return _off_the_event_loop(signs)


_ISSUED: dict[tuple[str, str], tuple[bytes, object]] = {}  # (folder, CURP) -> DER and key


def _efirma_of(founder):
    """The run's sandbox SAT, and the founder's certificate (DER) and key: their demo files, or
    a certificate it issues them in this run (kept for the run; only the in-process responder
    knows it, not the sandbox served over X-Road)."""
    from cryptography.hazmat.primitives import serialization
    from django.utils import timezone

    from sandbox import efirma

    folder = efirma.default_folder()
    authority = efirma.load_or_create(folder)
    issued = _ISSUED.get((str(folder), founder.curp))
    demo = efirma.valid_demo(founder.curp)
    if issued is None and demo is not None:  # their key opened once (its password is slow)
        issued = _ISSUED[(str(folder), founder.curp)] = efirma.person_files(folder, demo)
    if issued is None:
        person = efirma.DemoCertificate(
            file="", curp=founder.curp, rfc="XAXX010101000",
            name=founder.person_name.upper(), password="",
            serial=efirma.sat_serial(f"3000100000090{len(_ISSUED) + 1:07d}"),
        )  # fmt: skip
        now = timezone.now()
        validity = efirma.Validity(now - timedelta(days=30), now + timedelta(days=1400))
        certificate, key = efirma.issue_to(authority, person, validity)
        issued = _ISSUED[(str(folder), founder.curp)] = (
            certificate.public_bytes(serialization.Encoding.DER),
            key,
        )
    authority.issued[_serial(issued[0])] = None  # issued by this authority, not revoked
    return (authority, *issued)


def _serial(der: bytes) -> int:
    from cryptography import x509

    return x509.load_der_x509_certificate(der).serial_number


def _responder(authority):
    from tests.efirma import responder

    return responder(authority)


def _off_the_event_loop(work):
    """``work()`` here, or in a thread of its own while an event loop runs in this one (a
    Playwright test's): pyHanko signs with ``asyncio.run``, which refuses to start then."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()

    def in_thread():
        try:
            return work()
        finally:
            connections.close_all()  # the thread's own connection, or the database stays busy

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


def registered_company(application, *, number: int | None = None, rfc: str = ""):
    """``application`` signed by every founder, submitted, approved and entered in the register
    by ``register.registration.register`` (its number, verification code and change log). With
    ``number``, the entry is that one of the year (the counter is set just before it); ``rfc``,
    the tax registry's answer, which ``registration.complete`` would otherwise ask for. The
    documents are not issued (``documents.issuance.issue_documents``)."""
    from django.utils import timezone

    from companies import workflow
    from companies.models import Company, RegistrationCounter
    from companies.register import registration

    sign_everyone(application)
    now = timezone.now()
    workflow._transition(
        application.pk, "submit", fields={"submitted_at": now, "first_submitted_at": now}
    )
    workflow._transition(application.pk, "start_checks")
    approved = workflow._transition(application.pk, "approve")
    if number is not None:
        RegistrationCounter.objects.update_or_create(
            year=timezone.localdate().year, defaults={"last": number - 1}
        )
    registration.register(approved)
    if rfc:
        Company.objects.filter(application=application).update(rfc=rfc)
    application.refresh_from_db()
    return Company.objects.select_related("application", "legal_form").get(application=application)


# -- An application history at known hours (the supervisor's and the public figures) ----------


def anchor():
    """The last 15:00 UTC (09:00 in Mexico City, which keeps no summer time) before now: the
    history ends there, so day boundaries are known and sessions stay valid."""
    from django.utils import timezone

    real = timezone.now()
    today = real.replace(hour=15, minute=0, second=0, microsecond=0)
    return today if today <= real else today - timedelta(days=1)


NOW = anchor()
T0 = NOW - timedelta(hours=72)  # 09:00 local, three days before NOW


class History:
    """Moves applications through the workflow with every event stamped at a chosen hour."""

    def __init__(self, monkeypatch, filer):
        self.monkeypatch, self.filer = monkeypatch, filer

    def at(self, hours):
        moment = T0 + timedelta(hours=hours)
        self.monkeypatch.setattr("companies.audit.timezone.now", lambda: moment)
        return moment

    def submitted(self, hours):
        from companies import workflow

        application = complete_application(self.filer)
        self.at(hours)
        workflow._transition(application.pk, "send_for_signatures")
        moment = self.at(hours)
        workflow._transition(
            application.pk, "submit", fields={"submitted_at": moment, "first_submitted_at": moment}
        )
        workflow._transition(application.pk, "start_checks")
        return application

    def in_review(self, hours, *, clerk=None):
        from companies import workflow
        from companies.review import claims

        application = self.submitted(hours)
        workflow._transition(application.pk, "send_to_review")
        if clerk is not None:
            claims.claim(application, clerk=clerk)
        return application

    def approved(self, application, hours, *, clerk=None):
        from companies import workflow
        from companies.register import registration

        self.at(hours)
        approved = workflow._transition(application.pk, "approve", actor=clerk)
        return registration.register(approved)

    def decided(self, application, verb, hours, *, clerk, **fields):
        from companies import workflow

        self.at(hours)
        return workflow._transition(application.pk, verb, actor=clerk, fields=fields or None)

    def resubmitted(self, application, hours):
        from companies import workflow

        self.at(hours)
        workflow._transition(application.pk, "send_for_signatures")
        moment = self.at(hours)
        workflow._transition(application.pk, "submit", fields={"submitted_at": moment})
        workflow._transition(application.pk, "start_checks")
        workflow._transition(application.pk, "send_to_review")

    def done(self):
        self.monkeypatch.undo()


# -- Filings on a registered company (companies.lifecycle) ------------------------------------

NEW_OFFICE = {
    "street": "Calle Madero",
    "exterior_number": "45",
    "interior_number": "",
    "neighbourhood": "Centro Histórico",
    "postal_code": "76020",
    "municipality": "016",
    "state": "22",
}


def user_for_curp(curp: str):
    """The portal user with this CURP (created as an entrepreneur when there is none)."""
    from portal.models import User

    found = User.objects.filter(curp=curp).first()
    return found or EntrepreneurFactory(curp=curp, first_name=curp, last_name="")


def start_filing(company, user, filing_type="office_change", payload=None, *, effective_on=None):
    """A filing started by ``user`` through ``lifecycle.filings.start`` (sent for signatures)."""
    from django.utils import timezone

    from companies.lifecycle import filings

    return filings.start(
        company=company,
        user=user,
        filing_type=filing_type,
        payload=dict(NEW_OFFICE) if payload is None else payload,
        effective_on=effective_on or timezone.localdate(),
    )


def sign_filing(filing):
    """Every required signer of ``filing`` signs it, each with a fresh e-identity sign-in."""
    from django.utils import timezone

    from companies.lifecycle import filings

    for signer in filings.signers(filing):
        filings.sign(filing, user=user_for_curp(signer.curp), authenticated_at=timezone.now())
    return filing


def submitted_filing(company, user, filing_type="office_change", payload=None, **kwargs):
    """A filing started, signed by everyone required and submitted (``process_filing`` in the
    outbox)."""
    from companies.lifecycle import filings

    filing = sign_filing(start_filing(company, user, filing_type, payload, **kwargs))
    return filings.submit(filing, actor=user)


_hand_entered = itertools.count(1)


def entered_by_hand(*, municipality: str = "014"):
    """A company entered in the register by hand (the register's own number series is not
    under test), its office in ``municipality``, with the change of its registration
    (``record_change``: the subscriptions hear of it)."""
    from django.utils import timezone

    from companies.models import Company
    from companies.register.changes import record_change
    from companies.register.search import normalise_name

    n = next(_hand_entered)
    application = ApplicationFactory(municipality=municipality, status="registered")
    entry = Company.objects.create(
        registration_number=f"QRO-2026-9{n:05d}",
        name=f"Empresa {n}, S.A.S.",
        normalised_name=normalise_name(f"Empresa {n}"),
        legal_form=LegalForm.objects.get(code="sas"),
        application=application,
        registered_at=timezone.now(),
    )
    record_change(entry, "registered")
    return entry
